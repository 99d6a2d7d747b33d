//! The server side of every server function: who is asking, in which organization, and the
//! proof that they may. A server function reads as a sentence: `authorize`, call the service,
//! map the result.
use leptos::prelude::*;
use service::access::{Authorized, Grant};
use tower_sessions::Session;
use vocabulary::ids::{OrgId, UserId};

use crate::{
    error::{AppError, internal},
    state::AppState,
};

use service::session_store::USER_KEY;

const ORG_KEY: &str = "org_id";
/// When the session's user signed in (Unix seconds), for the absolute lifetime.
const SIGNED_IN_AT_KEY: &str = "signed_in_at";
/// However active, a session ends this long after sign-in (it ends after 12 idle hours sooner).
pub const MAX_SESSION_SECONDS: i64 = 7 * 24 * 3600;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| internal("the server is missing its state"))
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| internal(format!("the session could not be read: {e}")))
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    internal(format!("the session store failed: {e}"))
}

/// Who is signed in in this session, if anyone: a session past its absolute lifetime is ended.
async fn user_of(session: &Session) -> Result<Option<UserId>, AppError> {
    let Some(user) = session.get::<UserId>(USER_KEY).await.map_err(session_error)? else { return Ok(None) };
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT_KEY).await.map_err(session_error)?.unwrap_or(i64::MIN);
    if now() - signed_in_at > MAX_SESSION_SECONDS {
        sign_out(session).await?;
        return Ok(None);
    }
    Ok(Some(user))
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Whether someone is signed in in this session: the server asks before rendering a page.
pub async fn is_signed_in(session: &Session) -> bool {
    matches!(user_of(session).await, Ok(Some(_)))
}

/// The address the request came from: the trusted proxy's header when one is configured,
/// else the connection's peer.
pub async fn client_address(state: &AppState) -> Option<std::net::IpAddr> {
    use axum::extract::ConnectInfo;

    if let Some(header) = &state.client_ip_header {
        let parts = use_context::<http::request::Parts>()?;
        let value = parts.headers.get(header)?.to_str().ok()?;
        return value.split(',').next()?.trim().parse().ok();
    }
    let ConnectInfo(peer) = leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>().await.ok()?;
    Some(peer.ip())
}

/// Tells the client when to try again, beside a `rate_limited` error.
pub fn retry_after(seconds: u64) {
    if let (Some(response), Ok(value)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&seconds.to_string()))
    {
        response.insert_header(http::header::RETRY_AFTER, value);
    }
}

/// A signed-in user making a request.
pub struct Caller {
    pub state: AppState,
    pub user: UserId,
    session: Session,
}

/// The caller, or `unauthenticated` when nobody is signed in.
pub async fn signed_in() -> Result<Caller, AppError> {
    let state = state()?;
    let session = session().await?;
    match user_of(&session).await? {
        Some(user) => Ok(Caller { state, user, session }),
        None => Err(AppError::unauthenticated()),
    }
}

/// Authenticate, then prove permission `G` in the active organization: the first line of every
/// server function that touches an organization.
pub async fn authorize<G: Grant>() -> Result<(AppState, Authorized<G>), AppError> {
    let caller = signed_in().await?;
    let proof = caller.authorize().await?;
    Ok((caller.state, proof))
}

impl Caller {
    /// Permission `G` in the organization the caller works in.
    pub async fn authorize<G: Grant>(&self) -> Result<Authorized<G>, AppError> {
        let org = self.active_org().await?;
        self.authorize_in(org).await
    }

    /// Permission `G` in `org`; not a member answers as not found.
    pub async fn authorize_in<G: Grant>(&self, org: OrgId) -> Result<Authorized<G>, AppError> {
        Ok(self.state.access.authorize(&self.state.db, self.user, org).await?)
    }

    /// Works in the proven organization from now on.
    pub async fn select_org<G: Grant>(&self, proof: &Authorized<G>) -> Result<(), AppError> {
        self.session.insert(ORG_KEY, proof.org_id()).await.map_err(session_error)
    }

    /// The organization chosen in this session, else the user's first by name.
    async fn active_org(&self) -> Result<OrgId, AppError> {
        if let Some(org) = self.session.get::<OrgId>(ORG_KEY).await.map_err(session_error)? {
            return Ok(org);
        }
        let orgs = service::accounts::organizations_of(&self.state.db, self.user).await?;
        let Some((org, _)) = orgs.first() else {
            return Err(AppError::new(
                vocabulary::ErrorCode::NotFound,
                "You are not a member of any organization.",
                "Ask an owner to add you.",
            ));
        };
        self.session.insert(ORG_KEY, org.id).await.map_err(session_error)?;
        Ok(org.id)
    }
}

/// Starts a fresh session for `user`: a new id, so a planted session id is worthless, and no
/// organization chosen by whoever used the session before.
pub async fn sign_in(session: &Session, user: UserId) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session.insert(USER_KEY, user).await.map_err(session_error)?;
    session.insert(SIGNED_IN_AT_KEY, now()).await.map_err(session_error)?;
    session.remove::<OrgId>(ORG_KEY).await.map(|_| ()).map_err(session_error)
}

pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}
