//! The service layer's one error type. Each variant's message says what happened and what to do;
//! the edges (server functions, HTTP API, CLI) map it once.
use crate::permission::Permission;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{message}")]
    Invalid { field: &'static str, message: String },

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

impl ServiceError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { field, message: message.into() }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
