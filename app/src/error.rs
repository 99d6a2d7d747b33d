//! The one error type server functions return: the README's error envelope (`vocabulary::ApiError`) with
//! a stable code, what happened, what to do, and the message for each field. The HTTP status
//! follows from the code, set once by the server for every answer.
use std::ops::Deref;

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};
use vocabulary::{ApiError, ErrorCode, FieldError};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(transparent)]
#[error("{0}")]
pub struct AppError(pub ApiError);

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self(ApiError::new(code, message, hint))
    }

    pub fn with_fields(self, fields: Vec<FieldError>) -> Self {
        Self(self.0.with_fields(fields))
    }

    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "You are not signed in, or your session has ended.", "Sign in again.")
    }

    /// Whether the form shows this error next to its fields rather than above the form.
    pub fn is_about_fields(&self) -> bool {
        !self.fields.is_empty()
    }
}

impl Deref for AppError {
    type Target = ApiError;
    fn deref(&self) -> &ApiError {
        &self.0
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // In the browser: no answer came.
            ServerFnErrorErr::Request(e) => AppError::new(
                ErrorCode::Unreachable,
                format!("Wisp could not be reached ({e})."),
                "Check your connection and try again.",
            ),
            // On the server: the arguments could not be read (the codec names the field when it can).
            ServerFnErrorErr::Args(e) | ServerFnErrorErr::Deserialization(e) | ServerFnErrorErr::MissingArg(e) => {
                AppError::new(
                    ErrorCode::BadRequest,
                    format!("The request could not be read: {e}"),
                    "Send the arguments as a form or as a JSON object.",
                )
            }
            ServerFnErrorErr::UnsupportedRequestMethod(e) => AppError::new(
                ErrorCode::MethodNotAllowed,
                format!("This call does not take that HTTP method: {e}"),
                "Call server functions with POST.",
            ),
            ServerFnErrorErr::Registration(e) => AppError::new(
                ErrorCode::NotFound,
                format!("There is no such call: {e}"),
                "Reload the page: Wisp may have been upgraded.",
            ),
            // In the browser: an answer came that could not be read.
            ServerFnErrorErr::Response(e) => AppError::new(
                ErrorCode::InternalError,
                format!("Wisp's answer could not be read ({e})."),
                "Reload the page and try again.",
            ),
            other => internal(other.to_string()),
        }
    }
}

/// A failure the user cannot fix: the cause goes to the server log under a reference the user
/// can quote, never to the browser.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    server::internal_error(ErrorCode::InternalError, &cause)
}

#[cfg(feature = "ssr")]
mod server {
    use service::ServiceError;
    use vocabulary::{ApiError, ErrorCode, FieldError};

    use super::AppError;

    pub fn internal_error(code: ErrorCode, cause: &dyn std::fmt::Display) -> AppError {
        let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
        tracing::error!(%reference, code = code.as_str(), "request failed: {cause}");
        AppError::new(
            code,
            format!("Something went wrong on the server (reference {reference})."),
            "Try again. If it keeps happening, give the reference to your operator.",
        )
    }

    impl From<ServiceError> for AppError {
        fn from(error: ServiceError) -> Self {
            let code = match &error {
                ServiceError::Invalid(_) => ErrorCode::InvalidInput,
                ServiceError::NotFound { .. } => ErrorCode::NotFound,
                ServiceError::Forbidden { .. } => ErrorCode::PermissionDenied,
                ServiceError::OwnerOnly => ErrorCode::OwnerOnly,
                ServiceError::LastOwner => ErrorCode::LastOwner,
                ServiceError::NameTaken { .. } => ErrorCode::NameTaken,
                ServiceError::AlreadyMember { .. } => ErrorCode::AlreadyMember,
                ServiceError::InUse { .. } => ErrorCode::InUse,
                ServiceError::InvalidCredentials => ErrorCode::InvalidCredentials,
                ServiceError::InvalidToken { .. } => ErrorCode::Unauthenticated,
                ServiceError::TokenScope { .. } => ErrorCode::PermissionDenied,
                ServiceError::SecretsUnresolved { .. } => ErrorCode::SecretsUnresolved,
                ServiceError::TooManySignIns { .. }
                | ServiceError::Busy { .. }
                | ServiceError::TooManyRequests { .. } => ErrorCode::RateLimited,
                ServiceError::IssuerNotConfigured(_) => ErrorCode::IssuerNotConfigured,
                ServiceError::Configuration { .. } => ErrorCode::NotConfigured,
                ServiceError::CorruptRecord(_) => ErrorCode::CorruptRecord,
                ServiceError::Database(_) if error.is_unavailable() => ErrorCode::DatabaseUnavailable,
                ServiceError::Database(_) | ServiceError::Internal(_) => ErrorCode::InternalError,
            };
            match code {
                // The message says which variable to set: the user may pass it on.
                ErrorCode::IssuerNotConfigured | ErrorCode::NotConfigured => {
                    tracing::warn!(code = code.as_str(), "request refused: {error}");
                }
                _ if code.status() >= 500 => return internal_error(code, &error),
                _ => {}
            }
            let fields = match &error {
                ServiceError::Invalid(fields) => fields.clone(),
                ServiceError::NameTaken { .. } => vec![FieldError::new("name", error.to_string())],
                _ => Vec::new(),
            };
            let failures = match error {
                ServiceError::SecretsUnresolved { ref failures } => failures.clone(),
                _ => Vec::new(),
            };
            AppError(ApiError::new(code, error.to_string(), error.hint()).with_fields(fields).with_failures(failures))
        }
    }
}

#[cfg(not(feature = "ssr"))]
mod server {
    use vocabulary::ErrorCode;

    use super::AppError;

    pub fn internal_error(code: ErrorCode, cause: &dyn std::fmt::Display) -> AppError {
        AppError::new(code, format!("Something went wrong: {cause}."), "Reload the page and try again.")
    }
}
