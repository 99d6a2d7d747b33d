//! Test Connection: the checks it runs, in order, and how each went.
use serde::{Deserialize, Serialize};

text_enum! {
    /// One link of the chain AWS walks at kickoff.
    pub enum CheckStep ("step", "a Test Connection step") {
        Issuer = "issuer",
        Token = "token",
        AssumeRoleWithWebIdentity = "assume_role_with_web_identity",
        AssumeRole = "assume_role",
        CallerIdentity = "get_caller_identity",
        ListSecrets = "list_secrets",
        VaultLogin = "vault_login",
        VaultCapabilities = "vault_capabilities",
        VaultList = "vault_list",
    }
}

impl CheckStep {
    /// What Test Connection checks for a workload identity config, in order.
    pub const WORKLOAD_IDENTITY: &'static [CheckStep] =
        &[CheckStep::Issuer, CheckStep::Token, CheckStep::AssumeRoleWithWebIdentity, CheckStep::CallerIdentity];
    /// …for a credential backed by a workload identity config: the same, then reading the list.
    pub const WORKLOAD_IDENTITY_CREDENTIAL: &'static [CheckStep] = &[
        CheckStep::Issuer,
        CheckStep::Token,
        CheckStep::AssumeRoleWithWebIdentity,
        CheckStep::CallerIdentity,
        CheckStep::ListSecrets,
    ];
    /// …for static keys, and for static keys that assume a role.
    pub const STATIC_KEYS: &'static [CheckStep] = &[CheckStep::CallerIdentity, CheckStep::ListSecrets];
    pub const STATIC_KEYS_WITH_ROLE: &'static [CheckStep] =
        &[CheckStep::AssumeRole, CheckStep::CallerIdentity, CheckStep::ListSecrets];

    /// …for a Vault config: the issuer, a token for the config's audience, the JWT login.
    pub const VAULT: &'static [CheckStep] = &[CheckStep::Issuer, CheckStep::Token, CheckStep::VaultLogin];
    /// …for a Vault KV credential: the same, then what the login may do on the mount, and a list.
    pub const VAULT_CREDENTIAL: &'static [CheckStep] = &[
        CheckStep::Issuer,
        CheckStep::Token,
        CheckStep::VaultLogin,
        CheckStep::VaultCapabilities,
        CheckStep::VaultList,
    ];

    /// Who answers the calls of `plan`, as its words are quoted ("Vault said: …").
    pub fn speaker(plan: impl IntoIterator<Item = CheckStep>) -> &'static str {
        let vault = [CheckStep::VaultLogin, CheckStep::VaultCapabilities, CheckStep::VaultList];
        if plan.into_iter().any(|step| vault.contains(&step)) { "Vault" } else { "AWS" }
    }

    pub fn title(self) -> &'static str {
        match self {
            CheckStep::Issuer => "Issuer configured and consistent",
            CheckStep::Token => "Token minted",
            CheckStep::AssumeRoleWithWebIdentity => "AssumeRoleWithWebIdentity",
            CheckStep::AssumeRole => "AssumeRole",
            CheckStep::CallerIdentity => "GetCallerIdentity",
            CheckStep::ListSecrets => "ListSecrets",
            CheckStep::VaultLogin => "JWT login",
            CheckStep::VaultCapabilities => "Capabilities on the KV mount",
            CheckStep::VaultList => "LIST of the KV mount",
        }
    }
}

text_enum! {
    /// As the page's `data-status` attribute spells it.
    pub enum StepStatus ("status", "a step status") {
        Passed = "passed",
        Failed = "failed",
        Skipped = "skipped",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub step: CheckStep,
    pub status: StepStatus,
    pub detail: String,
    pub warnings: Vec<String>,
    /// The provider's error code, when it gave one.
    pub code: Option<String>,
    /// The provider's own words.
    pub provider_message: Option<String>,
    pub cause: String,
    pub fix: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionReportView {
    pub passed: bool,
    pub assumed_role_arn: Option<String>,
    pub steps: Vec<StepView>,
}
