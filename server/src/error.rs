use service::ServiceError;

/// What ends a `wisp` command: printed as one line that says what to do, exit code 1 or 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Service(#[from] ServiceError),
    #[error("{0}")]
    Usage(String),
}
