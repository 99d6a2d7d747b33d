//! Where secrets are read from, and how Wisp authenticates there.
use crate::aws::CloudProvider;

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
