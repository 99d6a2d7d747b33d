//! The subjects Wisp's tokens carry, which cloud trust policies match: spelled here only.
use std::fmt;

use crate::ids::{AutomationId, OrgId};

text_enum! {
    /// How Wisp signs tokens: what AWS STS accepts and the JWKS announces per key.
    pub enum SigningAlgorithm ("alg", "a signing algorithm") {
        RS256 = "RS256",
        ES256 = "ES256",
    }
}

text_enum! {
    /// Where a signing key is in its life: published before it signs, signing, published after
    /// it signed until its tokens have expired, then gone (its private half erased), or revoked
    /// by an operator in an emergency.
    pub enum KeyState ("state", "a signing key state") {
        Next = "next",
        Active = "active",
        Retired = "retired",
        Removed = "removed",
        Revoked = "revoked",
        /// From `OIDC_PUBLISHED_KEYS`: the configuration publishes it, the database knows nothing of it.
        Published = "published",
    }
}

impl KeyState {
    /// Whether the JWKS carries a key in this state.
    pub fn is_published(self) -> bool {
        matches!(self, KeyState::Next | KeyState::Active | KeyState::Retired | KeyState::Published)
    }

    /// What the state means, for a person reading a list of keys.
    pub fn describe(self) -> &'static str {
        match self {
            KeyState::Next => "next: published, signs nothing yet",
            KeyState::Active => "active: signing",
            KeyState::Retired => "retired: published until its tokens expire",
            KeyState::Removed => "removed: unpublished, private half erased",
            KeyState::Revoked => "revoked: unpublished at once, private half erased",
            KeyState::Published => "published from OIDC_PUBLISHED_KEYS, signs nothing",
        }
    }
}

text_enum! {
    /// Where the issuer's signing keys come from: the database, generated and rotated by Wisp,
    /// or a key pinned in the configuration (`OIDC_PRIVATE_KEY`).
    pub enum KeyMode ("mode", "a key mode") {
        Managed = "managed",
        Pinned = "pinned",
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A workload-identity token for an organization: `organization:<uuid>`.
    Organization(OrgId),
    /// An ID token for a running automation: `organization:<uuid>:automation:<uuid>`.
    Automation(OrgId, AutomationId),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Organization(org) => write!(f, "organization:{org}"),
            Subject::Automation(org, automation) => write!(f, "organization:{org}:automation:{automation}"),
        }
    }
}

/// The `aud` AWS STS expects in a web-identity token.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organization_subject_names_its_uuid() {
        let org: OrgId = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f".parse().unwrap();
        assert_eq!(Subject::Organization(org).to_string(), "organization:6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f");
    }
}

/// Who a token is for, as `aud`: 1 to 256 characters, none of them a space or a control character
/// (`sts.amazonaws.com`, a Vault address, `https://api.example.com`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Audience(String);

impl Audience {
    pub const MAX_CHARS: usize = 256;

    /// AWS STS's audience, which `AssumeRoleWithWebIdentity` requires.
    pub fn sts() -> Self {
        Self(STS_AUDIENCE.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Audience {
    type Err = crate::FieldError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let count = text.chars().count();
        if (1..=Self::MAX_CHARS).contains(&count) && !text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Ok(Self(text.to_owned()))
        } else {
            Err(crate::FieldError::new(
                "audience",
                "The audience must be 1 to 256 characters with no spaces, such as sts.amazonaws.com.",
            ))
        }
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

serde_as_text!(Audience);
