use leptos::prelude::*;

use crate::{codec::FormOrJson, error::AppError};

/// Signs in and goes to `next` (a path on this site), or the home page.
#[server(endpoint = "login", input = FormOrJson)]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use service::{accounts, password::Password};

    use crate::auth;

    let state = auth::state()?;
    let session = auth::session().await?;
    let user = accounts::authenticate(&state.db, &email, &Password::attempt(password)).await?;
    auth::sign_in(&session, user.id).await?;
    tracing::info!(user = %user.id, "signed in");
    leptos_axum::redirect(&super::return_path(next.as_deref()));
    Ok(())
}

#[server(endpoint = "logout", input = FormOrJson)]
pub async fn logout() -> Result<(), AppError> {
    use crate::auth;

    auth::sign_out(&auth::session().await?).await?;
    leptos_axum::redirect(crate::LOGIN_PATH);
    Ok(())
}

crate::codec::form_or_json!(Login, Logout);
