//! Workload-identity tokens: signed once, shared while fresh, re-minted well before expiry.
use std::{
    collections::HashMap,
    fmt,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use jsonwebtoken::Header;
use serde::{Deserialize, Serialize};

use super::{
    keys::{SigningKey, jwt_algorithm},
    url::IssuerUrl,
};
use vocabulary::{
    ids::{AutomationId, OrgId},
    token::{Audience, STS_AUDIENCE, Subject},
};

use crate::error::{ServiceError, ServiceResult};

/// A cached token with less than this left is never handed out: callers get a fresh one.
pub const REFRESH_MARGIN_SECONDS: i64 = 600;
pub const MIN_LIFETIME_SECONDS: u32 = 900;
pub const MAX_LIFETIME_SECONDS: u32 = 3600;
/// `nbf` sits this far back, so relying parties with a slow clock accept a new token.
pub const CLOCK_SKEW_SECONDS: i64 = 5;
/// Past this many cache slots, slots whose token has expired are dropped.
const CACHE_SWEEP_THRESHOLD: usize = 4096;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// In an automation's ID token: which automation, and which deployment of it, is running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<u32>,
    /// AWS session tags, when the automation's workload identity config turns them on.
    #[serde(rename = "https://aws.amazon.com/tags", default, skip_serializing_if = "Option::is_none")]
    pub aws_tags: Option<SessionTags>,
}

/// The claim AWS STS reads session tags from: principal tags, each a list of one value, and no
/// transitive keys (a role chained from the session does not inherit them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTags {
    pub principal_tags: std::collections::BTreeMap<String, Vec<String>>,
    pub transitive_tag_keys: Vec<String>,
}

impl SessionTags {
    fn of(org: OrgId, automation: AutomationId) -> Self {
        let principal_tags = [("wisp-org", org.to_string()), ("wisp-automation", automation.to_string())]
            .into_iter()
            .map(|(key, value)| (key.to_owned(), vec![value]))
            .collect();
        Self { principal_tags, transitive_tag_keys: Vec::new() }
    }
}

/// What an automation's ID token says beyond the organization's.
#[derive(Clone, Copy, Debug)]
pub struct RunningAutomation {
    pub automation: AutomationId,
    pub deployment: u32,
    /// Tokens for AWS STS carry session tags (the run role's config turns them on).
    pub session_tags: bool,
}

/// An automation's ID token lives 15 minutes: long enough for a run to present it, short
/// enough that a leaked one is soon useless.
pub const AUTOMATION_TOKEN_SECONDS: u32 = 900;

/// How long the tokens Wisp signs live: what retired keys stay published for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetimes {
    /// Workload-identity tokens (`OIDC_TOKEN_LIFETIME_SECONDS`).
    pub organization: u32,
    /// Automations' ID tokens.
    pub automation: u32,
}

impl Lifetimes {
    /// Production lifetimes: `OIDC_TOKEN_LIFETIME_SECONDS` (15 to 60 minutes) and 15-minute ID tokens.
    pub fn new(organization_seconds: u32) -> ServiceResult<Self> {
        if !(MIN_LIFETIME_SECONDS..=MAX_LIFETIME_SECONDS).contains(&organization_seconds) {
            return Err(ServiceError::Configuration {
                variable: "OIDC_TOKEN_LIFETIME_SECONDS",
                message: format!(
                    "OIDC_TOKEN_LIFETIME_SECONDS is {organization_seconds}; use {MIN_LIFETIME_SECONDS} to {MAX_LIFETIME_SECONDS} (15 to 60 minutes)."
                ),
            });
        }
        Ok(Self { organization: organization_seconds, automation: AUTOMATION_TOKEN_SECONDS })
    }

    /// Every token lives `seconds` (at least 1): for tests that watch keys rotate in minutes.
    pub fn shortened(seconds: u32) -> Self {
        Self { organization: seconds.max(1), automation: seconds.max(1) }
    }

    /// The longest a token signed now can live.
    pub fn longest(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.organization.max(self.automation)))
    }

    /// A cached token with less than this left is signed anew: ten minutes, or half of a
    /// lifetime shortened for tests.
    fn refresh_margin(&self) -> i64 {
        if self.organization >= MIN_LIFETIME_SECONDS {
            REFRESH_MARGIN_SECONDS
        } else {
            i64::from(self.organization) / 2
        }
    }
}

/// A signed token. Its `Debug` shows when it expires, never the token.
#[derive(Clone, PartialEq, Eq)]
pub struct MintedToken {
    pub token: String,
    pub expires_at: i64,
    pub kid: String,
}

impl fmt::Debug for MintedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MintedToken")
            .field("expires_at", &self.expires_at)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<MintedToken>>>;
type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

pub struct Minter {
    issuer: IssuerUrl,
    key: SigningKey,
    lifetimes: Lifetimes,
    clock: Clock,
    cache: Mutex<HashMap<(OrgId, Audience, String), Slot>>,
    signatures: AtomicU64,
}

impl Minter {
    pub fn new(issuer: IssuerUrl, key: SigningKey, lifetimes: Lifetimes) -> Self {
        Self::with_clock(issuer, key, lifetimes, Arc::new(|| chrono::Utc::now().timestamp()))
    }

    /// For tests that move time.
    pub fn with_clock(issuer: IssuerUrl, key: SigningKey, lifetimes: Lifetimes, clock: Clock) -> Self {
        Self { issuer, key, lifetimes, clock, cache: Mutex::new(HashMap::new()), signatures: AtomicU64::new(0) }
    }

    /// The key this minter signs with.
    pub fn kid(&self) -> &str {
        &self.key.jwk.kid
    }

    /// The organization's token for `audience`: the cached one while it has more than
    /// [`REFRESH_MARGIN_SECONDS`] left, else a new one. Concurrent callers share one signing.
    pub async fn token(&self, org: OrgId, audience: &Audience) -> ServiceResult<MintedToken> {
        let subject = Subject::Organization(org).to_string();
        let slot = self.slot((org, audience.clone(), subject.clone()));
        let mut cached = slot.lock().await;
        let now = (self.clock)();
        if let Some(token) = cached.as_ref().filter(|t| t.expires_at - now > self.lifetimes.refresh_margin()) {
            return Ok(token.clone());
        }
        let minted = self.sign(subject, audience, now, self.lifetimes.organization, None, None)?;
        *cached = Some(minted.clone());
        Ok(minted)
    }

    /// A token signed now, never cached: for operators debugging a trust policy.
    pub fn fresh_token(&self, org: OrgId, audience: &Audience) -> ServiceResult<MintedToken> {
        self.sign(
            Subject::Organization(org).to_string(),
            audience,
            (self.clock)(),
            self.lifetimes.organization,
            None,
            None,
        )
    }

    /// A running automation's ID token for any relying party: signed for each request (they are
    /// rate-limited per deployment), never cached.
    pub fn automation_token(
        &self,
        org: OrgId,
        running: RunningAutomation,
        audience: &Audience,
    ) -> ServiceResult<MintedToken> {
        let subject = Subject::Automation(org, running.automation).to_string();
        let tags = (running.session_tags && audience.as_str() == STS_AUDIENCE)
            .then(|| SessionTags::of(org, running.automation));
        self.sign(subject, audience, (self.clock)(), self.lifetimes.automation, Some(running), tags)
    }

    /// How many tokens this minter has signed.
    pub fn signatures(&self) -> u64 {
        self.signatures.load(Ordering::Relaxed)
    }

    fn slot(&self, key: (OrgId, Audience, String)) -> Slot {
        let mut cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if cache.len() >= CACHE_SWEEP_THRESHOLD && !cache.contains_key(&key) {
            let now = (self.clock)();
            cache.retain(|_, slot| slot.try_lock().map_or(true, |t| t.as_ref().is_some_and(|t| t.expires_at > now)));
        }
        cache.entry(key).or_default().clone()
    }

    fn sign(
        &self,
        sub: String,
        audience: &Audience,
        now: i64,
        lifetime: u32,
        running: Option<RunningAutomation>,
        aws_tags: Option<SessionTags>,
    ) -> ServiceResult<MintedToken> {
        let claims = Claims {
            iss: self.issuer.as_str().to_owned(),
            sub,
            aud: audience.as_str().to_owned(),
            iat: now,
            nbf: now - CLOCK_SKEW_SECONDS,
            exp: now + i64::from(lifetime),
            jti: uuid::Uuid::new_v4().to_string(),
            automation_id: running.map(|r| r.automation.to_string()),
            deployment: running.map(|r| r.deployment),
            aws_tags,
        };
        let mut header = Header::new(jwt_algorithm(self.key.jwk.alg));
        header.kid = Some(self.key.jwk.kid.clone());
        header.typ = Some("JWT".to_owned());
        let token = jsonwebtoken::encode(&header, &claims, &self.key.encoding)
            .map_err(|e| ServiceError::Internal(format!("signing a token failed: {e}")))?;
        self.signatures.fetch_add(1, Ordering::Relaxed);
        crate::metrics::token_issued(if claims.automation_id.is_some() { "automation" } else { "organization" });
        Ok(MintedToken { token, expires_at: claims.exp, kid: self.key.jwk.kid.clone() })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicI64;

    use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};

    use super::*;
    use crate::issuer::keys::{JwkParams, SigningAlgorithm, generate, parse_signing_key};

    const T0: i64 = 1_900_000_000;

    fn minter(alg: SigningAlgorithm, clock: Arc<AtomicI64>) -> Minter {
        let key = parse_signing_key(&generate(alg), "OIDC_PRIVATE_KEY").unwrap();
        let issuer = IssuerUrl::parse("https://wisp.example.com").unwrap();
        Minter::with_clock(issuer, key, Lifetimes::new(3600).unwrap(), Arc::new(move || clock.load(Ordering::SeqCst)))
    }

    fn decoding_key(minter: &Minter) -> DecodingKey {
        match &minter.key.jwk.params {
            JwkParams::Rsa { n, e } => DecodingKey::from_rsa_components(n, e).unwrap(),
            JwkParams::Ec { x, y, .. } => DecodingKey::from_ec_components(x, y).unwrap(),
        }
    }

    #[tokio::test]
    async fn tokens_carry_exactly_the_claims_aws_checks() {
        for alg in [SigningAlgorithm::ES256, SigningAlgorithm::RS256] {
            let minter = minter(alg, Arc::new(AtomicI64::new(chrono::Utc::now().timestamp())));
            let org = OrgId::new();
            let minted = minter.token(org, &Audience::sts()).await.unwrap();

            let header = decode_header(&minted.token).unwrap();
            assert_eq!(header.alg, jwt_algorithm(alg));
            assert_eq!(header.kid.as_deref(), Some(minter.key.jwk.kid.as_str()));
            assert_eq!(header.typ.as_deref(), Some("JWT"));

            let mut validation = Validation::new(jwt_algorithm(alg));
            validation.set_audience(&["sts.amazonaws.com"]);
            validation.set_issuer(&["https://wisp.example.com"]);
            let claims = decode::<Claims>(&minted.token, &decoding_key(&minter), &validation).unwrap().claims;
            assert_eq!(claims.sub, format!("organization:{org}"));
            assert_eq!(claims.exp - claims.iat, 3600);
            assert_eq!(claims.iat - claims.nbf, CLOCK_SKEW_SECONDS);
            assert_eq!(claims.exp, minted.expires_at);
            let raw: serde_json::Value = serde_json::from_slice(
                &base64::Engine::decode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    minted.token.split('.').nth(1).unwrap(),
                )
                .unwrap(),
            )
            .unwrap();
            let mut names: Vec<&str> = raw.as_object().unwrap().keys().map(String::as_str).collect();
            names.sort_unstable();
            assert_eq!(names, ["aud", "exp", "iat", "iss", "jti", "nbf", "sub"], "no azp, nothing else");
        }
    }

    #[tokio::test]
    async fn a_cached_token_is_shared_until_ten_minutes_are_left() {
        let clock = Arc::new(AtomicI64::new(T0));
        let minter = minter(SigningAlgorithm::ES256, clock.clone());
        let org = OrgId::new();
        let first = minter.token(org, &Audience::sts()).await.unwrap();
        clock.store(T0 + 3600 - REFRESH_MARGIN_SECONDS - 1, Ordering::SeqCst);
        assert_eq!(minter.token(org, &Audience::sts()).await.unwrap(), first);
        assert_eq!(minter.signatures(), 1);

        clock.store(T0 + 3600 - REFRESH_MARGIN_SECONDS, Ordering::SeqCst);
        let second = minter.token(org, &Audience::sts()).await.unwrap();
        assert_ne!(second.token, first.token);
        assert_eq!(second.expires_at, T0 + 3600 - REFRESH_MARGIN_SECONDS + 3600);
        assert_eq!(minter.signatures(), 2);
    }

    #[tokio::test]
    async fn each_organization_and_audience_has_its_own_token() {
        let minter = minter(SigningAlgorithm::ES256, Arc::new(AtomicI64::new(T0)));
        let (a, b) = (OrgId::new(), OrgId::new());
        let other = "https://vault.example.com".parse::<Audience>().unwrap();
        let tokens = [
            minter.token(a, &Audience::sts()).await.unwrap(),
            minter.token(b, &Audience::sts()).await.unwrap(),
            minter.token(a, &other).await.unwrap(),
        ];
        assert_eq!(minter.signatures(), 3);
        assert_ne!(tokens[0].token, tokens[1].token);
        assert_ne!(tokens[0].token, tokens[2].token);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_signing() {
        let minter = Arc::new(minter(SigningAlgorithm::RS256, Arc::new(AtomicI64::new(T0))));
        let org = OrgId::new();
        let calls: Vec<_> = (0..64)
            .map(|_| {
                let minter = minter.clone();
                tokio::spawn(async move { minter.token(org, &Audience::sts()).await.unwrap() })
            })
            .collect();
        let mut tokens = Vec::new();
        for call in calls {
            tokens.push(call.await.unwrap());
        }
        assert!(tokens.windows(2).all(|pair| pair[0] == pair[1]));
        assert_eq!(minter.signatures(), 1);
    }

    #[test]
    fn lifetime_and_audience_are_bounded() {
        for bad in [0, 899, 3601] {
            let err = Lifetimes::new(bad).err().unwrap().to_string();
            assert!(err.contains("use 900 to 3600"), "{err}");
        }
        assert_eq!(Lifetimes::new(1800).unwrap().longest(), std::time::Duration::from_secs(1800));
        assert_eq!(Lifetimes::new(900).unwrap().refresh_margin(), 600);
        assert_eq!(Lifetimes::shortened(20).refresh_margin(), 10);
        assert_eq!(Lifetimes::shortened(20).longest(), std::time::Duration::from_secs(20));
        assert!("é".repeat(256).parse::<Audience>().is_ok(), "characters, not bytes");
        for bad in ["", "has space", &"a".repeat(257)] {
            assert!(bad.parse::<Audience>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let token = MintedToken { token: "eyJ.secret.sig".to_owned(), expires_at: T0, kid: "k".to_owned() };
        assert!(!format!("{token:?}").contains("eyJ"));
    }
}
