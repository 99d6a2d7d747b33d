//! Temporary AWS credentials from STS, kept until five minutes before they expire, so the
//! Secret Name autocomplete and kickoffs do not trade a token at every call. Concurrent callers
//! asking for a missing session share one STS call. Test Connection stores what it obtains too.
use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant, SystemTime},
};

use moka::{Expiry, future::Cache};
use vocabulary::{aws::Region, ids::OrgId};

use crate::aws::{guidance::Diagnosis, sdk::AwsCredentials};

/// A session is not handed out closer than this to its end: a call must not start with
/// credentials that expire on the way.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);
const MAX_SESSIONS: u64 = 10_000;

/// What a session was obtained for: the same key gives the same permissions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SessionKey {
    /// The organization's token traded for a role (`AssumeRoleWithWebIdentity`).
    WebIdentity { org: OrgId, role_arn: String, region: Region },
    /// A stored access key assuming a role (`AssumeRole`); the key id names one key pair.
    AssumedRole { access_key_id: String, role_arn: String, external_id: Option<String>, region: Region },
}

struct UntilNearExpiry;

impl Expiry<SessionKey, AwsCredentials> for UntilNearExpiry {
    fn expire_after_create(&self, _key: &SessionKey, value: &AwsCredentials, _created_at: Instant) -> Option<Duration> {
        Some(usable_for(value))
    }
}

/// How long `credentials` may still be handed out; zero for ones too close to their end.
fn usable_for(credentials: &AwsCredentials) -> Duration {
    credentials.expires_at.map_or(Duration::ZERO, |end| {
        end.duration_since(SystemTime::now()).unwrap_or_default().saturating_sub(REFRESH_BEFORE_EXPIRY)
    })
}

#[derive(Clone)]
pub struct Sessions {
    cache: Cache<SessionKey, AwsCredentials>,
}

impl Default for Sessions {
    fn default() -> Self {
        Self { cache: Cache::builder().max_capacity(MAX_SESSIONS).expire_after(UntilNearExpiry).build() }
    }
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions").field("entries", &self.cache.entry_count()).finish()
    }
}

impl Sessions {
    /// The session for `key`: the kept one, or the one `obtain` gets (once, however many ask).
    pub async fn get_or_obtain(
        &self,
        key: SessionKey,
        obtain: impl Future<Output = Result<AwsCredentials, Diagnosis>>,
    ) -> Result<AwsCredentials, Arc<Diagnosis>> {
        self.cache.try_get_with(key, obtain).await
    }

    /// Keeps a session another path obtained (Test Connection), if it lasts long enough.
    pub async fn remember(&self, key: SessionKey, credentials: &AwsCredentials) {
        if !usable_for(credentials).is_zero() {
            self.cache.insert(key, credentials.clone()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(lasting: Duration) -> AwsCredentials {
        AwsCredentials {
            access_key_id: "ASIAEXAMPLE".to_owned(),
            secret_access_key: "secret".to_owned(),
            session_token: Some("token".to_owned()),
            expires_at: Some(SystemTime::now() + lasting),
        }
    }

    #[tokio::test]
    async fn one_call_for_many_askers_and_nothing_kept_near_its_end() {
        let sessions = Sessions::default();
        let key = SessionKey::WebIdentity {
            org: OrgId::new(),
            role_arn: "arn:aws:iam::123456789012:role/r".to_owned(),
            region: Region::DEFAULT,
        };
        let calls = std::sync::atomic::AtomicU32::new(0);
        let obtain = || async {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(session(Duration::from_secs(3600)))
        };
        let askers = (0..10).map(|_| sessions.get_or_obtain(key.clone(), obtain()));
        for got in futures::future::join_all(askers).await {
            assert_eq!(got.unwrap().access_key_id, "ASIAEXAMPLE");
        }
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);

        assert!(usable_for(&session(Duration::from_secs(240))).is_zero());
        assert!(usable_for(&session(Duration::from_secs(900))) > Duration::from_secs(590));
    }
}
