use serde::{Deserialize, Serialize};

use crate::{aws::CloudProvider, ids::WorkloadIdentityConfigId, providers::IdentityTarget, used_by::UsedBy};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigView {
    pub id: WorkloadIdentityConfigId,
    pub name: String,
    pub is_default: bool,
    /// The provider and its fields: an AWS role, or a Vault login.
    pub target: IdentityTarget,
    /// The credentials that use it (it cannot be deleted while any does).
    pub used_by: UsedBy,
}

impl ConfigView {
    pub fn provider(&self) -> CloudProvider {
        self.target.provider()
    }
}

/// The commands that make a Vault trust this organization's tokens, from its real values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultTrustView {
    /// A shell script of `bao` commands (the same with `vault`), the policy and role included.
    pub commands: String,
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

text_enum! {
    /// How much a Diagnose finding matters.
    pub enum FindingSeverity ("severity", "a finding's severity") {
        /// AWS will refuse this organization's tokens until it is fixed.
        Mismatch = "mismatch",
        /// It works, but lets more than this organization in.
        Security = "security",
    }
}

/// One thing in AWS that differs from what this organization needs, with the expected value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamFinding {
    pub severity: FindingSeverity,
    /// What was checked: "OIDC provider", "trust policy: sub condition", …
    pub subject: String,
    /// What AWS holds, when there is something.
    pub found: Option<String>,
    pub expected: String,
    pub fix: String,
}

/// What the IAM credentials could not do, said like Test Connection's failures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamProblem {
    pub code: Option<String>,
    pub message: String,
    pub hint: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnoseView {
    pub account: String,
    pub findings: Vec<IamFinding>,
    pub problem: Option<IamProblem>,
}

/// One change **Set up in AWS** makes (or made).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamChange {
    /// "Create the OIDC provider …", "Replace the trust policy of …".
    pub summary: String,
    /// For a replaced policy: a unified diff of the current and the new document.
    pub diff: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupView {
    pub account: String,
    /// What Apply changes (a plan) or changed (after Apply); empty: AWS already holds it all.
    pub changes: Vec<IamChange>,
    pub applied: bool,
    pub problem: Option<IamProblem>,
    /// After Apply: Test Connection's report.
    pub connection: Option<crate::dto::connection::ConnectionReportView>,
}
