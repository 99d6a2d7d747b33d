//! Where secrets are read from, and how Wisp authenticates there.
use serde::{Deserialize, Serialize};

use crate::aws::{CloudProvider, Region, RoleArn};

/// What a workload identity config trades the organization's tokens for, with what that needs:
/// each provider's fields, and only those.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum IdentityTarget {
    /// `AssumeRoleWithWebIdentity` for an IAM role.
    Aws(AwsRole),
}

impl IdentityTarget {
    pub fn provider(&self) -> CloudProvider {
        match self {
            IdentityTarget::Aws(_) => CloudProvider::Aws,
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
    }
}

impl SecretProvider {
    pub fn label(self) -> &'static str {
        match self {
            SecretProvider::AwsSecretsManager => "AWS Secrets Manager",
        }
    }

    /// The cloud whose workload identity configs can back a credential for this provider.
    pub fn cloud(self) -> CloudProvider {
        match self {
            SecretProvider::AwsSecretsManager => CloudProvider::Aws,
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
