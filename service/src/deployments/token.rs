//! Deployment tokens: `wisp_dt_` and 43 characters of base64url (32 random bytes). Only the
//! SHA-256 hash is stored; the token is revealed once, to whoever deployed.
use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;

use crate::bearer::stored_hash;

const PREFIX: &str = "wisp_dt_";
const RANDOM_BYTES: usize = 32;

pub struct DeploymentToken(String);

impl DeploymentToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; RANDOM_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The hash stored for this token.
    pub fn hash(&self) -> String {
        stored_hash(&self.0)
    }

    /// The hash of a presented token, if it has a token's shape.
    pub fn hash_of(presented: &str) -> Option<String> {
        let body = presented.strip_prefix(PREFIX)?;
        let well_formed = body.len() == 43 && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| stored_hash(presented))
    }

    /// The token itself, for the one answer that shows it.
    pub fn reveal(self) -> String {
        self.0
    }
}

impl fmt::Debug for DeploymentToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeploymentToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_their_shape_and_only_their_hash_is_kept() {
        let token = DeploymentToken::generate();
        let hash = token.hash();
        assert_eq!(hash.len(), 64);
        assert!(!format!("{token:?}").contains("wisp_dt_"));
        let text = token.reveal();
        assert!(text.starts_with("wisp_dt_") && text.len() == 51, "{text}");
        assert_eq!(DeploymentToken::hash_of(&text).as_deref(), Some(hash.as_str()));
        for bad in ["", "wisp_dt_", "Bearer x", &text[..50], &format!("{text}x"), &text.replace("wisp_dt_", "wisp_xx_")]
        {
            assert_eq!(DeploymentToken::hash_of(bad), None, "{bad}");
        }
        assert_ne!(DeploymentToken::generate().hash(), hash);
    }
}
