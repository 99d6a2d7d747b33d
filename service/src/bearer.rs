//! Bearer credentials (session ids, deployment tokens) are kept only as their SHA-256: a copy
//! of the database opens nothing, and a presented credential is found by its hash.
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The stored form of a bearer credential: lowercase hex SHA-256.
pub(crate) fn stored_hash(credential: &str) -> String {
    hex::encode(Sha256::digest(credential.as_bytes()))
}

/// Whether two stored hashes are equal, compared in constant time.
pub(crate) fn same_hash(stored: &str, presented: &str) -> bool {
    stored.as_bytes().ct_eq(presented.as_bytes()).into()
}
