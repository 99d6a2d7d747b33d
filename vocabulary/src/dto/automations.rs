use serde::{Deserialize, Serialize};

use crate::{
    aws::{Region, RoleArn},
    env::{Delivery, EnvKey, JsonKey, SecretName, SourceKind},
    ids::{AutomationId, CredentialId, VariableId, WorkloadIdentityConfigId},
};

/// A row of the Automations list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationSummary {
    pub id: AutomationId,
    pub name: String,
    pub variables: u64,
    /// The number of the deployment kickoffs use; none before the first deploy.
    pub current_deployment: Option<u32>,
    /// RFC 3339; none before the first kickoff.
    pub last_kickoff: Option<String>,
}

/// An automation's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationPage {
    pub id: AutomationId,
    pub name: String,
    pub variables: Vec<VariableView>,
    /// The organization's credentials, for the variable form's picker.
    pub credentials: Vec<CredentialChoice>,
    /// The workload identity config whose role the automation's runs assume.
    pub run_role: Option<WorkloadIdentityConfigId>,
    /// The organization's workload identity configs, for the **AWS role for runs** picker.
    pub run_roles: Vec<RunRoleChoice>,
}

/// A workload identity config an automation's runs may assume the role of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRoleChoice {
    pub id: WorkloadIdentityConfigId,
    pub name: String,
    pub role_arn: RoleArn,
    pub region: Region,
    pub session_tags: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariableView {
    pub id: VariableId,
    pub key: EnvKey,
    pub source: SourceView,
    /// Why the key may surprise (a reserved prefix), if it may.
    pub warning: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceView {
    /// `value` is `None` for a sensitive value: it is write-only, like a secret key.
    Plain { value: Option<String>, sensitive: bool },
    Secret {
        credential: CredentialId,
        credential_name: String,
        delivery: Delivery,
        secret_name: SecretName,
        json_key: Option<JsonKey>,
    },
}

impl SourceView {
    pub fn kind(&self) -> SourceKind {
        match self {
            SourceView::Plain { .. } => SourceKind::Plain,
            SourceView::Secret { .. } => SourceKind::Secret,
        }
    }
}

/// A credential a secret variable may read through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialChoice {
    pub id: CredentialId,
    pub name: String,
    pub store: crate::providers::SecretStore,
    pub delivery: Delivery,
    pub is_default: bool,
}

/// What pasting a `.env` block did: the keys added, and each line that was not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub added: Vec<EnvKey>,
    pub problems: Vec<LineProblem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProblem {
    /// 1-based, as an editor numbers lines.
    pub line: usize,
    pub message: String,
}

/// The Secret Name field's suggestions for what was typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretSuggestions {
    pub query: String,
    pub suggestions: Vec<SecretSuggestion>,
    /// Why there may be none, or fewer than exist: AWS refused or did not answer.
    pub problem: Option<SuggestionProblem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretSuggestion {
    pub name: String,
    pub description: Option<String>,
    /// `YYYY-MM-DD`, when AWS says.
    pub last_changed: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionProblem {
    pub message: String,
    pub hint: String,
    /// The IAM policy statement that would allow listing, to copy, when AWS refused.
    pub statement: Option<String>,
}
