//! The issuer's settings from variables or files, and the demo's development defaults.
use std::path::{Path, PathBuf};

use service::{
    files::{create_private_dir, write_private},
    issuer::{
        IssuerConfig,
        keys::{self, SigningAlgorithm},
    },
};

use crate::{cli::Settings, error::CliError};

const DEV_KEY_FILE: &str = "oidc-dev-key.pem";

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
    })
}

/// For `serve --demo`: a working issuer with nothing set. The issuer is this local address, and
/// the signing key is generated into the data folder on first start.
pub fn with_demo_defaults(mut config: IssuerConfig, settings: &Settings) -> Result<IssuerConfig, CliError> {
    if config.issuer.is_none() {
        config.issuer = Some(format!("http://{}", settings.listen));
    }
    if config.private_key_pem.is_none() {
        let path = settings.data_dir.join(DEV_KEY_FILE);
        if !path.exists() {
            create_private_dir(&settings.data_dir)
                .and_then(|()| write_private(&path, keys::generate(SigningAlgorithm::ES256).as_bytes()))
                .map_err(|e| CliError::Usage(format!("cannot write the development key {}: {e}", path.display())))?;
            tracing::warn!(
                "generated a development signing key in {}; production must set OIDC_PRIVATE_KEY",
                path.display()
            );
        }
        config.private_key_pem = Some(read("the development key", &path)?);
    }
    Ok(config)
}
