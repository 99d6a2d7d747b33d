use service::ServiceError;

/// What ends a `wisp` command: printed as one line that says what happened and what to do.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{}", operator_message(.0))]
    Service(#[from] ServiceError),
    #[error("{0}")]
    Usage(String),
}

fn operator_message(error: &ServiceError) -> String {
    match error {
        // These messages already name the value or variable to correct.
        ServiceError::Invalid(_) | ServiceError::Configuration { .. } | ServiceError::IssuerNotConfigured(_) => {
            error.to_string()
        }
        _ => format!("{error} {}", error.hint()),
    }
}
