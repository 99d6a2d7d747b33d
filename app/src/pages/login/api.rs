use leptos::prelude::*;

use crate::{codec::FormOrJson, error::AppError};

/// Signs in and goes to `next` (a path on this site), or the home page.
#[server(endpoint = "login", input = FormOrJson)]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use service::password::Password;

    use crate::auth;

    let state = auth::state()?;
    let session = auth::session().await?;
    let client = auth::client_address(&state).await;
    let user =
        state.sign_in.sign_in(&state.db, &email, &Password::attempt(password), client).await.inspect_err(|e| {
            if let Some(seconds) = e.retry_after_secs() {
                auth::retry_after(seconds);
            }
        })?;
    auth::sign_in(&session, user.id).await?;
    tracing::info!(user = %user.id, "signed in");
    leptos_axum::redirect(&return_path(next.as_deref()));
    Ok(())
}

#[server(endpoint = "logout", input = FormOrJson)]
pub async fn logout() -> Result<(), AppError> {
    use crate::auth;

    auth::sign_out(&auth::session().await?).await?;
    leptos_axum::redirect(crate::LOGIN_PATH);
    Ok(())
}

/// Ends every session of the signed-in user, on every device and replica.
#[server(endpoint = "logout_everywhere", input = FormOrJson)]
pub async fn logout_everywhere() -> Result<(), AppError> {
    use service::session_store::end_sessions_of;

    use crate::auth;

    let caller = auth::signed_in().await?;
    let ended = end_sessions_of(&caller.state.db, caller.user).await?;
    tracing::info!(user = %caller.user, sessions = ended, "signed out everywhere");
    auth::sign_out(&auth::session().await?).await?;
    leptos_axum::redirect(crate::LOGIN_PATH);
    Ok(())
}

crate::codec::form_or_json!(Login, Logout, LogoutEverywhere);

/// Where to go after signing in: `next` when it is a page of this site, else the home page.
/// Anything else (another host, `//evil.example`, a control character) is ignored.
#[cfg(feature = "ssr")]
pub fn return_path(next: Option<&str>) -> String {
    use crate::{HOME_PATH, LOGIN_PATH};

    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.starts_with(LOGIN_PATH)
                && !path.starts_with("/api/")
                && path.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            path.to_owned()
        }
        _ => HOME_PATH.to_owned(),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::HOME_PATH;

    #[test]
    fn only_paths_of_this_site_are_returned_to() {
        assert_eq!(return_path(Some("/settings/members?tab=1")), "/settings/members?tab=1");
        for outside in
            ["https://evil.example/", "//evil.example", "/\\evil.example", "/login", "/api/logout", "", "/a b"]
        {
            assert_eq!(return_path(Some(outside)), HOME_PATH, "{outside}");
        }
        assert_eq!(return_path(None), HOME_PATH);
    }
}
