//! Every error an HTTP route answers with is the README's error envelope, with the status its code implies.
//! Server functions build theirs in `app`; this module answers for the routes around them, and
//! [`api_statuses`] gives server functions' errors their status and wraps what axum itself
//! answers under `/api` (an unknown path, a wrong method) in the same envelope.
use axum::{
    Json,
    body::{Body, to_bytes},
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use vocabulary::{ApiError, ErrorCode};

/// Server function errors are small; anything larger is not one of ours.
const MAX_ERROR_BYTES: usize = 64 * 1024;

pub fn respond(error: ApiError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(error)).into_response()
}

pub fn api_error(code: ErrorCode, message: impl Into<String>, hint: impl Into<String>) -> Response {
    respond(ApiError::new(code, message, hint))
}

/// Under `/api`: server functions' errors get the status of their code (Leptos answers 500 for
/// every error), and axum's own plain-text refusals become envelopes.
pub async fn api_statuses(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if !path.starts_with("/api/") {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    let status = response.status();
    if response.headers().contains_key(SERVER_FN_ERROR_HEADER) && status == StatusCode::INTERNAL_SERVER_ERROR {
        let (mut parts, body) = response.into_parts();
        let bytes = to_bytes(body, MAX_ERROR_BYTES).await.unwrap_or_default();
        match serde_json::from_slice::<ApiError>(&bytes) {
            Ok(error) => parts.status = StatusCode::from_u16(error.status()).unwrap_or(status),
            Err(e) => tracing::error!(%path, "a server function answered an error outside the envelope: {e}"),
        }
        return Response::from_parts(parts, Body::from(bytes));
    }
    let is_json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        return plain_refusal(status, &path);
    }
    response
}

/// axum's own answers, before any server function ran.
fn plain_refusal(status: StatusCode, path: &str) -> Response {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => api_error(
            ErrorCode::MethodNotAllowed,
            format!("{path} does not take that HTTP method."),
            "Call server functions with POST.",
        ),
        StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST => not_found(path),
        StatusCode::PAYLOAD_TOO_LARGE => api_error(
            ErrorCode::PayloadTooLarge,
            "The request body is too large.",
            "Send only the arguments the call takes.",
        ),
        other => {
            tracing::error!(%path, status = other.as_u16(), "answered without an error envelope");
            api_error(ErrorCode::InternalError, "The request failed on the server.", "Try again.")
        }
    }
}

pub fn not_found(path: &str) -> Response {
    api_error(
        ErrorCode::NotFound,
        format!("There is nothing at {path}."),
        "Check the address; server functions live under /api/ with the names the app calls.",
    )
}
