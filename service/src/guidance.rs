//! What a failed step or read tells the person who must fix it, whichever provider failed: the
//! provider's own code and words when it answered, the likely cause and what to do, in ours.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// The provider's error code (AWS's `AccessDenied`), or ours where it gives none (Vault).
    pub code: Option<String>,
    /// The provider's own words, never a secret: AWS and Vault do not echo tokens.
    pub provider_message: Option<String>,
    pub cause: String,
    pub fix: String,
}

impl Diagnosis {
    /// A problem Wisp found itself, before or without the provider's answer.
    pub fn local(cause: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { code: None, provider_message: None, cause: cause.into(), fix: fix.into() }
    }
}
