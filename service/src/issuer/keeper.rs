//! What every replica runs beside serving: it follows the keyring (new signing keys, a new
//! current master key) within a second or two of a change, and, with managed keys, makes the
//! schedule's steps when they fall due. Replicas need no restart and no message from each
//! other: the database is where they agree.
use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::{IssuerState, store};
use crate::{
    error::ServiceResult,
    master_key::{self, KeyringState, MasterKey},
};

/// How often a replica reads the keyring's version: one small query a second.
pub const POLL: Duration = Duration::from_secs(1);

/// One look at the keyring, and the schedule's step if one is due. Returns the keyring as read.
pub async fn tick(
    db: &DatabaseConnection,
    issuer: &IssuerState,
    ring: &MasterKey,
    now: DateTime<Utc>,
) -> ServiceResult<KeyringState> {
    if issuer.due(now) {
        store::step(db, ring, &issuer.policy, now).await?;
    }
    let keyring = master_key::keyring(db, ring).await?;
    if keyring.master_key_id != ring.id() && ring.follow(&keyring.master_key_id) {
        tracing::info!(master_key = %keyring.master_key_id, "master key {} now seals new secrets", keyring.master_key_id);
    }
    if issuer.refresh(db, ring, &keyring).await?
        && let Ok(ready) = issuer.ready()
    {
        tracing::info!(
            kid = ready.minter.kid(),
            version = keyring.version,
            "serving the signing keys of keyring version {}",
            keyring.version
        );
    }
    Ok(keyring)
}

/// Ticks every [`POLL`] for as long as the process serves. Failures (the database away) are
/// logged once when they start and once when they end; the keys served meanwhile stay as they were.
pub async fn keep(db: DatabaseConnection, issuer: Arc<IssuerState>, ring: MasterKey) {
    let mut every = tokio::time::interval(POLL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    let mut lacking: Option<String> = None;
    loop {
        every.tick().await;
        let result = tick(&db, &issuer, &ring, Utc::now()).await;
        match (&result, failing) {
            (Err(error), false) => {
                tracing::warn!(error = %error, "cannot follow the keyring; serving the keys read before until it answers");
                failing = true;
            }
            (Ok(_), true) => {
                tracing::info!("following the keyring again");
                failing = false;
            }
            _ => {}
        }
        // A replica without the database's current master key cannot seal new secrets: say so
        // once per key, loudly, since only the operator can fix it.
        if let Ok(keyring) = result {
            let missing = (!ring.holds(&keyring.master_key_id)).then_some(keyring.master_key_id);
            if let Some(id) = missing.as_deref().filter(|_| missing != lacking) {
                tracing::error!(
                    master_key = id,
                    "the database seals new secrets under master key {id}, which this Wisp's WISP_MASTER_KEY lacks: saving secrets fails here until it is added and this Wisp restarted"
                );
            }
            lacking = missing;
        }
    }
}
