use serde::{Deserialize, Serialize};

use crate::{
    ids::OrgId,
    token::{KeyMode, KeyState, SigningAlgorithm},
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyView {
    pub kid: String,
    pub alg: SigningAlgorithm,
    pub state: KeyState,
    /// When the JWKS began to carry it (RFC 3339); none for a key from the configuration.
    pub published_at: Option<String>,
    /// When it signed first, or, for the next key, when it is due to (RFC 3339).
    pub active_from: Option<String>,
    /// When it stopped signing (RFC 3339).
    pub retired_at: Option<String>,
    /// When a retired key leaves the JWKS (RFC 3339): its last token has expired and every cache
    /// has let go of it.
    pub removed_after: Option<String>,
}

/// The issuer as AWS will see it, and what would make AWS refuse it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerView {
    pub issuer: Option<String>,
    pub discovery_url: Option<String>,
    pub jwks_url: Option<String>,
    pub mode: KeyMode,
    /// Every published key, the signing one first.
    pub keys: Vec<KeyView>,
    /// When the next key is due to replace the active one (RFC 3339); none when rotation is
    /// off or the keys are pinned.
    pub next_rotation: Option<String>,
    /// How often the active key is replaced (`7d`), or `off`; none when the keys are pinned.
    pub rotation_period: Option<String>,
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationView {
    pub id: OrgId,
    pub name: String,
    pub issuer: IssuerView,
}
