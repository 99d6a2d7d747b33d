//! Managed signing keys in the database: generated, sealed under the master key and bound to
//! their row, and moved through their states by one transaction at a time on every replica.
//!
//! Every change locks the keyring row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's write lock
//! does the same), re-reads the keys and plans again, so two replicas racing for the same step
//! make it once; the partial unique indexes (one active, one next) hold whatever happens. Every
//! change bumps the keyring's version, which replicas poll to follow.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;
use vocabulary::token::{KeyState, SigningAlgorithm};

use super::{
    keys::{self, PublicJwk, SigningKey},
    rotation::{self, Action, KeyDates, Policy},
};
use crate::{
    db::{begin_write, text::Text},
    entity::{keyring, signing_key},
    error::{ServiceError, ServiceResult},
    master_key::{self, MasterKey, Sealed},
};

/// Where a key's private half is stored: a sealed key copied to another row does not open.
pub(crate) fn seal_context(id: Uuid) -> Vec<u8> {
    format!("signing_key:{id}:private_key").into_bytes()
}

/// One change made to the keys, as logs and the command line tell it (never key material).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub kid: String,
    pub alg: SigningAlgorithm,
    pub what: ChangeKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Published as the next key; takes over at the time given, if one is set.
    Published { takes_over_at: Option<DateTime<Utc>> },
    /// Signs from now on.
    Activated,
    /// Stopped signing; stays published until the time given.
    Retired { published_until: DateTime<Utc> },
    /// Unpublished, its private half erased: its last token has expired.
    Removed,
    /// Unpublished at once by an operator, its private half erased.
    Revoked,
    /// An operator asked the next key to take over as soon as it may.
    Scheduled { takes_over_at: DateTime<Utc> },
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kid, alg) = (&self.kid, self.alg);
        match &self.what {
            ChangeKind::Published { takes_over_at: Some(at) } => {
                write!(f, "published {alg} key {kid} as the next key; it takes over at {}", crate::time::rfc3339(*at))
            }
            ChangeKind::Published { takes_over_at: None } => {
                write!(f, "published {alg} key {kid} as the next key; it takes over when a rotation is asked for")
            }
            ChangeKind::Activated => write!(f, "{alg} key {kid} signs from now on"),
            ChangeKind::Retired { published_until } => write!(
                f,
                "{alg} key {kid} retired: it signs nothing more and stays published until {}",
                crate::time::rfc3339(*published_until)
            ),
            ChangeKind::Removed => write!(f, "{alg} key {kid} removed: its last token has expired"),
            ChangeKind::Revoked => write!(f, "{alg} key {kid} revoked: unpublished, it never signs again"),
            ChangeKind::Scheduled { takes_over_at } => {
                write!(f, "next key {kid} takes over at {}", crate::time::rfc3339(*takes_over_at))
            }
        }
    }
}

fn log(changes: &[Change]) {
    for change in changes {
        tracing::info!(kid = %change.kid, alg = %change.alg, "signing key: {change}");
    }
}

impl From<&signing_key::Model> for KeyDates {
    fn from(row: &signing_key::Model) -> Self {
        Self {
            kid: row.kid.clone(),
            alg: row.alg.0,
            state: row.state.0,
            published_at: row.published_at,
            activate_at: row.activate_at,
            activated_at: row.activated_at,
            remove_after: row.remove_after,
        }
    }
}

/// Every key ever stored, newest first.
pub async fn list(db: &impl ConnectionTrait) -> ServiceResult<Vec<signing_key::Model>> {
    Ok(signing_key::Entity::find().order_by_desc(signing_key::Column::PublishedAt).all(db).await?)
}

/// The published keys, the active one first, then next and retired ones, newest first.
pub async fn published(db: &impl ConnectionTrait) -> ServiceResult<Vec<signing_key::Model>> {
    let mut rows = signing_key::Entity::find()
        .filter(signing_key::Column::State.is_in(KeyState::ALL.iter().filter(|s| s.is_published()).map(|s| s.as_str())))
        .order_by_desc(signing_key::Column::PublishedAt)
        .all(db)
        .await?;
    rows.sort_by_key(|row| row.state.0 != KeyState::Active);
    Ok(rows)
}

/// The public half a row publishes.
pub fn public_jwk(row: &signing_key::Model) -> ServiceResult<PublicJwk> {
    PublicJwk::from_json(&row.public_jwk).ok_or_else(|| {
        ServiceError::Internal(format!("the stored public half of signing key {} cannot be read", row.kid))
    })
}

/// The private half of a published row, opened under the master key ring.
pub fn signing_key(ring: &MasterKey, row: &signing_key::Model) -> ServiceResult<SigningKey> {
    let sealed = Sealed::stored(&row.sealed_private_key, &row.master_key_id)
        .ok_or_else(|| ServiceError::Internal(format!("signing key {} has no private half left", row.kid)))?;
    let pem = ring.open_text(&sealed, &seal_context(row.id))?;
    let key =
        keys::parse_signing_key(&pem, "a stored signing key").map_err(|e| ServiceError::Internal(e.to_string()))?;
    if key.jwk.kid != row.kid {
        return Err(ServiceError::Internal(format!("signing key {} opened as another key", row.kid)));
    }
    Ok(key)
}

/// A freshly generated key, ready to store.
pub struct Fresh {
    pem: String,
    jwk: PublicJwk,
}

impl Fresh {
    /// Generating an RSA key takes a moment: it is done before any lock is taken.
    pub fn generate(alg: SigningAlgorithm) -> Self {
        Self::of(keys::generate(alg)).expect("a generated key parses")
    }

    fn of(pem: String) -> ServiceResult<Self> {
        let key = keys::parse_signing_key(&pem, "the key")
            .map_err(|e| ServiceError::Configuration { variable: "the imported key", message: e.reason })?;
        Ok(Self { pem, jwk: key.jwk })
    }

    pub fn kid(&self) -> &str {
        &self.jwk.kid
    }
}

/// Inserts `fresh` in `state` (next or active), sealed under the ring's current key.
async fn insert(
    txn: &impl ConnectionTrait,
    ring: &MasterKey,
    fresh: &Fresh,
    state: KeyState,
    origin: &str,
    now: DateTime<Utc>,
    activate_at: Option<DateTime<Utc>>,
) -> ServiceResult<()> {
    let id = Uuid::new_v4();
    let sealed = ring.seal(fresh.pem.as_bytes(), &seal_context(id))?;
    signing_key::ActiveModel {
        id: Set(id),
        kid: Set(fresh.jwk.kid.clone()),
        alg: Set(Text(fresh.jwk.alg)),
        state: Set(Text(state)),
        origin: Set(origin.to_owned()),
        public_jwk: Set(serde_json::to_string(&fresh.jwk).expect("a JWK serializes")),
        sealed_private_key: Set(Some(sealed.bytes)),
        master_key_id: Set(Some(sealed.key_id)),
        published_at: Set(now),
        activate_at: Set(activate_at),
        activated_at: Set((state == KeyState::Active).then_some(now)),
        retired_at: Set(None),
        remove_after: Set(None),
        removed_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(())
}

async fn set_state(
    txn: &impl ConnectionTrait,
    row: &signing_key::Model,
    change: impl FnOnce(&mut signing_key::ActiveModel),
) -> ServiceResult<()> {
    let mut active: signing_key::ActiveModel = row.clone().into();
    change(&mut active);
    active.update(txn).await?;
    Ok(())
}

/// Unpublishes `row` and erases its private half.
async fn erase(
    txn: &impl ConnectionTrait,
    row: &signing_key::Model,
    state: KeyState,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    set_state(txn, row, |k| {
        k.state = Set(Text(state));
        k.sealed_private_key = Set(None);
        k.master_key_id = Set(None);
        k.removed_at = Set(Some(now));
        k.activate_at = Set(None);
    })
    .await
}

/// A write transaction holding the keyring's lock, with the keys as they are now.
struct Locked {
    txn: sea_orm::DatabaseTransaction,
    rows: Vec<signing_key::Model>,
}

async fn lock(db: &DatabaseConnection, ring: &MasterKey) -> ServiceResult<Locked> {
    master_key::keyring(db, ring).await?;
    let txn = begin_write(db).await?;
    keyring::Entity::find_by_id(1).lock_exclusive().one(&txn).await?;
    let rows = published(&txn).await?;
    Ok(Locked { txn, rows })
}

impl Locked {
    fn find(&self, state: KeyState) -> Option<&signing_key::Model> {
        self.rows.iter().find(|row| row.state.0 == state)
    }

    fn dates(&self) -> Vec<KeyDates> {
        self.rows.iter().map(KeyDates::from).collect()
    }

    /// Makes `actions`, with `fresh` keys for the ones that generate (more are made if needed),
    /// then reads the keys as they now are.
    async fn apply(
        &mut self,
        ring: &MasterKey,
        policy: &Policy,
        actions: &[Action],
        fresh: &mut Vec<Fresh>,
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<Change>> {
        let mut changes = Vec::new();
        let take = |fresh: &mut Vec<Fresh>| fresh.pop().unwrap_or_else(|| Fresh::generate(policy.algorithm));
        for action in actions {
            match action {
                Action::Remove(kid) | Action::Retire(kid) | Action::Activate(kid) => {
                    let row = self.rows.iter().find(|r| &r.kid == kid).cloned().ok_or_else(|| {
                        ServiceError::Internal(format!("signing key {kid} vanished while it was being changed"))
                    })?;
                    let alg = row.alg.0;
                    let what = match action {
                        Action::Remove(_) => {
                            erase(&self.txn, &row, KeyState::Removed, now).await?;
                            ChangeKind::Removed
                        }
                        Action::Retire(_) => {
                            let until = now + to_chrono(policy.retention());
                            set_state(&self.txn, &row, |k| {
                                k.state = Set(Text(KeyState::Retired));
                                k.retired_at = Set(Some(now));
                                k.remove_after = Set(Some(until));
                            })
                            .await?;
                            ChangeKind::Retired { published_until: until }
                        }
                        _ => {
                            set_state(&self.txn, &row, |k| {
                                k.state = Set(Text(KeyState::Active));
                                k.activated_at = Set(Some(now));
                                k.activate_at = Set(None);
                            })
                            .await?;
                            ChangeKind::Activated
                        }
                    };
                    changes.push(Change { kid: kid.clone(), alg, what });
                }
                Action::GenerateActive => {
                    let key = take(fresh);
                    insert(&self.txn, ring, &key, KeyState::Active, "generated", now, None).await?;
                    changes.push(Change { kid: key.jwk.kid.clone(), alg: key.jwk.alg, what: ChangeKind::Activated });
                }
                Action::GenerateNext => {
                    let key = take(fresh);
                    insert(&self.txn, ring, &key, KeyState::Next, "generated", now, None).await?;
                    changes.push(Change {
                        kid: key.jwk.kid.clone(),
                        alg: key.jwk.alg,
                        what: ChangeKind::Published { takes_over_at: None },
                    });
                }
            }
        }
        self.reread().await?;
        Ok(changes)
    }

    async fn reread(&mut self) -> ServiceResult<()> {
        self.rows = published(&self.txn).await?;
        Ok(())
    }

    /// Bumps the version (when anything changed), commits, and tells the log, saying when a newly
    /// published key takes over now that the schedule can tell.
    async fn commit(self, policy: &Policy, mut changes: Vec<Change>) -> ServiceResult<Vec<Change>> {
        let dates = self.dates();
        let active = dates.iter().find(|k| k.state == KeyState::Active);
        for change in &mut changes {
            if let (ChangeKind::Published { takes_over_at }, Some(next)) =
                (&mut change.what, dates.iter().find(|k| k.kid == change.kid))
            {
                *takes_over_at = rotation::takeover_at(active, next, policy);
            }
        }
        if !changes.is_empty() {
            master_key::bump(&self.txn, None).await?;
        }
        self.txn.commit().await?;
        log(&changes);
        Ok(changes)
    }
}

fn to_chrono(duration: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

/// Makes the schedule's steps that are due at `now`, once, however many replicas call it at once.
pub async fn step(
    db: &DatabaseConnection,
    ring: &MasterKey,
    policy: &Policy,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Change>> {
    // A look without the lock first: most calls find nothing to do, and keys are generated
    // before the lock is taken.
    let rows = published(db).await?;
    let planned = rotation::plan(&rows.iter().map(KeyDates::from).collect::<Vec<_>>(), policy, now);
    if planned.is_empty() {
        return Ok(Vec::new());
    }
    let generates = planned.iter().filter(|a| matches!(a, Action::GenerateActive | Action::GenerateNext)).count();
    let mut fresh: Vec<Fresh> = (0..generates).map(|_| Fresh::generate(policy.algorithm)).collect();
    let mut locked = lock(db, ring).await?;
    let actions = rotation::plan(&locked.dates(), policy, now);
    let changes = locked.apply(ring, policy, &actions, &mut fresh, now).await?;
    locked.commit(policy, changes).await
}

/// What `wisp keys rotate` did.
#[derive(Debug)]
pub enum Rotated {
    /// The next key was published long enough: it signs now.
    Now(Vec<Change>),
    /// The next key (new or young) takes over at a time: the swap is scheduled.
    Later(Vec<Change>),
}

/// An operator's rotation: the next key takes over now if it has been published for the lead,
/// else as soon as it has (a next key is published first if there is none).
pub async fn rotate(
    db: &DatabaseConnection,
    ring: &MasterKey,
    policy: &Policy,
    now: DateTime<Utc>,
) -> ServiceResult<Rotated> {
    let mut fresh = vec![Fresh::generate(policy.algorithm)];
    let mut locked = lock(db, ring).await?;
    let mut changes = Vec::new();
    if locked.find(KeyState::Next).is_none() {
        changes.extend(locked.apply(ring, policy, &[Action::GenerateNext], &mut fresh, now).await?);
    }
    let next = locked.find(KeyState::Next).cloned().expect("a next key was just ensured");
    let ready = next.published_at + to_chrono(policy.lead());
    if locked.find(KeyState::Active).is_none() || ready <= now {
        let mut actions: Vec<Action> =
            locked.find(KeyState::Active).map(|a| Action::Retire(a.kid.clone())).into_iter().collect();
        actions.extend([Action::Activate(next.kid.clone()), Action::GenerateNext]);
        changes.extend(locked.apply(ring, policy, &actions, &mut fresh, now).await?);
        return Ok(Rotated::Now(locked.commit(policy, changes).await?));
    }
    set_state(&locked.txn, &next, |k| k.activate_at = Set(Some(ready))).await?;
    locked.reread().await?;
    if changes.is_empty() {
        changes.push(Change {
            kid: next.kid.clone(),
            alg: next.alg.0,
            what: ChangeKind::Scheduled { takes_over_at: ready },
        });
    }
    Ok(Rotated::Later(locked.commit(policy, changes).await?))
}

/// An emergency: `kid` is unpublished at once and never signs again. When it was the active key,
/// the next key (which relying parties already hold) takes over, and a new next key is published.
pub async fn revoke(
    db: &DatabaseConnection,
    ring: &MasterKey,
    policy: &Policy,
    kid: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Change>> {
    let mut fresh = vec![Fresh::generate(policy.algorithm)];
    let mut locked = lock(db, ring).await?;
    let Some(row) = locked.rows.iter().find(|r| r.kid == kid).cloned() else {
        let known = signing_key::Entity::find().filter(signing_key::Column::Kid.eq(kid)).one(&locked.txn).await?;
        return match known {
            Some(row) => Err(ServiceError::invalid(
                "kid",
                format!("signing key {kid} is already {}: it is not published and signs nothing", row.state.0),
            )),
            None => Err(ServiceError::NotFound { what: "A signing key with that kid" }),
        };
    };
    erase(&locked.txn, &row, KeyState::Revoked, now).await?;
    let mut changes = vec![Change { kid: row.kid.clone(), alg: row.alg.0, what: ChangeKind::Revoked }];
    locked.rows.retain(|r| r.kid != kid);
    // Only what the revoke left missing: a signing key, and a next one behind it.
    let actions = match (locked.find(KeyState::Active), locked.find(KeyState::Next)) {
        (None, Some(next)) => vec![Action::Activate(next.kid.clone()), Action::GenerateNext],
        (None, None) => vec![Action::GenerateActive, Action::GenerateNext],
        (Some(_), None) => vec![Action::GenerateNext],
        (Some(_), Some(_)) => Vec::new(),
    };
    changes.extend(locked.apply(ring, policy, &actions, &mut fresh, now).await?);
    locked.commit(policy, changes).await
}

/// Moves an operator's key (a pinned `OIDC_PRIVATE_KEY`) into the database. With no active key,
/// it signs at once: pinned replicas have been publishing it. Otherwise it becomes the next key,
/// taking over once it has been published for the lead (the waiting next key, which never
/// signed, makes way).
pub async fn import(
    db: &DatabaseConnection,
    ring: &MasterKey,
    policy: &Policy,
    pem: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Change>> {
    let key = Fresh::of(pem.to_owned())?;
    let mut locked = lock(db, ring).await?;
    let known = signing_key::Entity::find().filter(signing_key::Column::Kid.eq(key.kid())).one(&locked.txn).await?;
    if let Some(row) = known {
        return Err(ServiceError::invalid(
            "key",
            match row.state.0 {
                KeyState::Removed | KeyState::Revoked => format!(
                    "key {} was {} on {}; a key never comes back. Generate a new one with `wisp keys generate`",
                    row.kid,
                    row.state.0,
                    row.removed_at.map(crate::time::rfc3339).unwrap_or_default()
                ),
                state => format!("key {} is already in the database, {state}: nothing to import", row.kid),
            },
        ));
    }
    let mut changes = Vec::new();
    if locked.find(KeyState::Active).is_none() {
        insert(&locked.txn, ring, &key, KeyState::Active, "imported", now, None).await?;
        changes.push(Change { kid: key.jwk.kid.clone(), alg: key.jwk.alg, what: ChangeKind::Activated });
    } else {
        if let Some(next) = locked.find(KeyState::Next).cloned() {
            erase(&locked.txn, &next, KeyState::Removed, now).await?;
            changes.push(Change { kid: next.kid.clone(), alg: next.alg.0, what: ChangeKind::Removed });
        }
        let at = now + to_chrono(policy.lead());
        insert(&locked.txn, ring, &key, KeyState::Next, "imported", now, Some(at)).await?;
        changes.push(Change {
            kid: key.jwk.kid.clone(),
            alg: key.jwk.alg,
            what: ChangeKind::Published { takes_over_at: Some(at) },
        });
    }
    locked.reread().await?;
    locked.commit(policy, changes).await
}
