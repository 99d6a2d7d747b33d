//! The master keys that encrypt secrets at rest (AES-256-GCM): a ring of one or more keys.
//! A value opens under whichever key of the ring sealed it; new values are sealed under the key
//! the database names as current, which `rotate` switches online while replicas keep serving.
use std::{
    fmt,
    path::Path,
    sync::{Arc, RwLock},
    time::Duration,
};

use aes_gcm::{
    Aes256Gcm, Key, KeyInit, Nonce,
    aead::{Aead, AeadCore, OsRng, Payload},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, EntityTrait, Set,
    sea_query::{Alias, Expr, ExprTrait as _, OnConflict, Query},
};

use crate::{
    db::begin_write,
    entity::keyring,
    error::{ServiceError, ServiceResult},
    files::{create_private_dir, write_private},
};

const NONCE_LEN: usize = 12;

/// One 32-byte key of the ring.
#[derive(Clone)]
struct RingKey {
    id: String,
    key: Key<Aes256Gcm>,
}

impl RingKey {
    fn new(key: Key<Aes256Gcm>) -> Self {
        use sha2::{Digest, Sha256};
        // 16 hex digits of SHA-256 over a label and the key: names it without revealing it.
        let digest = Sha256::new().chain_update(b"wisp master key id\0").chain_update(key).finalize();
        Self { id: hex::encode(&digest[..8]), key }
    }

    fn parse(text: &str) -> ServiceResult<Self> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| ServiceError::Configuration {
            variable: "WISP_MASTER_KEY",
            message:
                "WISP_MASTER_KEY holds a key that is not valid base64. Generate one with `openssl rand -base64 32`."
                    .to_owned(),
        })?;
        if bytes.len() != 32 {
            return Err(ServiceError::Configuration {
                variable: "WISP_MASTER_KEY",
                message: format!(
                    "WISP_MASTER_KEY holds a key of {} bytes; each must be 32. Generate one with `openssl rand -base64 32`.",
                    bytes.len()
                ),
            });
        }
        Ok(Self::new(*Key::<Aes256Gcm>::from_slice(&bytes)))
    }

    fn encrypt(&self, plaintext: &[u8], context: &[u8]) -> ServiceResult<Vec<u8>> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = Aes256Gcm::new(&self.key)
            .encrypt(&nonce, Payload { msg: plaintext, aad: context })
            .map_err(|_| ServiceError::Internal("encryption failed".to_owned()))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    fn decrypt(&self, sealed: &[u8], context: &[u8]) -> ServiceResult<Vec<u8>> {
        let undecryptable = || {
            ServiceError::Internal(format!(
                "a stored secret cannot be decrypted under master key {}: it was altered or copied from another row",
                self.id
            ))
        };
        if sealed.len() < NONCE_LEN {
            return Err(undecryptable());
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        Aes256Gcm::new(&self.key)
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: context })
            .map_err(|_| undecryptable())
    }
}

/// The ring of master keys this process holds, and which of them seals new values. Clones share
/// the ring, so a switch of the current key reaches every holder at once.
#[derive(Clone)]
pub struct MasterKey(Arc<Ring>);

struct Ring {
    keys: Vec<RingKey>,
    /// The id of the key new values are sealed under: the database's choice, which this process
    /// may lack (then sealing is refused, naming the key).
    current: RwLock<String>,
}

impl MasterKey {
    fn of(keys: Vec<RingKey>) -> Self {
        let current = RwLock::new(keys[0].id.clone());
        Self(Arc::new(Ring { keys, current }))
    }

    /// A ring of one new random key.
    pub fn generate() -> Self {
        Self::of(vec![RingKey::new(Aes256Gcm::generate_key(OsRng))])
    }

    /// Parses `WISP_MASTER_KEY`: one or more base64 keys of 32 bytes, separated by commas. The
    /// first seals new values until the database names another.
    pub fn from_base64(text: &str) -> ServiceResult<Self> {
        let mut keys: Vec<RingKey> = Vec::new();
        for part in text.split(',').map(str::trim).filter(|part| !part.is_empty()) {
            let key = RingKey::parse(part)?;
            if !keys.iter().any(|known| known.id == key.id) {
                keys.push(key);
            }
        }
        if keys.is_empty() {
            return Err(ServiceError::Configuration {
                variable: "WISP_MASTER_KEY",
                message: "WISP_MASTER_KEY holds no key. Generate one with `openssl rand -base64 32`.".to_owned(),
            });
        }
        Ok(Self::of(keys))
    }

    /// This ring with `other`'s keys added after its own; `other`'s first key is current.
    pub fn with(&self, other: &MasterKey) -> Self {
        let mut keys = self.0.keys.clone();
        for key in &other.0.keys {
            if !keys.iter().any(|known| known.id == key.id) {
                keys.push(key.clone());
            }
        }
        let ring = Self::of(keys);
        ring.make_current(&other.0.keys[0].id).expect("the key was just added");
        ring
    }

    /// The ring as `WISP_MASTER_KEY` spells it.
    pub fn to_base64(&self) -> String {
        self.0.keys.iter().map(|key| STANDARD.encode(key.key)).collect::<Vec<_>>().join(",")
    }

    /// The id of the key new values are sealed under.
    pub fn id(&self) -> String {
        self.0.current.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The ids of every key this process holds, in the order given.
    pub fn ids(&self) -> Vec<String> {
        self.0.keys.iter().map(|key| key.id.clone()).collect()
    }

    pub fn holds(&self, id: &str) -> bool {
        self.0.keys.iter().any(|key| key.id == id)
    }

    /// Seals new values under `id` from now on; refused when this process lacks that key.
    pub fn make_current(&self, id: &str) -> ServiceResult<()> {
        if !self.holds(id) {
            return Err(self.missing(id));
        }
        self.follow(id);
        Ok(())
    }

    /// Follows the database's choice of current key, even one this process lacks: sealing is then
    /// refused, naming the key, rather than done under a key the operator is retiring.
    /// Returns whether this process holds it.
    pub fn follow(&self, id: &str) -> bool {
        *self.0.current.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = id.to_owned();
        self.holds(id)
    }

    fn missing(&self, id: &str) -> ServiceError {
        ServiceError::Configuration {
            variable: "WISP_MASTER_KEY",
            message: format!(
                "master key {id} is needed, but WISP_MASTER_KEY holds only {}: add that key to WISP_MASTER_KEY (keys are separated by commas) and restart this Wisp",
                self.ids().join(", ")
            ),
        }
    }

    fn key(&self, id: &str) -> ServiceResult<&RingKey> {
        self.0.keys.iter().find(|key| key.id == id).ok_or_else(|| self.missing(id))
    }

    /// A key for another purpose, derived from the current key under `label` (HMAC-SHA256 as a
    /// PRF, as HKDF's expand step does), so a master key itself is only ever used to seal. A
    /// process that lacks the current key derives from its first.
    pub fn derive(&self, label: &str) -> DerivedKey {
        let key = self.key(&self.id()).unwrap_or(&self.0.keys[0]);
        DerivedKey(hmac_sha256(&key.key, &[b"wisp derived key\0", label.as_bytes()]))
    }

    /// Seals `plaintext` under the current key, bound to `context` (where it is stored).
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> ServiceResult<Sealed> {
        let key = self.key(&self.id())?;
        Ok(Sealed { key_id: key.id.clone(), bytes: key.encrypt(plaintext, context)? })
    }

    /// Opens a sealed value that is text (a key, an environment value).
    pub fn open_text(&self, sealed: &Sealed, context: &[u8]) -> ServiceResult<String> {
        String::from_utf8(self.open(sealed, context)?)
            .map_err(|_| ServiceError::Internal("a sealed value is not text".to_owned()))
    }

    /// Opens what [`MasterKey::seal`] sealed with the same context, under whichever key of the
    /// ring sealed it; a value sealed under a key this process lacks says which.
    pub fn open(&self, sealed: &Sealed, context: &[u8]) -> ServiceResult<Vec<u8>> {
        self.key(&sealed.key_id)?.decrypt(&sealed.bytes, context)
    }

    /// For development: reads the key file, or creates it (owner-only) when missing.
    /// Returns whether it was created.
    pub fn load_or_create(path: &Path) -> ServiceResult<(Self, bool)> {
        let io = |e: std::io::Error| {
            ServiceError::Internal(format!("cannot use the master key file {}: {e}", path.display()))
        };
        if path.exists() {
            return Ok((Self::from_base64(&std::fs::read_to_string(path).map_err(io)?)?, false));
        }
        if let Some(parent) = path.parent() {
            create_private_dir(parent).map_err(io)?;
        }
        let key = Self::generate();
        write_private(path, key.to_base64().as_bytes()).map_err(io)?;
        Ok((key, true))
    }
}

/// The keyring row as every replica polls it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyringState {
    pub version: i64,
    pub master_key_id: String,
}

/// Reads the keyring row, creating it on a new database with `ring`'s current key.
pub async fn keyring(db: &impl ConnectionTrait, ring: &MasterKey) -> ServiceResult<KeyringState> {
    if let Some(row) = keyring::Entity::find_by_id(1).one(db).await? {
        return Ok(KeyringState { version: row.version, master_key_id: row.master_key_id });
    }
    let first = keyring::ActiveModel {
        id: Set(1),
        version: Set(1),
        master_key_id: Set(ring.id()),
        updated_at: Set(chrono::Utc::now()),
    };
    // Two replicas starting on a new database at once: one row wins, both read it.
    keyring::Entity::insert(first)
        .on_conflict(OnConflict::column(keyring::Column::Id).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    let row = keyring::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or(ServiceError::Internal("the keyring row is missing right after it was written".to_owned()))?;
    Ok(KeyringState { version: row.version, master_key_id: row.master_key_id })
}

/// At start: seals under the key the database names, or refuses to start without it.
pub async fn adopt(db: &DatabaseConnection, ring: &MasterKey) -> ServiceResult<KeyringState> {
    let state = keyring(db, ring).await?;
    ring.make_current(&state.master_key_id).map_err(|_| ServiceError::Configuration {
        variable: "WISP_MASTER_KEY",
        message: format!(
            "the database seals new secrets under master key {}, which WISP_MASTER_KEY does not hold (it holds {}). Add that key to WISP_MASTER_KEY, separated by a comma, and start again.",
            state.master_key_id,
            ring.ids().join(", ")
        ),
    })?;
    Ok(state)
}

/// Bumps the keyring's version so every replica reloads the keys, in the caller's transaction.
pub async fn bump(txn: &impl ConnectionTrait, master_key_id: Option<&str>) -> ServiceResult<()> {
    let mut update = Query::update();
    update
        .table(keyring::Entity)
        .value(keyring::Column::Version, Expr::col(keyring::Column::Version).add(1))
        .value(keyring::Column::UpdatedAt, chrono::Utc::now())
        .and_where(Expr::col(keyring::Column::Id).eq(1));
    if let Some(id) = master_key_id {
        update.value(keyring::Column::MasterKeyId, id);
    }
    txn.execute(&update).await?;
    Ok(())
}

/// A table column that holds values sealed under the master key, bound to their row.
struct SealedColumn {
    table: &'static str,
    sealed: &'static str,
    context: fn(uuid::Uuid) -> Vec<u8>,
}

const SEALED_COLUMNS: [SealedColumn; 4] = [
    SealedColumn {
        table: "secret_provider_credentials",
        sealed: "sealed_secret_access_key",
        context: |id| crate::secret_providers::seal_context(id.into()),
    },
    SealedColumn {
        table: "environment_variables",
        sealed: "sealed_value",
        context: |id| crate::automations::variables::seal_context(id.into()),
    },
    SealedColumn { table: "deployment_variables", sealed: "sealed_value", context: crate::deployments::seal_context },
    SealedColumn { table: "signing_keys", sealed: "sealed_private_key", context: crate::issuer::store::seal_context },
];

/// Rows re-sealed per transaction: short transactions, so replicas keep writing meanwhile.
const BATCH: u64 = 200;

/// Makes `next` (a key of `ring`) the current master key and re-seals every stored secret under
/// it, online: the switch is one row, which replicas follow within
/// [`PROPAGATION`](crate::issuer::rotation::PROPAGATION); the re-sealing runs in short batches,
/// each row changed only if nobody changed it since it was read. After the replicas have followed,
/// a last pass catches what they sealed under the old key meanwhile. Running it again finishes an
/// interrupted rotation. `follow` is how long replicas may take to follow the switch (a little
/// more than `PROPAGATION` for a fleet; nothing when no other process serves). Returns how many
/// values were re-sealed.
pub async fn rotate(db: &DatabaseConnection, ring: &MasterKey, next: &str, follow: Duration) -> ServiceResult<u64> {
    let next_key = ring.key(next)?.clone();
    // Nothing switches unless every stored value can be opened with this ring.
    for column in &SEALED_COLUMNS {
        let used = Query::select()
            .distinct()
            .column(Alias::new("master_key_id"))
            .from(Alias::new(column.table))
            .and_where(Expr::col(Alias::new("master_key_id")).is_not_null())
            .to_owned();
        for row in db.query_all(&used).await? {
            let id: String = row.try_get("", "master_key_id")?;
            ring.key(&id)?;
        }
    }
    {
        let txn = begin_write(db).await?;
        keyring(&txn, ring).await?;
        bump(&txn, Some(next)).await?;
        txn.commit().await?;
    }
    ring.make_current(next)?;
    tracing::info!(master_key = next, "master key {next} now seals new secrets; re-sealing the stored ones");
    let switched = tokio::time::Instant::now();
    let mut resealed = reseal_all(db, ring, &next_key).await?;
    if !follow.is_zero() {
        tokio::time::sleep_until(switched + follow).await;
        resealed += reseal_all(db, ring, &next_key).await?;
    }
    Ok(resealed)
}

/// Re-seals, batch by batch, every value not yet under `next`.
async fn reseal_all(db: &DatabaseConnection, ring: &MasterKey, next: &RingKey) -> ServiceResult<u64> {
    let mut resealed = 0;
    for column in &SEALED_COLUMNS {
        loop {
            let (changed, read) = reseal_batch(db, ring, next, column).await?;
            resealed += changed;
            if read < BATCH {
                break;
            }
        }
    }
    Ok(resealed)
}

/// One transaction: up to [`BATCH`] rows of `column` under another key, re-sealed under `next`.
/// Returns how many were changed and how many were read.
async fn reseal_batch(
    db: &DatabaseConnection,
    ring: &MasterKey,
    next: &RingKey,
    column: &SealedColumn,
) -> ServiceResult<(u64, u64)> {
    let (id, sealed, key_id) = (Alias::new("id"), Alias::new(column.sealed), Alias::new("master_key_id"));
    let txn = begin_write(db).await?;
    let select = Query::select()
        .columns([id.clone(), sealed.clone(), key_id.clone()])
        .from(Alias::new(column.table))
        .and_where(Expr::col(key_id.clone()).is_not_null())
        .and_where(Expr::col(key_id.clone()).ne(next.id.as_str()))
        .limit(BATCH)
        .to_owned();
    let rows = txn.query_all(&select).await?;
    let mut changed = 0;
    for row in &rows {
        let row_id: uuid::Uuid = row.try_get("", "id")?;
        let old = Sealed { key_id: row.try_get("", "master_key_id")?, bytes: row.try_get("", column.sealed)? };
        let context = (column.context)(row_id);
        let plaintext = ring.open(&old, &context)?;
        let fresh = next.encrypt(&plaintext, &context)?;
        // Only if the row still holds what was read: a concurrent edit sealed its own value.
        let update = Query::update()
            .table(Alias::new(column.table))
            .value(sealed.clone(), fresh)
            .value(key_id.clone(), next.id.as_str())
            .and_where(Expr::col(id.clone()).eq(row_id))
            .and_where(Expr::col(key_id.clone()).eq(old.key_id.as_str()))
            .and_where(Expr::col(sealed.clone()).eq(old.bytes.clone()))
            .to_owned();
        changed += txn.execute(&update).await?.rows_affected();
    }
    txn.commit().await?;
    Ok((changed, rows.len() as u64))
}

/// A 32-byte key derived from the master key; `Debug` never shows it.
#[derive(Clone)]
pub struct DerivedKey([u8; 32]);

impl DerivedKey {
    /// HMAC-SHA256 of `message` under this key, as lowercase hex cut to `hex_digits`.
    pub fn fingerprint(&self, message: &[u8], hex_digits: usize) -> String {
        let hex = hex::encode(hmac_sha256(&self.0, &[message]));
        hex[..hex_digits.min(hex.len())].to_owned()
    }
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

impl fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DerivedKey(***)")
    }
}

/// A secret sealed under the master key named `key_id`.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub bytes: Vec<u8>,
}

impl Sealed {
    /// From a row's two columns, when both hold something.
    pub fn stored(bytes: &Option<Vec<u8>>, key_id: &Option<String>) -> Option<Self> {
        match (bytes, key_id) {
            (Some(bytes), Some(key_id)) => Some(Self { key_id: key_id.clone(), bytes: bytes.clone() }),
            _ => None,
        }
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_binds_context() {
        let key = MasterKey::generate();
        let sealed = key.seal(b"s3cr3t", b"credential:1").unwrap();
        assert_eq!(key.open(&sealed, b"credential:1").unwrap(), b"s3cr3t");
        assert!(key.open(&sealed, b"credential:2").is_err());
        let truncated = Sealed { bytes: sealed.bytes[..5].to_vec(), ..sealed.clone() };
        assert!(key.open(&truncated, b"credential:1").is_err());
    }

    #[test]
    fn sealed_values_name_their_key_and_open_only_with_it() {
        let (key, other) = (MasterKey::generate(), MasterKey::generate());
        let sealed = key.seal(b"s3cr3t", b"credential:1").unwrap();
        assert_eq!(sealed.key_id, key.id());
        assert_eq!(key.id().len(), 16);
        assert_ne!(key.id(), other.id());
        assert_eq!(key.open(&sealed, b"credential:1").unwrap(), b"s3cr3t");
        let refused = other.open(&sealed, b"credential:1").unwrap_err();
        assert!(refused.to_string().contains(&key.id()), "{refused}");
        assert!(!format!("{sealed:?}").contains("bytes"), "{sealed:?}");
    }

    #[test]
    fn a_ring_opens_under_any_key_and_seals_under_the_current_one() {
        let (old, new) = (MasterKey::generate(), MasterKey::generate());
        let under_old = old.seal(b"v1", b"ctx").unwrap();
        let ring = MasterKey::from_base64(&format!("{} , {},", old.to_base64(), new.to_base64())).unwrap();
        assert_eq!(ring.ids(), [old.id(), new.id()]);
        assert_eq!(ring.id(), old.id(), "the first key seals until the database says otherwise");
        ring.make_current(&new.id()).unwrap();
        let under_new = ring.seal(b"v2", b"ctx").unwrap();
        assert_eq!(under_new.key_id, new.id());
        assert_eq!(ring.open(&under_old, b"ctx").unwrap(), b"v1");
        assert_eq!(new.open(&under_new, b"ctx").unwrap(), b"v2");
        assert!(new.open(&under_old, b"ctx").unwrap_err().to_string().contains(&old.id()));

        let stranger = MasterKey::generate();
        let refused = ring.make_current(&stranger.id()).unwrap_err().to_string();
        assert!(refused.contains(&stranger.id()) && refused.contains(&old.id()), "{refused}");
        assert_eq!(ring.id(), new.id(), "a refused switch changes nothing");

        let joined = old.with(&new);
        assert_eq!((joined.ids(), joined.id()), (vec![old.id(), new.id()], new.id()));
        assert_eq!(MasterKey::from_base64(&format!("{0},{0}", old.to_base64())).unwrap().ids(), [old.id()]);
    }

    #[test]
    fn parses_base64_of_32_bytes_only() {
        let key = MasterKey::generate();
        assert_eq!(MasterKey::from_base64(&key.to_base64()).unwrap().to_base64(), key.to_base64());
        let short = MasterKey::from_base64(&STANDARD.encode([0u8; 16])).unwrap_err();
        assert!(short.to_string().contains("16 bytes; each must be 32"), "{short}");
        assert!(MasterKey::from_base64("not base64!").is_err());
        assert!(MasterKey::from_base64(" , ").unwrap_err().to_string().contains("holds no key"));
    }

    #[test]
    fn creates_once_then_reads_the_same_key() {
        let dir = std::env::temp_dir().join(format!("wisp-master-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("master.key");
        let (first, created) = MasterKey::load_or_create(&path).unwrap();
        assert!(created);
        let (second, created_again) = MasterKey::load_or_create(&path).unwrap();
        assert!(!created_again);
        assert_eq!(first.to_base64(), second.to_base64());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(format!("{:?}", MasterKey::generate()), "MasterKey(***)");
    }
}
