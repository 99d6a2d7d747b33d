use serde::{Deserialize, Serialize};

use crate::{ids::OrgId, token::SigningAlgorithm};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyView {
    pub kid: String,
    pub alg: SigningAlgorithm,
    /// Signs new tokens; otherwise only published.
    pub signing: bool,
}

/// The issuer as AWS will see it, and what would make AWS refuse it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerView {
    pub issuer: Option<String>,
    pub discovery_url: Option<String>,
    pub jwks_url: Option<String>,
    pub keys: Vec<KeyView>,
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationView {
    pub id: OrgId,
    pub name: String,
    pub issuer: IssuerView,
}
