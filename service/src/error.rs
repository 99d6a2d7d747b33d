//! The service layer's one error type. Variants that callers must tell apart are typed; each
//! says what happened (`Display`) and what to do ([`ServiceError::hint`]). The edges (server
//! functions, HTTP routes, CLI) map it once.
use sea_orm::DbErr;
use vocabulary::{
    FieldError,
    access::{Permission, Role},
    dto::deployments::SecretFailure,
    used_by::{UsedBy, UserKind},
};

use crate::db::text::CorruptValue;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// One or more fields of a form or request, each with its own message, so a form shows
    /// them all at once.
    #[error("{}", .0.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" "))]
    Invalid(Vec<FieldError>),

    /// Also the answer for objects of another organization, so their existence does not leak.
    #[error("{what} was not found.")]
    NotFound { what: &'static str },

    #[error("You need the permission `{permission}` in this organization.")]
    Forbidden { permission: Permission },

    #[error("Only an owner can grant, change or remove the owner role.")]
    OwnerOnly,

    #[error("An organization needs at least one owner.")]
    LastOwner,

    /// `what` reads as the start of a sentence: "A workload identity config".
    #[error("{what} named '{name}' already exists{}.", if *.within_org { " in this organization" } else { "" })]
    NameTaken { what: &'static str, name: String, within_org: bool },

    /// `what` reads as the start of a sentence ("The workload identity config").
    #[error("{what} is used by {used_by}.")]
    InUse { what: &'static str, used_by: UsedBy },

    #[error("{email} is already a member of this organization, as {role}.")]
    AlreadyMember { email: String, role: Role },

    #[error("The e-mail or password is not correct.")]
    InvalidCredentials,

    #[error("Too many failed sign-ins for this account or from this address.")]
    TooManySignIns { retry_after_secs: u64 },

    #[error("Wisp is checking many sign-ins at the moment.")]
    Busy { retry_after_secs: u64 },

    /// One member asked for more than a rule allows in a moment; `what` names it ("secret name lookups").
    #[error("Too many {what} in a short time.")]
    TooManyRequests { what: &'static str, retry_after_secs: u64 },

    /// A worker's bearer token that opens nothing: unknown, malformed or revoked.
    #[error("{message}")]
    InvalidToken { message: String },

    /// A worker's token used beyond what it opens (another automation).
    #[error("{message}")]
    TokenScope { message: String },

    /// A kickoff or deploy that could not read every secret; each failing variable says why.
    #[error("{} of the automation's secrets could not be read: {}.", .failures.len(), .failures.iter().map(|f| f.variable.as_str()).collect::<Vec<_>>().join(", "))]
    SecretsUnresolved { failures: Vec<SecretFailure> },

    /// What the issuer lacks, naming the variable to set.
    #[error("{0}")]
    IssuerNotConfigured(&'static str),

    /// A setting the operator gave that Wisp cannot use; the message names the variable.
    #[error("{message}")]
    Configuration { variable: &'static str, message: String },

    /// A stored row holds a value Wisp cannot read back.
    #[error("A stored record is damaged: {0}")]
    CorruptRecord(CorruptValue),

    #[error("The database failed: {0}")]
    Database(DbErr),

    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    /// The per-field messages of an `Invalid` error.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Invalid(errors) => errors,
            _ => &[],
        }
    }

    /// What to do about it, in the user's (or operator's) words.
    pub fn hint(&self) -> String {
        match self {
            Self::Invalid(_) => "Correct the fields marked and try again.".to_owned(),
            Self::NotFound { .. } => {
                "It may have been deleted, or it belongs to another organization: check the id.".to_owned()
            }
            Self::Forbidden { .. } => "Ask an owner or admin to grant you a role that has it.".to_owned(),
            Self::OwnerOnly => "Ask an owner of this organization.".to_owned(),
            Self::LastOwner => "Make another member an owner first.".to_owned(),
            Self::NameTaken { .. } => "Choose another name.".to_owned(),
            Self::AlreadyMember { .. } => "Change the member's role instead.".to_owned(),
            Self::InUse { used_by, .. } => used_by
                .kinds()
                .map(|kind| match kind {
                    UserKind::Credentials => {
                        "Move those credentials to another workload identity config, or delete them, first."
                    }
                    UserKind::Automations => {
                        "Point those automations' secrets at another credential, or delete the automations, first."
                    }
                    UserKind::ActiveDeployments => {
                        "Deploy those automations again so their workers use another credential, then revoke the older deployments' tokens on each automation's page."
                    }
                })
                .collect::<Vec<_>>()
                .join(" "),
            Self::InvalidCredentials => "Check both and try again.".to_owned(),
            Self::TooManySignIns { retry_after_secs } => format!(
                "Sign-in is paused for {}; try again then. If this was not you, tell your operator.",
                wait(*retry_after_secs)
            ),
            Self::Busy { retry_after_secs } | Self::TooManyRequests { retry_after_secs, .. } => {
                format!("Try again in {}.", wait(*retry_after_secs))
            }
            Self::InvalidToken { .. } => {
                "Use the token shown when the automation was deployed; if it was revoked or lost, deploy again from the automation's page and use the new token.".to_owned()
            }
            Self::TokenScope { .. } => {
                "Leave out `automation`, or use the token of that automation's own deployment.".to_owned()
            }
            Self::SecretsUnresolved { .. } => {
                "Each variable in `failures` says what AWS answered and what to change; nothing was returned, so nothing ran with a partial environment.".to_owned()
            }
            Self::IssuerNotConfigured(_) => "Ask your operator to set it, then restart Wisp.".to_owned(),
            Self::Configuration { variable, .. } => format!("Correct {variable}, then start Wisp again."),
            Self::CorruptRecord(_) => {
                "Ask your operator to check the database; the server log names the record.".to_owned()
            }
            Self::Database(error) if is_unavailable(error) => {
                "Try again in a moment. If it keeps happening, check that DATABASE_URL points at a reachable database."
                    .to_owned()
            }
            Self::Database(_) | Self::Internal(_) => {
                "Try again. If it keeps happening, tell your operator; the server log has the cause.".to_owned()
            }
        }
    }

    /// The database did not answer, as opposed to answering with an error.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Database(error) if is_unavailable(error))
    }
}

fn wait(seconds: u64) -> String {
    match seconds {
        0..=1 => "a second".to_owned(),
        2..=90 => format!("{seconds} seconds"),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    }
}

/// How long to wait before trying again, for errors that say so.
impl ServiceError {
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::TooManySignIns { retry_after_secs }
            | Self::Busy { retry_after_secs }
            | Self::TooManyRequests { retry_after_secs, .. } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

/// No connection, or SQLite still busy with another writer after its busy timeout: both pass.
fn is_unavailable(error: &DbErr) -> bool {
    matches!(error, DbErr::ConnectionAcquire(_) | DbErr::Conn(_)) || error.to_string().contains("database is locked")
}

impl From<FieldError> for ServiceError {
    fn from(error: FieldError) -> Self {
        Self::Invalid(vec![error])
    }
}

impl From<DbErr> for ServiceError {
    fn from(error: DbErr) -> Self {
        match CorruptValue::in_error(&error) {
            Some(corrupt) => Self::CorruptRecord(corrupt),
            None => Self::Database(error),
        }
    }
}

/// Parses each field of a form, keeping every field's error rather than stopping at the first.
#[derive(Default)]
pub struct FormCheck {
    errors: Vec<FieldError>,
}

impl FormCheck {
    pub fn field<T>(&mut self, parsed: Result<T, impl Into<FieldError>>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push(error.into());
                None
            }
        }
    }

    /// Records an error that concerns a combination of fields, against one of them.
    pub fn refuse(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// `Ok(value)` when every field parsed; `build` runs only then.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> ServiceResult<T> {
        match build() {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(ServiceError::Invalid(self.errors)),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
