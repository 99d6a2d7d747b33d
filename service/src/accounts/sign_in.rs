//! Sign-in under attack. Password checks are costly (argon2id, ~20 MB and tens of milliseconds
//! each), so at most one runs per core; a bounded queue waits behind them and anything beyond it
//! is told to come back (`Busy`). Failures are counted per e-mail and per client address in the
//! database, so every replica sees one count: each failure is answered a little later than the
//! last, and past a threshold the e-mail or address is refused for a while, longer each time.
//! Every failure is logged (e-mail, address, reason; never the password) and a locked account is
//! audited in its organizations.
use std::{
    net::IpAddr,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::json;
use tokio::sync::Semaphore;
use vocabulary::audit::{Actor, AuditAction, AuditTarget};

use super::{User, authenticate, organizations_of};
use crate::{
    audit::{self, Change},
    db::begin_write,
    entity::{sign_in_throttle as throttle, user},
    error::{ServiceError, ServiceResult},
    password::Password,
};

/// Failures are counted over this long from the first one.
const WINDOW_SECONDS: i64 = 15 * 60;
/// An e-mail is refused after this many failures in a window…
const EMAIL_THRESHOLD: i32 = 5;
/// …an address after this many (a shared address carries many people's typos).
const CLIENT_THRESHOLD: i32 = 20;
/// The first refusal lasts this long; each further failure doubles it, up to the cap.
const FIRST_LOCK_SECONDS: i64 = 60;
const MAX_LOCK_SECONDS: i64 = 60 * 60;
/// Each failure is answered this much later than the previous one, up to the cap.
const DELAY_STEP: Duration = Duration::from_millis(250);
const MAX_DELAY: Duration = Duration::from_secs(2);

pub struct SignInGuard {
    checks: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl SignInGuard {
    /// One password check per core, and a queue of eight per core behind them.
    pub fn sized_to_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores, cores * 8)
    }

    pub fn new(concurrent_checks: usize, max_waiting: usize) -> Self {
        Self { checks: Semaphore::new(concurrent_checks.max(1)), waiting: AtomicUsize::new(0), max_waiting }
    }

    /// Checks `email` and `password` from `client` (when its address is known).
    pub async fn sign_in(
        &self,
        db: &DatabaseConnection,
        email: &str,
        password: &Password,
        client: Option<IpAddr>,
    ) -> ServiceResult<User> {
        let email_key = format!("email:{}", email.trim().to_lowercase());
        let client_key = client.map(|ip| format!("client:{ip}"));
        let keys: Vec<&str> = std::iter::once(email_key.as_str()).chain(client_key.as_deref()).collect();
        let now = Utc::now();
        if let Some(until) = locked_until(db, &keys, now).await? {
            tracing::warn!(email, client = ?client, reason = "locked", "sign-in refused");
            crate::metrics::sign_in_failure("locked");
            return Err(ServiceError::TooManySignIns { retry_after_secs: seconds_until(until, now) });
        }

        let outcome = {
            let _permit = self.permit(email, client).await?;
            authenticate(db, email, password).await
        };
        match outcome {
            Ok(user) => {
                throttle::Entity::delete_by_id(email_key).exec(db).await?;
                Ok(user)
            }
            Err(ServiceError::InvalidCredentials) => {
                let known =
                    user::Entity::find().filter(user::Column::Email.eq(email.trim().to_lowercase())).one(db).await?;
                let reason = if known.is_some() { "wrong password" } else { "unknown e-mail" };
                tracing::warn!(email, client = ?client, reason, "sign-in failed");
                crate::metrics::sign_in_failure("bad_credentials");
                let failures = record_failure(db, &email_key, client_key.as_deref(), client, known).await?;
                let delay = DELAY_STEP * u32::try_from(failures).unwrap_or(u32::MAX);
                tokio::time::sleep(delay.min(MAX_DELAY)).await;
                Err(ServiceError::InvalidCredentials)
            }
            Err(other) => Err(other),
        }
    }

    async fn permit(&self, email: &str, client: Option<IpAddr>) -> ServiceResult<tokio::sync::SemaphorePermit<'_>> {
        if let Ok(permit) = self.checks.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            tracing::warn!(email, client = ?client, reason = "busy", "sign-in refused");
            crate::metrics::sign_in_failure("busy");
            return Err(ServiceError::Busy { retry_after_secs: 1 });
        }
        let permit = self.checks.acquire().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        permit.map_err(|_| ServiceError::Internal("the sign-in queue was closed".to_owned()))
    }
}

fn seconds_until(until: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    u64::try_from((until - now).num_seconds()).unwrap_or(0).max(1)
}

async fn locked_until(
    db: &impl ConnectionTrait,
    keys: &[&str],
    now: DateTime<Utc>,
) -> ServiceResult<Option<DateTime<Utc>>> {
    let rows = throttle::Entity::find().filter(throttle::Column::Key.is_in(keys.iter().copied())).all(db).await?;
    Ok(rows.into_iter().filter_map(|row| row.locked_until).filter(|until| *until > now).max())
}

/// Counts a failure against the e-mail (and the client's address); returns the e-mail's count.
async fn record_failure(
    db: &DatabaseConnection,
    email_key: &str,
    client_key: Option<&str>,
    client: Option<IpAddr>,
    known: Option<user::Model>,
) -> ServiceResult<i32> {
    let txn = begin_write(db).await?;
    let now = Utc::now();
    let (failures, newly_locked) = count(&txn, email_key, EMAIL_THRESHOLD, now).await?;
    if let Some(key) = client_key {
        count(&txn, key, CLIENT_THRESHOLD, now).await?;
    }
    if let (Some(until), Some(user)) = (newly_locked, known) {
        tracing::warn!(email = %user.email, client = ?client, %until, "sign-in locked after repeated failures");
        for (org, _) in organizations_of(&txn, user.id.into()).await? {
            let change = Change {
                org_id: Some(org.id),
                actor: Actor::Wisp,
                action: AuditAction::SignInLocked,
                target: AuditTarget::User(user.id.into()),
                details: json!({
                    "email": user.email,
                    "client": client.map(|ip| ip.to_string()),
                    "failures": failures,
                    "locked_until": until.to_rfc3339(),
                }),
            };
            audit::record(&txn, change).await?;
        }
    }
    txn.commit().await?;
    Ok(failures)
}

/// One more failure for `key`; returns the count and, when it locks the key, until when.
async fn count(
    txn: &impl ConnectionTrait,
    key: &str,
    threshold: i32,
    now: DateTime<Utc>,
) -> ServiceResult<(i32, Option<DateTime<Utc>>)> {
    let fresh = throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(0),
        window_start: Set(now),
        locked_until: Set(None),
    };
    throttle::Entity::insert(fresh).on_conflict_do_nothing().exec(txn).await?;
    let row = throttle::Entity::find_by_id(key.to_owned())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| ServiceError::Internal("a sign-in throttle row vanished".to_owned()))?;
    let previous_lock = row.locked_until.filter(|until| *until > now);
    let still_locked = previous_lock.is_some();
    let (failures, window_start) = if (now - row.window_start).num_seconds() > WINDOW_SECONDS && !still_locked {
        (1, now)
    } else {
        (row.failures + 1, row.window_start)
    };
    let locked_until = (failures >= threshold).then(|| {
        let doublings = u32::try_from(failures - threshold).unwrap_or(u32::MAX).min(16);
        now + chrono::Duration::seconds((FIRST_LOCK_SECONDS << doublings).min(MAX_LOCK_SECONDS))
    });
    let mut active: throttle::ActiveModel = row.into();
    active.failures = Set(failures);
    active.window_start = Set(window_start);
    active.locked_until = Set(locked_until.or(previous_lock));
    active.update(txn).await?;
    // Failures are refused unchecked while locked, so every lock set here is a new one.
    Ok((failures, locked_until))
}
