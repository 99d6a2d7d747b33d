//! Wisp as an OpenID Connect issuer: configuration, published documents, token minting.
pub mod documents;
pub mod keys;
pub mod mint;
pub mod url;

use std::sync::Arc;

use self::{documents::Document, keys::KeyError, mint::Minter, url::IssuerUrl};
use vocabulary::dto::organization::{IssuerView, KeyView};

use crate::error::{ServiceError, ServiceResult};

/// The issuer's configuration as text, from environment variables or files.
#[derive(Clone, Debug, Default)]
pub struct IssuerConfig {
    pub issuer: Option<String>,
    pub private_key_pem: Option<String>,
    pub published_keys_pem: Option<String>,
    pub token_lifetime_seconds: u32,
}

/// A configured, working issuer.
pub struct Issuer {
    pub url: IssuerUrl,
    pub keys: Vec<KeyView>,
    pub discovery: Document,
    pub jwks: Document,
    pub minter: Minter,
}

/// What the issuer endpoints can serve: a working issuer, or the reason they cannot.
pub struct IssuerState {
    pub url: Option<IssuerUrl>,
    ready: Option<Arc<Issuer>>,
}

pub const NO_ISSUER: &str =
    "The issuer is not configured: set OIDC_ISSUER to the public https URL of this Wisp, as AWS will reach it.";
pub const NO_KEY: &str = "The issuer key is not configured: set OIDC_PRIVATE_KEY (or OIDC_PRIVATE_KEY_FILE) to a PEM private key. `wisp keys generate` prints one.";

fn key_error(error: KeyError) -> ServiceError {
    ServiceError::Configuration { variable: error.variable, message: error.to_string() }
}

impl IssuerState {
    /// Parses and checks everything once; a bad value stops start-up with a message naming it.
    pub fn load(config: &IssuerConfig) -> ServiceResult<Self> {
        let url = config.issuer.as_deref().map(IssuerUrl::parse).transpose()?;
        let signing = config
            .private_key_pem
            .as_deref()
            .map(|pem| keys::parse_signing_key(pem, "OIDC_PRIVATE_KEY"))
            .transpose()
            .map_err(key_error)?;
        let published = config
            .published_keys_pem
            .as_deref()
            .map(|pem| keys::parse_published_keys(pem, "OIDC_PUBLISHED_KEYS"))
            .transpose()
            .map_err(key_error)?
            .unwrap_or_default();
        let ready = match (&url, signing) {
            (Some(url), Some(signing)) => {
                let all = keys::published_set(&signing, published).map_err(key_error)?;
                let keys = all
                    .iter()
                    .map(|jwk| KeyView { kid: jwk.kid.clone(), alg: jwk.alg, signing: jwk.kid == signing.jwk.kid })
                    .collect();
                Some(Arc::new(Issuer {
                    discovery: documents::discovery(url, &all),
                    jwks: documents::jwks(&all),
                    minter: Minter::new(url.clone(), signing, config.token_lifetime_seconds)?,
                    url: url.clone(),
                    keys,
                }))
            }
            _ => None,
        };
        Ok(Self { url, ready })
    }

    /// The working issuer, or what to set to get one.
    pub fn ready(&self) -> Result<&Arc<Issuer>, &'static str> {
        match (&self.url, &self.ready) {
            (_, Some(issuer)) => Ok(issuer),
            (None, None) => Err(NO_ISSUER),
            (Some(_), None) => Err(NO_KEY),
        }
    }

    /// The issuer's URL, which policies name even before a signing key is set, or what to set.
    pub fn configured_url(&self) -> ServiceResult<&IssuerUrl> {
        self.url.as_ref().ok_or(ServiceError::IssuerNotConfigured(NO_ISSUER))
    }

    /// Everything an admin should see about the issuer, warnings first.
    pub fn status(&self) -> IssuerView {
        let mut warnings: Vec<String> =
            self.url.iter().flat_map(IssuerUrl::warnings).map(|w| w.message().to_owned()).collect();
        if let Err(reason) = self.ready() {
            warnings.insert(0, reason.to_owned());
        }
        IssuerView {
            issuer: self.url.as_ref().map(ToString::to_string),
            discovery_url: self.url.as_ref().map(IssuerUrl::discovery_url),
            jwks_url: self.url.as_ref().map(IssuerUrl::jwks_url),
            keys: self.ready.as_ref().map(|issuer| issuer.keys.clone()).unwrap_or_default(),
            warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use vocabulary::token::SigningAlgorithm;

    use super::*;

    fn config(issuer: Option<&str>, key: Option<String>) -> IssuerConfig {
        IssuerConfig {
            issuer: issuer.map(str::to_owned),
            private_key_pem: key,
            published_keys_pem: None,
            token_lifetime_seconds: 3600,
        }
    }

    #[test]
    fn says_what_to_set_when_unconfigured() {
        let none = IssuerState::load(&config(None, None)).unwrap();
        assert_eq!(none.ready().err(), Some(NO_ISSUER));
        let keyless = IssuerState::load(&config(Some("https://wisp.example.com"), None)).unwrap();
        assert_eq!(keyless.ready().err(), Some(NO_KEY));
        assert_eq!(keyless.status().warnings, [NO_KEY]);
    }

    #[test]
    fn a_ready_issuer_lists_its_keys_and_warnings() {
        let key = keys::generate(SigningAlgorithm::ES256);
        let state = IssuerState::load(&IssuerConfig {
            published_keys_pem: Some(keys::generate(SigningAlgorithm::ES256)),
            ..config(Some("http://localhost:3000"), Some(key))
        })
        .unwrap();
        let status = state.status();
        assert_eq!(status.keys.iter().map(|k| k.signing).collect::<Vec<_>>(), [true, false]);
        assert_eq!(status.warnings.len(), 2, "{:?}", status.warnings);
        assert_eq!(status.jwks_url.as_deref(), Some("http://localhost:3000/oauth2/jwks"));
    }

    #[test]
    fn a_bad_key_stops_loading_with_its_variable() {
        let err = IssuerState::load(&config(Some("https://wisp.example.com"), Some("junk".to_owned())))
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("OIDC_PRIVATE_KEY: "), "{err}");
    }
}
