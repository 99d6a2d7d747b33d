//! The issuer's settings from variables or files, and the demo's development defaults.
use std::path::{Path, PathBuf};

use service::issuer::IssuerConfig;

use crate::{cli::Settings, error::CliError};

fn read(variable: &str, path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("{variable}: cannot read {}: {e}", path.display())))
}

fn value_or_file(value: &Option<String>, file: &Option<PathBuf>, variable: &str) -> Result<Option<String>, CliError> {
    match (value, file) {
        (Some(value), _) => Ok(Some(value.clone())),
        (None, Some(path)) => read(&format!("{variable}_FILE"), path).map(Some),
        (None, None) => Ok(None),
    }
}

pub fn load(settings: &Settings) -> Result<IssuerConfig, CliError> {
    #[cfg(debug_assertions)]
    let shortened_lifetime_seconds = settings.test_token_lifetime_seconds;
    #[cfg(not(debug_assertions))]
    let shortened_lifetime_seconds = None;
    Ok(IssuerConfig {
        issuer: settings.oidc_issuer.clone(),
        private_key_pem: value_or_file(
            &settings.oidc_private_key,
            &settings.oidc_private_key_file,
            "OIDC_PRIVATE_KEY",
        )?,
        published_keys_pem: value_or_file(
            &settings.oidc_published_keys,
            &settings.oidc_published_keys_file,
            "OIDC_PUBLISHED_KEYS",
        )?,
        token_lifetime_seconds: settings.oidc_token_lifetime_seconds,
        shortened_lifetime_seconds,
        jwks_max_age_seconds: settings.jwks_max_age_seconds,
        rotation: settings.signing_key_rotation,
        algorithm: settings.signing_key_alg.into(),
    })
}

/// For `serve --demo`: a working issuer with nothing set, at this local address. Its keys are
/// managed: generated into the database and rotated like production's.
pub fn with_demo_defaults(mut config: IssuerConfig, settings: &Settings) -> IssuerConfig {
    if config.issuer.is_none() {
        config.issuer = Some(format!("http://{}", settings.listen));
    }
    config
}
