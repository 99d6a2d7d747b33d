//! Test Connection: the checks it runs, in order, and how each went.
use serde::{Deserialize, Serialize};

text_enum! {
    /// One link of the chain AWS walks at kickoff.
    pub enum CheckStep ("step", "a Test Connection step") {
        Issuer = "issuer",
        Token = "token",
        AssumeRole = "assume_role_with_web_identity",
        CallerIdentity = "get_caller_identity",
    }
}

impl CheckStep {
    /// What Test Connection checks for a workload identity config, in order.
    pub const WORKLOAD_IDENTITY: [CheckStep; 4] =
        [CheckStep::Issuer, CheckStep::Token, CheckStep::AssumeRole, CheckStep::CallerIdentity];

    pub fn title(self) -> &'static str {
        match self {
            CheckStep::Issuer => "Issuer configured and consistent",
            CheckStep::Token => "Token minted",
            CheckStep::AssumeRole => "AssumeRoleWithWebIdentity",
            CheckStep::CallerIdentity => "GetCallerIdentity",
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
    /// AWS's error code, when AWS answered.
    pub code: Option<String>,
    pub aws_message: Option<String>,
    pub cause: String,
    pub fix: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionReportView {
    pub passed: bool,
    pub assumed_role_arn: Option<String>,
    pub steps: Vec<StepView>,
}
