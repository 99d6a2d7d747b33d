//! The server side of every server function: who is asking, in which organization, and may they.
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use service::{
    access::Member,
    ids::{OrgId, UserId},
    permission::Permission,
};
use tower_sessions::Session;

use crate::{error::AppError, state::AppState};

const USER_KEY: &str = "user_id";
const ORG_KEY: &str = "org_id";

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::Internal("The server is missing its state.".to_owned()))
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| AppError::Internal(format!("The session could not be read: {e}")))
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store failed");
    AppError::Internal("Your session could not be read or saved. Try again in a moment.".to_owned())
}

/// Sets the HTTP status that matches `error`, so API clients see 401/403/404 and not a bare 500.
pub fn fail<T>(error: impl Into<AppError>) -> Result<T, AppError> {
    let error = error.into();
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(error.status());
    }
    Err(error)
}

pub async fn signed_in_user(session: &Session) -> Result<UserId, AppError> {
    match session.get::<UserId>(USER_KEY).await.map_err(session_error)? {
        Some(user) => Ok(user),
        None => fail(AppError::Unauthenticated),
    }
}

/// Starts a fresh session for `user`: a new id, so a planted session id is worthless, and no
/// organization chosen by whoever used the session before.
pub async fn sign_in(session: &Session, user: UserId) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session.insert(USER_KEY, user).await.map_err(session_error)?;
    select_org(session, None).await
}

pub async fn select_org(session: &Session, org: Option<OrgId>) -> Result<(), AppError> {
    match org {
        Some(org) => session.insert(ORG_KEY, org).await.map_err(session_error),
        None => session.remove::<OrgId>(ORG_KEY).await.map(|_| ()).map_err(session_error),
    }
}

pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// The organization the user works in: the one chosen in this session, else the first by name.
pub async fn active_org(state: &AppState, session: &Session, user: UserId) -> Result<OrgId, AppError> {
    if let Some(org) = session.get::<OrgId>(ORG_KEY).await.map_err(session_error)? {
        return Ok(org);
    }
    let orgs = service::accounts::organizations_of(&state.db, user).await.or_else(fail)?;
    match orgs.first() {
        Some((org, _)) => {
            select_org(session, Some(org.id)).await?;
            Ok(org.id)
        }
        None => {
            fail(AppError::NotFound("You are not a member of any organization. Ask an owner to add you.".to_owned()))
        }
    }
}

/// Authenticate, then authorize `permission` in the active organization: the first line of
/// every server function that touches an organization.
pub async fn authorize(permission: Permission) -> Result<(AppState, Member), AppError> {
    let state = state()?;
    let session = session().await?;
    let user = signed_in_user(&session).await?;
    let org = active_org(&state, &session, user).await?;
    let member = state.access.authorize(&state.db, user, org, permission).await.or_else(fail)?;
    Ok((state, member))
}
