//! The service's values as the DTOs server functions send: shared by the pages' `api` modules.
use service::{
    automations::{
        Summary,
        variables::{Source, Variable},
    },
    connection_test::{ConnectionReport, StepOutcome},
    secret_providers::{Auth, Credential},
    workload_identity::WorkloadIdentityConfig,
};
use vocabulary::dto::{
    automations::{AutomationSummary, CredentialChoice, RunRoleChoice, SourceView, VariableView},
    connection::{ConnectionReportView, StepStatus, StepView},
    secret_providers::{ConfigChoice, CredentialAuth, CredentialView},
    workload_identity::ConfigView,
};
use vocabulary::{env::Delivery, providers::IdentityTarget, used_by::UsedBy};

/// An AWS config, whose role runs may assume; none for another provider.
pub fn run_role_choice(config: WorkloadIdentityConfig) -> Option<RunRoleChoice> {
    let IdentityTarget::Aws(role) = config.target else { return None };
    Some(RunRoleChoice {
        id: config.id,
        name: config.name,
        role_arn: role.role_arn,
        region: role.region,
        session_tags: role.session_tags,
    })
}

pub fn config(config: WorkloadIdentityConfig, used_by: UsedBy) -> ConfigView {
    ConfigView { id: config.id, name: config.name, is_default: config.is_default, target: config.target, used_by }
}

/// A config a credential may sign in with.
pub fn config_choice(config: WorkloadIdentityConfig) -> ConfigChoice {
    let region = match &config.target {
        IdentityTarget::Aws(role) => Some(role.region),
        IdentityTarget::Vault(_) => None,
    };
    ConfigChoice {
        id: config.id,
        provider: config.provider(),
        name: config.name,
        region,
        is_default: config.is_default,
    }
}

/// Never the secret access key: the page gets the access key id and what it assumes.
pub fn credential(credential: Credential, used_by: UsedBy) -> CredentialView {
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
        store: credential.store,
        is_default: credential.is_default,
        auth,
        used_by,
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
                provider_message: None,
                cause: String::new(),
                fix: String::new(),
            };
            match &step.outcome {
                StepOutcome::Passed { detail, warnings } => {
                    StepView { warnings: warnings.clone(), ..bare(StepStatus::Passed, detail) }
                }
                StepOutcome::Failed(d) => StepView {
                    code: d.code.clone(),
                    provider_message: d.provider_message.clone(),
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

pub fn automation_summary(summary: Summary) -> AutomationSummary {
    AutomationSummary {
        id: summary.automation.id,
        name: summary.automation.name,
        variables: summary.variables,
        current_deployment: summary.current_deployment,
        last_kickoff: summary.last_kickoff.map(service::time::rfc3339),
    }
}

/// Never a sensitive value: the service does not even read it.
pub fn variable(variable: Variable) -> VariableView {
    let warning = variable.key.warning();
    let source = match variable.source {
        Source::Plain { value, sensitive } => SourceView::Plain { value, sensitive },
        Source::Secret { credential, secret_name, json_key } => SourceView::Secret {
            credential: credential.id,
            credential_name: credential.name,
            delivery: Delivery::of(credential.method),
            secret_name,
            json_key,
        },
    };
    VariableView { id: variable.id, key: variable.key, source, warning }
}

pub fn credential_choice(credential: Credential) -> CredentialChoice {
    let method = credential.auth.method();
    CredentialChoice {
        id: credential.id,
        name: credential.name,
        store: credential.store,
        delivery: Delivery::of(method),
        is_default: credential.is_default,
    }
}
