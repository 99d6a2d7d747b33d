//! The service's values as the DTOs server functions send: shared by the pages' `api` modules.
use service::{
    aws::connection_test::{ConnectionReport, StepOutcome},
    secret_providers::{Auth, Credential},
    workload_identity::WorkloadIdentityConfig,
};
use vocabulary::dto::{
    connection::{ConnectionReportView, StepStatus, StepView},
    secret_providers::{CredentialAuth, CredentialView},
    workload_identity::ConfigView,
};

pub fn config(config: WorkloadIdentityConfig, used_by: Vec<String>) -> ConfigView {
    ConfigView {
        id: config.id,
        name: config.name,
        provider: config.provider,
        role_arn: config.role_arn,
        region: config.region,
        is_default: config.is_default,
        used_by,
    }
}

/// Never the secret access key: the page gets the access key id and what it assumes.
pub fn credential(credential: Credential) -> CredentialView {
    let auth = match credential.auth {
        Auth::WorkloadIdentity(config) => {
            CredentialAuth::WorkloadIdentity { config: config.id, config_name: config.name }
        }
        Auth::StaticKeys { access_key_id, role_arn, external_id, .. } => {
            CredentialAuth::StaticKeys { access_key_id, role_arn, external_id }
        }
    };
    CredentialView {
        id: credential.id,
        name: credential.name,
        provider: credential.provider,
        region: credential.region,
        is_default: credential.is_default,
        auth,
    }
}

pub fn report(report: ConnectionReport) -> ConnectionReportView {
    let steps = report
        .steps
        .iter()
        .map(|step| {
            let bare = |status, detail: &str| StepView {
                step: step.step,
                status,
                detail: detail.to_owned(),
                warnings: Vec::new(),
                code: None,
                aws_message: None,
                cause: String::new(),
                fix: String::new(),
            };
            match &step.outcome {
                StepOutcome::Passed { detail, warnings } => {
                    StepView { warnings: warnings.clone(), ..bare(StepStatus::Passed, detail) }
                }
                StepOutcome::Failed(d) => StepView {
                    code: d.code.clone(),
                    aws_message: d.aws_message.clone(),
                    cause: d.cause.clone(),
                    fix: d.fix.clone(),
                    ..bare(StepStatus::Failed, "")
                },
                StepOutcome::Skipped => bare(StepStatus::Skipped, "Not run: an earlier step failed."),
            }
        })
        .collect();
    ConnectionReportView { passed: report.passed(), assumed_role_arn: report.assumed_role_arn, steps }
}
