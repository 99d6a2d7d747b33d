//! The service layer's one error type. Each variant's message says what happened and what to do;
//! the edges (server functions, HTTP API, CLI) map it once.
use crate::permission::Permission;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{message}")]
    Invalid { field: &'static str, message: String },

    /// Several fields of one form, each with its own message, so a form shows them all at once.
    #[error("{}", .0.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" "))]
    Fields(Vec<FieldError>),

    /// Also the answer for objects of another organization, so their existence does not leak.
    #[error("{what} was not found. It may have been deleted, or it belongs to another organization.")]
    NotFound { what: &'static str },

    #[error(
        "You need the permission `{permission}` in this organization. Ask an owner or admin to grant you a role that has it."
    )]
    Forbidden { permission: Permission },

    #[error("{0}")]
    Refused(String),

    #[error("The e-mail or password is not correct.")]
    InvalidCredentials,

    #[error("{0}")]
    Conflict(String),

    #[error("The database failed: {0}. Check that DATABASE_URL points at a reachable database, then try again.")]
    Database(#[from] sea_orm::DbErr),

    #[error("{0}")]
    Internal(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl ServiceError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { field, message: message.into() }
    }

    /// The per-field messages of an `Invalid` or `Fields` error.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid { field, message } => vec![FieldError { field, message: message.clone() }],
            Self::Fields(errors) => errors.clone(),
            _ => Vec::new(),
        }
    }
}

/// Parses each field of a form, keeping every field's error rather than stopping at the first.
#[derive(Default)]
pub struct FormCheck {
    errors: Vec<FieldError>,
    other: Option<ServiceError>,
}

impl FormCheck {
    pub fn field<T>(&mut self, parsed: ServiceResult<T>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                let errors = error.field_errors();
                if errors.is_empty() {
                    self.other.get_or_insert(error);
                } else {
                    self.errors.extend(errors);
                }
                None
            }
        }
    }

    /// `Ok(value)` when every field parsed; `build` runs only then.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> ServiceResult<T> {
        if let Some(error) = self.other {
            return Err(error);
        }
        match build() {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(ServiceError::Fields(self.errors)),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
