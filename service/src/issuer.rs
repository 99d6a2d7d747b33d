//! Wisp as an OpenID Connect issuer: configuration, signing keys, published documents, minting.
//!
//! Keys are **managed** (generated, stored sealed in the database and rotated by Wisp; see
//! [`rotation`] and [`store`]) unless `OIDC_PRIVATE_KEY` **pins** one. Either way the working
//! issuer (documents, ETags and minter) is rebuilt whenever the keys change and swapped in as
//! one value, so a request sees the old set or the new one, never a mix.
pub mod documents;
pub mod keeper;
pub mod keys;
pub mod mint;
pub mod rotation;
pub mod store;
pub mod url;

use std::{sync::Arc, time::Duration};

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use self::{
    documents::Document,
    keys::{KeyError, PublicJwk, SigningAlgorithm, SigningKey},
    mint::{Lifetimes, Minter},
    rotation::{KeyDates, Policy, Rotation},
    url::IssuerUrl,
};
use vocabulary::{
    dto::organization::{IssuerView, KeyView},
    token::{KeyMode, KeyState},
};

use crate::{
    entity::signing_key,
    error::{ServiceError, ServiceResult},
    master_key::{KeyringState, MasterKey},
    time::rfc3339,
};

/// The issuer's configuration as the operator gave it.
#[derive(Clone, Debug)]
pub struct IssuerConfig {
    pub issuer: Option<String>,
    pub private_key_pem: Option<String>,
    pub published_keys_pem: Option<String>,
    pub token_lifetime_seconds: u32,
    /// Every token's lifetime, shortened below what production allows: for tests that watch
    /// keys rotate in minutes. Only debug builds read a setting for it.
    pub shortened_lifetime_seconds: Option<u32>,
    pub jwks_max_age_seconds: u32,
    pub rotation: Rotation,
    pub algorithm: SigningAlgorithm,
}

impl Default for IssuerConfig {
    fn default() -> Self {
        Self {
            issuer: None,
            private_key_pem: None,
            published_keys_pem: None,
            token_lifetime_seconds: mint::MAX_LIFETIME_SECONDS,
            shortened_lifetime_seconds: None,
            jwks_max_age_seconds: rotation::DEFAULT_JWKS_MAX_AGE_SECONDS,
            rotation: Rotation::default(),
            algorithm: SigningAlgorithm::ES256,
        }
    }
}

/// A working issuer: the documents it serves and the key it signs with, as of one key set.
pub struct Issuer {
    pub url: IssuerUrl,
    pub discovery: Document,
    pub jwks: Document,
    pub minter: Minter,
}

/// What the issuer has now; replaced whole when the keys change.
struct Current {
    /// The keyring version these keys were read at; none before the first read.
    version: Option<i64>,
    issuer: Option<Arc<Issuer>>,
    keys: Vec<KeyView>,
    /// When the schedule next has something to do (managed mode).
    next_due: Option<DateTime<Utc>>,
    next_rotation: Option<DateTime<Utc>>,
}

/// What the issuer endpoints can serve: a working issuer, or the reason they cannot.
pub struct IssuerState {
    pub url: Option<IssuerUrl>,
    pub mode: KeyMode,
    pub policy: Policy,
    /// `Cache-Control: max-age` of the issuer's documents.
    pub max_age_seconds: u32,
    lifetimes: Lifetimes,
    pinned: Option<SigningKey>,
    /// `OIDC_PUBLISHED_KEYS`: published in either mode, never signing.
    configured: Vec<PublicJwk>,
    current: ArcSwap<Current>,
}

pub const NO_ISSUER: &str =
    "The issuer is not configured: set OIDC_ISSUER to the public https URL of this Wisp, as AWS will reach it.";
pub const NO_MANAGED_KEY: &str = "The issuer has no signing key yet: Wisp generates one in the database when it starts without OIDC_PRIVATE_KEY. If this lasts, the database may be unreachable; the server log says why.";

fn key_error(error: KeyError) -> ServiceError {
    ServiceError::Configuration { variable: error.variable, message: error.to_string() }
}

impl IssuerState {
    /// Parses and checks everything once; a bad value stops start-up with a message naming it.
    /// A managed issuer has no keys until [`IssuerState::refresh`] reads them.
    pub fn load(config: &IssuerConfig) -> ServiceResult<Self> {
        let url = config.issuer.as_deref().map(IssuerUrl::parse).transpose()?;
        let pinned = config
            .private_key_pem
            .as_deref()
            .map(|pem| keys::parse_signing_key(pem, "OIDC_PRIVATE_KEY"))
            .transpose()
            .map_err(key_error)?;
        let configured = config
            .published_keys_pem
            .as_deref()
            .map(|pem| keys::parse_published_keys(pem, "OIDC_PUBLISHED_KEYS"))
            .transpose()
            .map_err(key_error)?
            .unwrap_or_default();
        let lifetimes = match config.shortened_lifetime_seconds {
            Some(seconds) => Lifetimes::shortened(seconds),
            None => Lifetimes::new(config.token_lifetime_seconds)?,
        };
        if config.jwks_max_age_seconds == 0 {
            return Err(ServiceError::Configuration {
                variable: "WISP_JWKS_MAX_AGE_SECONDS",
                message: "WISP_JWKS_MAX_AGE_SECONDS must be at least 1 (default 300).".to_owned(),
            });
        }
        let policy = Policy {
            rotation: config.rotation,
            cache_lifetime: Duration::from_secs(u64::from(config.jwks_max_age_seconds)),
            token_lifetime: lifetimes.longest(),
            algorithm: config.algorithm,
        };
        let mode = if pinned.is_some() { KeyMode::Pinned } else { KeyMode::Managed };
        if mode == KeyMode::Managed {
            policy
                .check()
                .map_err(|message| ServiceError::Configuration { variable: "WISP_SIGNING_KEY_ROTATION", message })?;
        }
        let empty = Current { version: None, issuer: None, keys: Vec::new(), next_due: None, next_rotation: None };
        let state = Self {
            url,
            mode,
            policy,
            max_age_seconds: config.jwks_max_age_seconds,
            lifetimes,
            pinned,
            configured,
            current: ArcSwap::from_pointee(empty),
        };
        if state.mode == KeyMode::Pinned {
            state.install(&[], None, None)?;
        }
        Ok(state)
    }

    /// Reads the keys again when the keyring's version moved (or was never read), and swaps in
    /// the issuer they make. Returns whether anything changed.
    pub async fn refresh(
        &self,
        db: &DatabaseConnection,
        ring: &MasterKey,
        keyring: &KeyringState,
    ) -> ServiceResult<bool> {
        if self.current.load().version == Some(keyring.version) {
            return Ok(false);
        }
        let rows = store::published(db).await?;
        let active = match self.mode {
            KeyMode::Managed => {
                rows.iter().find(|r| r.state.0 == KeyState::Active).map(|r| store::signing_key(ring, r)).transpose()?
            }
            KeyMode::Pinned => None,
        };
        self.install(&rows, active, Some(keyring.version))?;
        Ok(true)
    }

    /// Builds the issuer from the published rows (and the configured keys) and swaps it in.
    fn install(
        &self,
        rows: &[signing_key::Model],
        active: Option<SigningKey>,
        version: Option<i64>,
    ) -> ServiceResult<()> {
        let dates: Vec<KeyDates> = rows.iter().map(KeyDates::from).collect();
        let next_rotation = self.next_rotation(&dates);
        let signing = self.pinned.clone().or(active);
        let mut jwks: Vec<PublicJwk> = Vec::new();
        let mut views: Vec<KeyView> = Vec::new();
        if let Some(pinned) = &self.pinned {
            jwks.push(pinned.jwk.clone());
            views.push(configured_view(&pinned.jwk, KeyState::Active));
        }
        for row in rows {
            jwks.push(store::public_jwk(row)?);
        }
        views.extend(self.views_at(rows, next_rotation));
        for jwk in &self.configured {
            jwks.push(jwk.clone());
            views.push(configured_view(jwk, KeyState::Published));
        }
        let mut seen = std::collections::HashSet::new();
        views.retain(|view| seen.insert(view.kid.clone()));
        let issuer = match (&self.url, signing) {
            (Some(url), Some(signing)) => {
                let published = keys::published_set(&signing, jwks).map_err(key_error)?;
                Some(Arc::new(Issuer {
                    discovery: documents::discovery(url, &published),
                    jwks: documents::jwks(&published),
                    minter: Minter::new(url.clone(), signing, self.lifetimes),
                    url: url.clone(),
                }))
            }
            _ => None,
        };
        let next_due = (self.mode == KeyMode::Managed).then(|| rotation::next_due(&dates, &self.policy)).flatten();
        self.current.store(Arc::new(Current { version, issuer, keys: views, next_due, next_rotation }));
        Ok(())
    }

    fn next_rotation(&self, dates: &[KeyDates]) -> Option<DateTime<Utc>> {
        if self.mode != KeyMode::Managed {
            return None;
        }
        let active = dates.iter().find(|k| k.state == KeyState::Active);
        let next = dates.iter().find(|k| k.state == KeyState::Next)?;
        rotation::takeover_at(active, next, &self.policy)
    }

    /// Stored keys as an admin sees them, with the dates the schedule gives them.
    pub fn views(&self, rows: &[signing_key::Model]) -> Vec<KeyView> {
        let dates: Vec<KeyDates> = rows.iter().map(KeyDates::from).collect();
        self.views_at(rows, self.next_rotation(&dates))
    }

    fn views_at(&self, rows: &[signing_key::Model], next_rotation: Option<DateTime<Utc>>) -> Vec<KeyView> {
        rows.iter().map(|row| self.view(row, next_rotation)).collect()
    }

    /// A stored key as an admin sees it: when it was, or will be, published, signing, retired.
    fn view(&self, row: &signing_key::Model, next_rotation: Option<DateTime<Utc>>) -> KeyView {
        let state = row.state.0;
        let (active_from, retired_at) = match state {
            KeyState::Next => (next_rotation, None),
            KeyState::Active => (row.activated_at, next_rotation),
            _ => (row.activated_at, row.retired_at),
        };
        KeyView {
            kid: row.kid.clone(),
            alg: row.alg.0,
            state,
            published_at: Some(rfc3339(row.published_at)),
            active_from: active_from.map(rfc3339),
            retired_at: retired_at.map(rfc3339),
            removed_after: row.remove_after.or(row.removed_at).map(rfc3339),
        }
    }

    /// Whether the managed schedule has a step due at `now`.
    pub fn due(&self, now: DateTime<Utc>) -> bool {
        self.mode == KeyMode::Managed && self.current.load().next_due.is_some_and(|due| due <= now)
    }

    /// The working issuer, or what to set to get one.
    pub fn ready(&self) -> Result<Arc<Issuer>, &'static str> {
        let current = self.current.load();
        match (&self.url, &current.issuer) {
            (_, Some(issuer)) => Ok(issuer.clone()),
            (None, None) => Err(NO_ISSUER),
            (Some(_), None) => Err(NO_MANAGED_KEY),
        }
    }

    /// The issuer's URL, which policies name even before a signing key is set, or what to set.
    pub fn configured_url(&self) -> ServiceResult<&IssuerUrl> {
        self.url.as_ref().ok_or(ServiceError::IssuerNotConfigured(NO_ISSUER))
    }

    /// The state of every key the issuer knows and when the next one starts signing (Unix
    /// seconds), for the metrics.
    pub fn key_census(&self) -> (Vec<KeyState>, Option<i64>) {
        let current = self.current.load();
        (current.keys.iter().map(|key| key.state).collect(), current.next_rotation.map(|at| at.timestamp()))
    }

    /// Everything an admin should see about the issuer, warnings first.
    pub fn status(&self) -> IssuerView {
        let mut warnings: Vec<String> =
            self.url.iter().flat_map(IssuerUrl::warnings).map(|w| w.message().to_owned()).collect();
        if let Err(reason) = self.ready() {
            warnings.insert(0, reason.to_owned());
        }
        let current = self.current.load();
        IssuerView {
            issuer: self.url.as_ref().map(ToString::to_string),
            discovery_url: self.url.as_ref().map(IssuerUrl::discovery_url),
            jwks_url: self.url.as_ref().map(IssuerUrl::jwks_url),
            mode: self.mode,
            keys: current.keys.clone(),
            next_rotation: current.next_rotation.map(rfc3339),
            rotation_period: (self.mode == KeyMode::Managed).then(|| self.policy.rotation.to_string()),
            warnings,
        }
    }
}

/// A key from the configuration, which the database knows nothing about.
fn configured_view(jwk: &PublicJwk, state: KeyState) -> KeyView {
    KeyView {
        kid: jwk.kid.clone(),
        alg: jwk.alg,
        state,
        published_at: None,
        active_from: None,
        retired_at: None,
        removed_after: None,
    }
}

#[cfg(test)]
mod tests {
    use vocabulary::token::SigningAlgorithm;

    use super::*;

    fn config(issuer: Option<&str>, key: Option<String>) -> IssuerConfig {
        IssuerConfig { issuer: issuer.map(str::to_owned), private_key_pem: key, ..IssuerConfig::default() }
    }

    #[test]
    fn says_what_to_set_when_unconfigured() {
        let none = IssuerState::load(&config(None, None)).unwrap();
        assert_eq!(none.ready().err(), Some(NO_ISSUER));
        assert_eq!(none.mode, KeyMode::Managed);
        let keyless = IssuerState::load(&config(Some("https://wisp.example.com"), None)).unwrap();
        assert_eq!(keyless.ready().err(), Some(NO_MANAGED_KEY), "a managed issuer before its keys are read");
        assert_eq!(keyless.status().warnings, [NO_MANAGED_KEY]);
    }

    #[test]
    fn a_pinned_issuer_lists_its_keys_and_warnings() {
        let key = keys::generate(SigningAlgorithm::ES256);
        let state = IssuerState::load(&IssuerConfig {
            published_keys_pem: Some(keys::generate(SigningAlgorithm::ES256)),
            ..config(Some("http://localhost:3000"), Some(key))
        })
        .unwrap();
        let status = state.status();
        assert_eq!(status.mode, KeyMode::Pinned);
        assert_eq!(status.keys.iter().map(|k| k.state).collect::<Vec<_>>(), [KeyState::Active, KeyState::Published]);
        assert_eq!((status.rotation_period, status.next_rotation), (None, None));
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

    #[test]
    fn managed_settings_that_break_an_invariant_stop_loading() {
        let err = IssuerState::load(&IssuerConfig { rotation: "2m".parse().unwrap(), ..config(None, None) })
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("WISP_SIGNING_KEY_ROTATION is 2m"), "{err}");
        let pinned = keys::generate(SigningAlgorithm::ES256);
        assert!(
            IssuerState::load(&IssuerConfig { rotation: "2m".parse().unwrap(), ..config(None, Some(pinned)) }).is_ok(),
            "pinned keys do not rotate"
        );
        let err = IssuerState::load(&IssuerConfig { jwks_max_age_seconds: 0, ..config(None, None) }).err().unwrap();
        assert!(err.to_string().contains("at least 1"), "{err}");
    }
}
