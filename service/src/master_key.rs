//! The master key that encrypts secrets at rest (AES-256-GCM).
use std::{fmt, path::Path};

use aes_gcm::{
    Aes256Gcm, Key, KeyInit, Nonce,
    aead::{Aead, AeadCore, OsRng, Payload},
};
use base64::{Engine, engine::general_purpose::STANDARD};

use crate::{
    error::{ServiceError, ServiceResult},
    files::{create_private_dir, write_private},
};

const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct MasterKey(Key<Aes256Gcm>);

impl MasterKey {
    pub fn generate() -> Self {
        Self(Aes256Gcm::generate_key(OsRng))
    }

    /// Parses `WISP_MASTER_KEY`: 32 bytes, base64.
    pub fn from_base64(text: &str) -> ServiceResult<Self> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| ServiceError::Configuration {
            variable: "WISP_MASTER_KEY",
            message: "WISP_MASTER_KEY is not valid base64. Generate one with `openssl rand -base64 32`.".to_owned(),
        })?;
        if bytes.len() != 32 {
            return Err(ServiceError::Configuration {
                variable: "WISP_MASTER_KEY",
                message: format!(
                    "WISP_MASTER_KEY decodes to {} bytes; it must be 32. Generate one with `openssl rand -base64 32`.",
                    bytes.len()
                ),
            });
        }
        Ok(Self(*Key::<Aes256Gcm>::from_slice(&bytes)))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Names the key without revealing it, so a sealed value says which key opens it: 16 hex
    /// digits of SHA-256 over a label and the key.
    pub fn id(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::new().chain_update(b"wisp master key id\0").chain_update(self.0).finalize();
        hex::encode(&digest[..8])
    }

    /// A key for another purpose, derived from this one under `label` (HMAC-SHA256 as a PRF, as
    /// HKDF's expand step does), so the master key itself is only ever used to seal.
    pub fn derive(&self, label: &str) -> DerivedKey {
        DerivedKey(hmac_sha256(&self.0, &[b"wisp derived key\0", label.as_bytes()]))
    }

    /// Seals `plaintext` under this key, bound to `context` (where it is stored).
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> ServiceResult<Sealed> {
        Ok(Sealed { key_id: self.id(), bytes: self.encrypt(plaintext, context)? })
    }

    /// Opens a sealed value that is text (a key, an environment value).
    pub fn open_text(&self, sealed: &Sealed, context: &[u8]) -> ServiceResult<String> {
        String::from_utf8(self.open(sealed, context)?)
            .map_err(|_| ServiceError::Internal("a sealed value is not text".to_owned()))
    }

    /// Opens what [`MasterKey::seal`] sealed with the same context; a value sealed under another
    /// key says which.
    pub fn open(&self, sealed: &Sealed, context: &[u8]) -> ServiceResult<Vec<u8>> {
        if sealed.key_id != self.id() {
            return Err(ServiceError::Configuration {
                variable: "WISP_MASTER_KEY",
                message: format!(
                    "a stored secret was sealed under master key {}, but WISP_MASTER_KEY is key {}: start Wisp with the key it was sealed under, or rotate with `wisp master-key rotate`",
                    sealed.key_id,
                    self.id()
                ),
            });
        }
        self.decrypt(&sealed.bytes, context)
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

    /// Encrypts with a fresh random nonce; `context` binds the ciphertext to where it is stored,
    /// so a value copied to another row does not decrypt.
    pub fn encrypt(&self, plaintext: &[u8], context: &[u8]) -> ServiceResult<Vec<u8>> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = Aes256Gcm::new(&self.0)
            .encrypt(&nonce, Payload { msg: plaintext, aad: context })
            .map_err(|_| ServiceError::Internal("encryption failed".to_owned()))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    pub fn decrypt(&self, sealed: &[u8], context: &[u8]) -> ServiceResult<Vec<u8>> {
        let undecryptable = || {
            ServiceError::Internal(
                "a stored secret cannot be decrypted: it was written under another WISP_MASTER_KEY or was altered"
                    .to_owned(),
            )
        };
        if sealed.len() < NONCE_LEN {
            return Err(undecryptable());
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        Aes256Gcm::new(&self.0)
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: context })
            .map_err(|_| undecryptable())
    }
}

/// Re-seals every stored secret under `next`, in one transaction: all of them or none. Values
/// already under `next` are left as they are, so an interrupted rotation can be run again.
/// Returns how many were re-sealed.
pub async fn rotate(db: &impl sea_orm::TransactionTrait, current: &MasterKey, next: &MasterKey) -> ServiceResult<u64> {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionSession};

    use crate::{
        db::begin_write,
        entity::{credential, deployment_variable, environment_variable as variable},
    };

    let txn = begin_write(db).await?;
    let mut resealed = 0;
    let credentials =
        credential::Entity::find().filter(credential::Column::SealedSecretAccessKey.is_not_null()).all(&txn).await?;
    for row in credentials {
        let context = crate::secret_providers::seal_context(row.id.into());
        let Some(fresh) = reseal(current, next, &row.master_key_id, &row.sealed_secret_access_key, &context)? else {
            continue;
        };
        let mut active: credential::ActiveModel = row.into();
        active.sealed_secret_access_key = Set(Some(fresh.bytes));
        active.master_key_id = Set(Some(fresh.key_id));
        active.update(&txn).await?;
        resealed += 1;
    }
    let variables = variable::Entity::find().filter(variable::Column::SealedValue.is_not_null()).all(&txn).await?;
    for row in variables {
        let context = crate::automations::variables::seal_context(row.id.into());
        let Some(fresh) = reseal(current, next, &row.master_key_id, &row.sealed_value, &context)? else { continue };
        let mut active: variable::ActiveModel = row.into();
        active.sealed_value = Set(Some(fresh.bytes));
        active.master_key_id = Set(Some(fresh.key_id));
        active.update(&txn).await?;
        resealed += 1;
    }
    let frozen = deployment_variable::Entity::find()
        .filter(deployment_variable::Column::SealedValue.is_not_null())
        .all(&txn)
        .await?;
    for row in frozen {
        let context = crate::deployments::seal_context(row.id);
        let Some(fresh) = reseal(current, next, &row.master_key_id, &row.sealed_value, &context)? else { continue };
        let mut active: deployment_variable::ActiveModel = row.into();
        active.sealed_value = Set(Some(fresh.bytes));
        active.master_key_id = Set(Some(fresh.key_id));
        active.update(&txn).await?;
        resealed += 1;
    }
    txn.commit().await?;
    Ok(resealed)
}

/// A sealed column's value under `next`, or `None` when it already is.
fn reseal(
    current: &MasterKey,
    next: &MasterKey,
    key_id: &Option<String>,
    bytes: &Option<Vec<u8>>,
    context: &[u8],
) -> ServiceResult<Option<Sealed>> {
    let sealed = Sealed { key_id: key_id.clone().unwrap_or_default(), bytes: bytes.clone().unwrap_or_default() };
    if sealed.key_id == next.id() {
        return Ok(None);
    }
    next.seal(&current.open(&sealed, context)?, context).map(Some)
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
        let sealed = key.encrypt(b"s3cr3t", b"credential:1").unwrap();
        assert_eq!(key.decrypt(&sealed, b"credential:1").unwrap(), b"s3cr3t");
        assert!(key.decrypt(&sealed, b"credential:2").is_err());
        assert!(MasterKey::generate().decrypt(&sealed, b"credential:1").is_err());
        assert!(key.decrypt(&sealed[..5], b"credential:1").is_err());
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
    fn parses_base64_of_32_bytes_only() {
        let key = MasterKey::generate();
        assert_eq!(MasterKey::from_base64(&key.to_base64()).unwrap().to_base64(), key.to_base64());
        let short = MasterKey::from_base64(&STANDARD.encode([0u8; 16])).unwrap_err();
        assert!(short.to_string().contains("16 bytes; it must be 32"), "{short}");
        assert!(MasterKey::from_base64("not base64!").is_err());
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
