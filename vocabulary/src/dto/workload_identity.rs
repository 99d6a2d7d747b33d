use serde::{Deserialize, Serialize};

use crate::{
    aws::{CloudProvider, Region, RoleArn},
    ids::WorkloadIdentityConfigId,
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigView {
    pub id: WorkloadIdentityConfigId,
    pub name: String,
    pub provider: CloudProvider,
    pub role_arn: RoleArn,
    pub region: Region,
    pub is_default: bool,
    /// The credentials that use it (it cannot be deleted while any does).
    pub used_by: Vec<String>,
}

/// What an admin pastes into AWS for one role, from this organization's real values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustSetupView {
    /// What AWS would refuse about the issuer these policies name.
    pub issuer_warnings: Vec<String>,
    pub trust_policy: String,
    pub permissions_policy: String,
    pub cli_commands: String,
}
