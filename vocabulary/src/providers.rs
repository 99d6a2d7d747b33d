//! Where secrets are read from, and how Wisp authenticates there.
use serde::{Deserialize, Serialize};

use crate::{
    aws::{CloudProvider, Region, RoleArn},
    vault::{KvMount, VaultLogin},
};

/// What a workload identity config trades the organization's tokens for, with what that needs:
/// each provider's fields, and only those.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum IdentityTarget {
    /// `AssumeRoleWithWebIdentity` for an IAM role.
    Aws(AwsRole),
    /// A login at a Vault JWT auth role.
    Vault(VaultLogin),
}

impl IdentityTarget {
    pub fn provider(&self) -> CloudProvider {
        match self {
            IdentityTarget::Aws(_) => CloudProvider::Aws,
            IdentityTarget::Vault(_) => CloudProvider::Vault,
        }
    }
}

/// An IAM role that trusts Wisp's tokens, in the region Wisp calls STS in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsRole {
    pub role_arn: RoleArn,
    pub region: Region,
    /// Tokens for runs through it carry AWS session tags (`wisp-org`, `wisp-automation`).
    pub session_tags: bool,
}

text_enum! {
    /// A secret store credentials can read from.
    pub enum SecretProvider ("provider", "a secret provider Wisp supports") {
        AwsSecretsManager = "aws_secrets_manager",
        VaultKv2 = "vault_kv2",
    }
}

impl SecretProvider {
    pub fn label(self) -> &'static str {
        match self {
            SecretProvider::AwsSecretsManager => "AWS Secrets Manager",
            SecretProvider::VaultKv2 => "Vault KV v2",
        }
    }

    /// The cloud whose workload identity configs can back a credential for this provider.
    pub fn cloud(self) -> CloudProvider {
        match self {
            SecretProvider::AwsSecretsManager => CloudProvider::Aws,
            SecretProvider::VaultKv2 => CloudProvider::Vault,
        }
    }

    /// The ways a credential for this provider may sign in: Vault takes workload identity only,
    /// as no static token is ever stored.
    pub fn auth_methods(self) -> &'static [AuthMethod] {
        match self {
            SecretProvider::AwsSecretsManager => AuthMethod::ALL,
            SecretProvider::VaultKv2 => &[AuthMethod::WorkloadIdentity],
        }
    }
}

/// Where a credential's secrets live, with what that store needs: each provider's fields only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum SecretStore {
    AwsSecretsManager { region: Region },
    VaultKv2 { kv_mount: KvMount },
}

impl SecretStore {
    pub fn provider(&self) -> SecretProvider {
        match self {
            SecretStore::AwsSecretsManager { .. } => SecretProvider::AwsSecretsManager,
            SecretStore::VaultKv2 { .. } => SecretProvider::VaultKv2,
        }
    }

    /// Where, in the list's words: the region, or the mount.
    pub fn location(&self) -> String {
        match self {
            SecretStore::AwsSecretsManager { region } => region.to_string(),
            SecretStore::VaultKv2 { kv_mount } => format!("{kv_mount}/"),
        }
    }

    /// Where, to end a sentence: " in us-east-1", " under secret/".
    pub fn place(&self) -> String {
        match self {
            SecretStore::AwsSecretsManager { region } => format!(" in {region}"),
            SecretStore::VaultKv2 { kv_mount } => format!(" under {kv_mount}/"),
        }
    }

    /// The credential's field that decides where names are looked up.
    pub fn location_field(&self) -> &'static str {
        match self {
            SecretStore::AwsSecretsManager { .. } => "AWS Region",
            SecretStore::VaultKv2 { .. } => "KV Mount",
        }
    }
}

text_enum! {
    pub enum AuthMethod ("auth_method", "an authentication method") {
        StaticKeys = "static_keys",
        WorkloadIdentity = "workload_identity",
    }
}

impl AuthMethod {
    pub fn label(self) -> &'static str {
        match self {
            AuthMethod::StaticKeys => "Static keys / AssumeRole",
            AuthMethod::WorkloadIdentity => "Workload Identity",
        }
    }
}
