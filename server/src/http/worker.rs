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
    routing::get,
};
use serde::de::DeserializeOwned;
use service::{
    ServiceError,
    deployments::{self, TokenKind, Worker, kickoffs},
};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};
use vocabulary::{
    ApiError, ErrorCode,
    dto::deployments::{IdTokenRequest, IdTokenResponse, KickoffRequest, KickoffResponse},
};

use app::{error::AppError, state::AppState};

use super::{
    error::{self as envelope, respond},
    openapi::{self, WorkerApi},
};

/// The worker routes and, at [`openapi::PATH`], the document they make together.
pub fn routes(state: AppState) -> Router {
    let (router, document) = api().split_for_parts();
    let document = openapi::Document::new(&document);
    router
        .route(openapi::PATH, get(move || async move { document.respond() }))
        .with_state(state)
        .layer(middleware::from_fn(envelope::api_statuses))
}

/// Each route registered with its `#[utoipa::path]`: path, method and document from one place.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(WorkerApi::openapi()).routes(routes!(kickoff)).routes(routes!(id_token))
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

/// Start a run of the token's automation.
///
/// Answers the deployment's environment: plain values, secrets baked at deploy, and every
/// Workload-Identity-backed secret read from its provider now. Any secret that cannot be read
/// fails the whole kickoff (`secrets_unresolved`, each failing variable in `failures`); nothing
/// partial is returned. With an AWS role for runs, `aws` carries a web identity token for it.
#[utoipa::path(
    post,
    path = "/api/v1/kickoffs",
    tag = "worker",
    operation_id = "kickoff",
    request_body(
        content = Option<KickoffRequest>,
        content_type = "application/json",
        description = "Optional: no body, or `null`, is `{}`.",
    ),
    responses(
        (status = 200, description = "The run's environment, and its run token.", body = KickoffResponse),
        (status = 400, description = "`bad_request`: the body is not a JSON object of this shape.", body = ApiError),
        (status = 401, description = "`unauthenticated`: no token, or one that is unknown, revoked or a run token.", body = ApiError,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "`permission_denied`: `automation` is not the token's automation.", body = ApiError),
        (status = 404, description = "`not_found`: the AWS role for runs this deployment froze was deleted.", body = ApiError),
        (status = 422, description = "`secrets_unresolved`: `failures` names every variable whose secret could not be read, with the provider's code and what to do.", body = ApiError),
        (status = 503, description = "`database_unavailable`, or `issuer_not_configured` when a secret or the run's role needs Wisp's issuer and it is not set up.", body = ApiError),
        (status = "default", description = "Any other refusal, in the same envelope with the status its `code` implies (`payload_too_large` 413, `internal_error` 500…).", body = ApiError),
    ),
    security(("deployment_token" = [])),
)]
async fn kickoff(State(state): State<AppState>, DeploymentWorker(worker): DeploymentWorker, body: Bytes) -> Response {
    let request: Option<KickoffRequest> = match read_body(&body) {
        Ok(request) => request,
        Err(error) => return respond(error),
    };
    let request = request.unwrap_or_default();
    match kickoffs::kickoff(&state.db, state.providers(), &worker, request.automation).await {
        Ok(answer) => Json(answer).into_response(),
        Err(error) => failed(error),
    }
}

/// An ID token for the running automation.
///
/// For any relying party that trusts Wisp's issuer: `sub = organization:<org>:automation:<automation>`,
/// `aud` the audience asked for, claims `automation_id` and `deployment`, 15 minutes long. A few a
/// second per deployment.
#[utoipa::path(
    post,
    path = "/api/v1/id-tokens",
    tag = "worker",
    operation_id = "issue_id_token",
    request_body(content = IdTokenRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The token and when it expires.", body = IdTokenResponse),
        (status = 400, description = "`bad_request`: the body is not a JSON object of this shape.", body = ApiError),
        (status = 401, description = "`unauthenticated`: no token, or one that is unknown, revoked or expired.", body = ApiError,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 422, description = "`invalid_input`: the audience is not 1 to 256 characters without spaces.", body = ApiError),
        (status = 429, description = "`rate_limited`: too many ID tokens for this deployment; try again after `Retry-After`.", body = ApiError,
            headers(("Retry-After" = u32, description = "Seconds to wait."))),
        (status = 503, description = "`issuer_not_configured`: Wisp's issuer is not set up, or `database_unavailable`.", body = ApiError),
        (status = "default", description = "Any other refusal, in the same envelope with the status its `code` implies.", body = ApiError),
    ),
    security(("deployment_token" = []), ("run_token" = [])),
)]
async fn id_token(State(state): State<AppState>, TokenHolder(worker): TokenHolder, body: Bytes) -> Response {
    let request: IdTokenRequest = match read_body(&body) {
        Ok(request) => request,
        Err(error) => return respond(error),
    };
    match state.id_tokens.issue(&state.db, &state.issuer, &worker, &request.audience).await {
        Ok(minted) => Json(IdTokenResponse { token: minted.token, expires_at: minted.expires_at }).into_response(),
        Err(error) => failed(error),
    }
}

/// The request's JSON object. An empty body reads as `null`: an optional body (`Option<T>`) may be
/// left out, a required one is refused. Only an object is a request: serde would also read a
/// struct from an array of its fields' values, which the document does not allow.
fn read_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let unreadable = |why: String| {
        ApiError::new(
            ErrorCode::BadRequest,
            format!("The request body could not be read: {why}."),
            "Send a JSON object: {} or {\"automation\": \"<uuid>\"} to kick off, {\"audience\": \"<who will verify it>\"} for an ID token.",
        )
    };
    let body = if body.iter().all(u8::is_ascii_whitespace) { b"null".as_slice() } else { body };
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| unreadable(e.to_string()))?;
    if !(value.is_object() || value.is_null()) {
        return Err(unreadable("it is JSON, but not an object".to_owned()));
    }
    serde_json::from_value(value).map_err(|e| unreadable(e.to_string()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_a_json_object_or_nothing_where_it_is_optional() {
        for nothing in ["", "  \n", "null"] {
            assert_eq!(read_body::<Option<KickoffRequest>>(nothing.as_bytes()).unwrap(), None, "{nothing:?}");
        }
        let request: Option<KickoffRequest> = read_body(b"{}").unwrap();
        assert_eq!(request, Some(KickoffRequest::default()));
        assert!(read_body::<IdTokenRequest>(b"").is_err(), "an ID token needs its audience");
        for refused in ["[null]", "[\"3f2c8a1e-9b4d-4e6f-8a1b-2c3d4e5f6a7b\"]", "5", "\"{}\"", "{\"other\": 1}", "{"] {
            let error = read_body::<Option<KickoffRequest>>(refused.as_bytes()).unwrap_err();
            assert_eq!(error.code, ErrorCode::BadRequest, "{refused}");
        }
        let error = read_body::<IdTokenRequest>(b"[\"vault\"]").unwrap_err();
        assert!(error.message.contains("not an object"), "{error}");
    }

    #[test]
    fn the_document_has_the_routes_the_router_serves() {
        let document = api().into_openapi();
        let paths: Vec<_> = document.paths.paths.keys().map(String::as_str).collect();
        assert_eq!(paths, ["/api/v1/id-tokens", "/api/v1/kickoffs"]);
        let schemes = document.components.as_ref().map(|c| c.security_schemes.keys().cloned().collect::<Vec<_>>());
        assert_eq!(schemes.unwrap_or_default(), ["deployment_token", "run_token"], "every scheme the operations name");
    }
}
