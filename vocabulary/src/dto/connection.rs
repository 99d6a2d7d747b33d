//! Test Connection: the checks it runs, in order, and how each went.
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

text_enum! {
    /// One link of the chain AWS walks at kickoff.
    pub enum CheckStep {
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

impl FromStr for CheckStep {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckStep::from_word(s).ok_or_else(|| FieldError::new("step", format!("'{s}' is not a check.")))
    }
}

text_enum! {
    /// As the page's `data-status` attribute spells it.
    pub enum StepStatus {
        Passed = "passed",
        Failed = "failed",
        Skipped = "skipped",
    }
}

impl FromStr for StepStatus {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StepStatus::from_word(s).ok_or_else(|| FieldError::new("status", format!("'{s}' is not a step status.")))
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
