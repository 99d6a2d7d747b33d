//! The worker API: what a deployment worker calls with its deployment token, and what a run calls
//! with the run token its kickoff handed it. Plain axum handlers behind two extractors that turn
//! the bearer token into the service's proof: [`DeploymentWorker`] (a deployment token: kick off,
//! ID tokens) and [`TokenHolder`] (either token: ID tokens only); each handler then calls the
//! service and maps the answer once.
use axum::{
    Json, Router,
    body::Bytes,
    extract::{FromRequestParts, State},
    http::{HeaderValue, header, request::Parts},
    middleware,
    response::{IntoResponse, Response},
    routing::post,
};
use serde::de::DeserializeOwned;
use service::{
    ServiceError,
    deployments::{self, TokenKind, Worker, kickoffs},
};
use vocabulary::{
    ApiError, ErrorCode,
    dto::deployments::{IdTokenRequest, IdTokenResponse, KickoffRequest},
};

use app::{error::AppError, state::AppState};

use super::error::{self as envelope, respond};

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/kickoffs", post(kickoff))
        .route("/api/v1/id-tokens", post(id_token))
        .with_state(state)
        .layer(middleware::from_fn(envelope::api_statuses))
}

/// A request carrying a valid deployment token.
pub struct DeploymentWorker(pub Worker);

impl FromRequestParts<AppState> for DeploymentWorker {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let presented = bearer(parts)
            .ok_or_else(|| no_token("Send the token shown at deploy time as `Authorization: Bearer wisp_dt_…`."))?;
        match deployments::authenticate(&state.db, presented).await {
            Ok(worker) => Ok(Self(worker)),
            Err(error) => Err(failed(error)),
        }
    }
}

/// A request carrying a valid deployment token or a run's token (`WISP_ID_TOKEN_REQUEST_TOKEN`).
pub struct TokenHolder(pub Worker);

impl FromRequestParts<AppState> for TokenHolder {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let presented = bearer(parts).ok_or_else(|| {
            no_token("Inside a run, send $WISP_ID_TOKEN_REQUEST_TOKEN as `Authorization: Bearer wisp_rt_…` (or run `wisp id-token --audience A`); elsewhere the deployment token.")
        })?;
        let worker = match TokenKind::of(presented) {
            Some(TokenKind::Run) => deployments::authenticate_run(&state.db, presented).await,
            _ => deployments::authenticate(&state.db, presented).await,
        };
        worker.map(Self).map_err(failed)
    }
}

/// The bearer token of the request.
fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(str::trim)
}

/// 401 for a request without a token, saying which to send.
fn no_token(hint: &str) -> Response {
    unauthorized(ApiError::new(ErrorCode::Unauthenticated, "The request has no token.", hint))
}

async fn kickoff(State(state): State<AppState>, DeploymentWorker(worker): DeploymentWorker, body: Bytes) -> Response {
    let request: KickoffRequest = match read_body(&body, true) {
        Ok(request) => request,
        Err(error) => return respond(error),
    };
    match kickoffs::kickoff(&state.db, state.aws(), &worker, request.automation).await {
        Ok(answer) => Json(answer).into_response(),
        Err(error) => failed(error),
    }
}

async fn id_token(State(state): State<AppState>, TokenHolder(worker): TokenHolder, body: Bytes) -> Response {
    let request: IdTokenRequest = match read_body(&body, false) {
        Ok(request) => request,
        Err(error) => return respond(error),
    };
    match state.id_tokens.issue(&state.db, &state.issuer, &worker, &request.audience).await {
        Ok(minted) => Json(IdTokenResponse { token: minted.token, expires_at: minted.expires_at }).into_response(),
        Err(error) => failed(error),
    }
}

/// A JSON object; an empty body stands for `{}` where every field is optional.
fn read_body<T: DeserializeOwned>(body: &[u8], empty_is_object: bool) -> Result<T, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) && empty_is_object { b"{}".as_slice() } else { body };
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            ErrorCode::BadRequest,
            format!("The request body could not be read: {e}."),
            "Send a JSON object: {} or {\"automation\": \"<uuid>\"} to kick off, {\"audience\": \"<who will verify it>\"} for an ID token.",
        )
    })
}

fn failed(error: ServiceError) -> Response {
    let retry_after = error.retry_after_secs();
    let api = AppError::from(error).0;
    if api.code.status() == 401 {
        return unauthorized(api);
    }
    let mut response = respond(api);
    if let Some(seconds) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, seconds);
    }
    response
}

fn unauthorized(error: ApiError) -> Response {
    let mut response = respond(error);
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}
