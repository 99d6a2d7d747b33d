//! The JSON error every API route answers with: `{"error":{"code","message","hint"}}`.
use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};

pub fn api_error(status: StatusCode, code: &str, message: &str, hint: &str) -> Response {
    (status, Json(serde_json::json!({ "error": { "code": code, "message": message, "hint": hint } }))).into_response()
}
