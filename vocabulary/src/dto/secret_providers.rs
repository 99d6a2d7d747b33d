use serde::{Deserialize, Serialize};

use crate::{
    aws::{AccessKeyId, CloudProvider, ExternalId, Region, RoleArn},
    dto::connection::CheckStep,
    ids::{CredentialId, WorkloadIdentityConfigId},
    providers::{AuthMethod, SecretProvider, SecretStore},
    used_by::UsedBy,
};

/// A credential as the page lists and edits it. The secret access key never leaves the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialView {
    pub id: CredentialId,
    pub name: String,
    /// The provider and where in it: a Secrets Manager region, or a KV mount.
    pub store: SecretStore,
    pub is_default: bool,
    pub auth: CredentialAuth,
    /// The automations whose variables read through it and the active deployments that do (it cannot be deleted while any does).
    pub used_by: UsedBy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum CredentialAuth {
    WorkloadIdentity { config: WorkloadIdentityConfigId, config_name: String },
    StaticKeys { access_key_id: AccessKeyId, role_arn: Option<RoleArn>, external_id: Option<ExternalId> },
}

impl CredentialAuth {
    pub fn method(&self) -> AuthMethod {
        match self {
            CredentialAuth::WorkloadIdentity { .. } => AuthMethod::WorkloadIdentity,
            CredentialAuth::StaticKeys { .. } => AuthMethod::StaticKeys,
        }
    }

    /// What Test Connection checks for such a credential of `provider`, in order.
    pub fn test_plan(&self, provider: SecretProvider) -> &'static [CheckStep] {
        match self {
            CredentialAuth::WorkloadIdentity { .. } if provider == SecretProvider::VaultKv2 => {
                CheckStep::VAULT_CREDENTIAL
            }
            CredentialAuth::WorkloadIdentity { .. } => CheckStep::WORKLOAD_IDENTITY_CREDENTIAL,
            CredentialAuth::StaticKeys { role_arn: Some(_), .. } => CheckStep::STATIC_KEYS_WITH_ROLE,
            CredentialAuth::StaticKeys { role_arn: None, .. } => CheckStep::STATIC_KEYS,
        }
    }
}

/// A workload identity config a credential may use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigChoice {
    pub id: WorkloadIdentityConfigId,
    pub name: String,
    pub provider: CloudProvider,
    /// An AWS config's region, which a credential's region starts from.
    pub region: Option<Region>,
    pub is_default: bool,
}

impl CredentialView {
    pub fn provider(&self) -> SecretProvider {
        self.store.provider()
    }
}

/// What the Secret Provider Credentials page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialsPage {
    pub credentials: Vec<CredentialView>,
    /// The organization's workload identity configs, for the form's picker.
    pub configs: Vec<ConfigChoice>,
}
