//! Credentials kept until shortly before they expire, so calls do not sign in again every time:
//! AWS STS sessions and Vault tokens alike. Concurrent callers asking for a missing entry share
//! one sign-in.
use std::{
    future::Future,
    hash::Hash,
    sync::Arc,
    time::{Duration, Instant},
};

use moka::{Expiry, future::Cache};

use crate::guidance::Diagnosis;

const MAX_ENTRIES: u64 = 10_000;

/// A credential that says how long it may still be handed out: zero once it is too close to its
/// end for a call to start with it.
pub trait Lasting: Clone + Send + Sync + 'static {
    fn usable_for(&self) -> Duration;
}

struct UntilNearExpiry;

impl<K, V: Lasting> Expiry<K, V> for UntilNearExpiry {
    fn expire_after_create(&self, _key: &K, value: &V, _created_at: Instant) -> Option<Duration> {
        Some(value.usable_for())
    }
}

pub struct Expiring<K, V> {
    cache: Cache<K, V>,
}

impl<K, V> Clone for Expiring<K, V> {
    fn clone(&self) -> Self {
        Self { cache: self.cache.clone() }
    }
}

impl<K: Hash + Eq + Send + Sync + 'static, V: Lasting> Default for Expiring<K, V> {
    fn default() -> Self {
        Self { cache: Cache::builder().max_capacity(MAX_ENTRIES).expire_after(UntilNearExpiry).build() }
    }
}

impl<K, V> std::fmt::Debug for Expiring<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expiring").field("entries", &self.cache.entry_count()).finish()
    }
}

impl<K: Hash + Eq + Send + Sync + 'static, V: Lasting> Expiring<K, V> {
    /// The entry for `key`: the kept one, or the one `obtain` gets (once, however many ask).
    pub async fn get_or_obtain(
        &self,
        key: K,
        obtain: impl Future<Output = Result<V, Diagnosis>>,
    ) -> Result<V, Arc<Diagnosis>> {
        self.cache.try_get_with(key, obtain).await
    }

    /// Keeps what another path obtained (Test Connection), if it lasts long enough.
    pub async fn remember(&self, key: K, value: &V) {
        if !value.usable_for().is_zero() {
            self.cache.insert(key, value.clone()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[derive(Clone)]
    struct Pass(Duration);

    impl Lasting for Pass {
        fn usable_for(&self) -> Duration {
            self.0
        }
    }

    #[tokio::test]
    async fn one_sign_in_for_many_askers_and_nothing_kept_past_its_use() {
        let kept: Expiring<&str, Pass> = Expiring::default();
        let calls = AtomicU32::new(0);
        let obtain = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(Pass(Duration::from_secs(3600)))
        };
        let askers = (0..10).map(|_| kept.get_or_obtain("org", obtain()));
        for got in futures::future::join_all(askers).await {
            assert!(got.is_ok());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        kept.remember("spent", &Pass(Duration::ZERO)).await;
        let fresh = kept.get_or_obtain("spent", obtain()).await;
        assert!(fresh.is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 2, "an entry with no use left is not kept");
    }
}
