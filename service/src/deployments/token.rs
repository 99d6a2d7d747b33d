//! The bearer tokens workers hold: a deployment's token (`wisp_dt_`), shown once to whoever
//! deployed, and a run token (`wisp_rt_`), handed to one kickoff's run and good for its ID tokens
//! only. Each is its prefix and 43 characters of base64url (32 random bytes); only the SHA-256
//! hash is stored.
use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;

use crate::bearer::stored_hash;

const RANDOM_BYTES: usize = 32;
const ENCODED_LEN: usize = 43;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Kicks off its deployment and asks for ID tokens.
    Deployment,
    /// Asks for the ID tokens of one kickoff's run, while the run goes on.
    Run,
}

impl TokenKind {
    const fn prefix(self) -> &'static str {
        match self {
            TokenKind::Deployment => "wisp_dt_",
            TokenKind::Run => "wisp_rt_",
        }
    }

    /// The kind a presented token claims by its prefix; whether it is one is for its hash to say.
    pub fn of(presented: &str) -> Option<Self> {
        [TokenKind::Deployment, TokenKind::Run].into_iter().find(|kind| presented.starts_with(kind.prefix()))
    }
}

pub struct WorkerToken(String);

impl WorkerToken {
    pub fn generate(kind: TokenKind) -> Self {
        let mut bytes = [0u8; RANDOM_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(format!("{}{}", kind.prefix(), URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The hash stored for this token.
    pub fn hash(&self) -> String {
        stored_hash(&self.0)
    }

    /// The hash of a presented token, if it has the shape of a token of `kind`.
    pub fn hash_of(kind: TokenKind, presented: &str) -> Option<String> {
        let body = presented.strip_prefix(kind.prefix())?;
        let well_formed =
            body.len() == ENCODED_LEN && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| stored_hash(presented))
    }

    /// The token itself, for the one answer that shows it.
    pub fn reveal(self) -> String {
        self.0
    }
}

impl fmt::Debug for WorkerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WorkerToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_their_shape_and_only_their_hash_is_kept() {
        for kind in [TokenKind::Deployment, TokenKind::Run] {
            let token = WorkerToken::generate(kind);
            let hash = token.hash();
            assert_eq!(hash.len(), 64);
            assert!(!format!("{token:?}").contains("wisp_"));
            let text = token.reveal();
            assert!(text.starts_with(kind.prefix()) && text.len() == 51, "{text}");
            assert_eq!(TokenKind::of(&text), Some(kind));
            assert_eq!(WorkerToken::hash_of(kind, &text).as_deref(), Some(hash.as_str()));
            for bad in
                ["", kind.prefix(), "Bearer x", &text[..50], &format!("{text}x"), &text.replace("wisp_", "wisp_x")]
            {
                assert_eq!(WorkerToken::hash_of(kind, bad), None, "{bad}");
            }
            assert_ne!(WorkerToken::generate(kind).hash(), hash);
        }
    }

    #[test]
    fn a_token_of_one_kind_is_never_taken_for_the_other() {
        let run = WorkerToken::generate(TokenKind::Run).reveal();
        assert_eq!(WorkerToken::hash_of(TokenKind::Deployment, &run), None);
        let deployment = WorkerToken::generate(TokenKind::Deployment).reveal();
        assert_eq!(WorkerToken::hash_of(TokenKind::Run, &deployment), None);
        assert_eq!(TokenKind::of("ghp_abc"), None);
    }
}
