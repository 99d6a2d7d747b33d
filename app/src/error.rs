//! The one error type server functions return to the browser. Every message says what happened
//! and what to do; internals stay in the server log.
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("You are not signed in, or your session has ended. Sign in again.")]
    Unauthenticated,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    /// A field the user can correct; `field` names the form input.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// Several fields of one form, each with its message.
    #[error("{}", .0.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" "))]
    Fields(Vec<FieldMessage>),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Internal(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMessage {
    pub field: String,
    pub message: String,
}

impl AppError {
    /// The message for one form field, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid { field, message } if field == name => Some(message.clone()),
            AppError::Fields(fields) => fields.iter().find(|f| f.field == name).map(|f| f.message.clone()),
            _ => None,
        }
    }

    /// Whether the form shows this error next to its fields rather than above the form.
    pub fn is_about_fields(&self) -> bool {
        matches!(self, AppError::Invalid { .. } | AppError::Fields(_))
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(e) => {
                AppError::Internal(format!("Wisp could not be reached ({e}). Check your connection and try again."))
            }
            other => AppError::Internal(format!("The request failed: {other}. Reload the page and try again.")),
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use http::StatusCode;
    use service::ServiceError;

    use super::AppError;

    impl AppError {
        pub fn status(&self) -> StatusCode {
            match self {
                AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::Invalid { .. } | AppError::Fields(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Refused(_) => StatusCode::CONFLICT,
                AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }
    }

    impl From<ServiceError> for AppError {
        fn from(error: ServiceError) -> Self {
            match error {
                ServiceError::Invalid { field, message } => AppError::Invalid { field: field.to_owned(), message },
                ServiceError::Fields(fields) => AppError::Fields(
                    fields
                        .into_iter()
                        .map(|f| super::FieldMessage { field: f.field.to_owned(), message: f.message })
                        .collect(),
                ),
                ServiceError::NotFound { .. } => AppError::NotFound(error.to_string()),
                ServiceError::Forbidden { .. } => AppError::Forbidden(error.to_string()),
                ServiceError::InvalidCredentials => {
                    AppError::Invalid { field: "password".to_owned(), message: error.to_string() }
                }
                ServiceError::Refused(message) | ServiceError::Conflict(message) => AppError::Refused(message),
                ServiceError::Database(_) | ServiceError::Internal(_) => {
                    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
                    tracing::error!(%reference, error = %error, "request failed");
                    AppError::Internal(format!(
                        "Something went wrong on the server (reference {reference}). Try again; if it keeps happening, give the reference to your operator."
                    ))
                }
            }
        }
    }
}
