//! Settings → Workload Identity: configs, their default, the trust-policy helper, Test Connection.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigView {
    pub id: Uuid,
    pub name: String,
    /// `aws`, as the form's select sends it.
    pub provider: String,
    pub provider_label: String,
    pub role_arn: String,
    pub region: String,
    pub is_default: bool,
}

/// (code, location) of a region the form offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionOption {
    pub code: String,
    pub location: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadIdentityPage {
    pub configs: Vec<ConfigView>,
    pub regions: Vec<RegionOption>,
    /// What Test Connection will check, shown while it runs.
    pub test_steps: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustSetupView {
    /// What AWS would refuse about the issuer these policies name.
    pub issuer_warnings: Vec<String>,
    pub trust_policy: String,
    pub permissions_policy: String,
    pub cli_commands: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepStatus {
    Passed,
    Failed,
    Skipped,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub title: String,
    pub status: StepStatus,
    pub detail: String,
    pub warnings: Vec<String>,
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

#[cfg(feature = "ssr")]
mod convert {
    use service::{
        aws::connection_test::{ConnectionReport, StepOutcome},
        workload_identity::WorkloadIdentityConfig,
    };

    use super::*;

    pub fn config(config: WorkloadIdentityConfig) -> ConfigView {
        ConfigView {
            id: config.id.as_uuid(),
            name: config.name,
            provider: config.provider.as_str().to_owned(),
            provider_label: config.provider.label().to_owned(),
            role_arn: config.role_arn.to_string(),
            region: config.region.to_string(),
            is_default: config.is_default,
        }
    }

    pub fn report(report: ConnectionReport) -> ConnectionReportView {
        let steps = report
            .steps
            .iter()
            .map(|step| {
                let bare = |status, detail: &str| StepView {
                    title: step.step.title().to_owned(),
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
}

#[server(endpoint = "workload_identity/list")]
pub async fn list_workload_identity_configs() -> Result<WorkloadIdentityPage, AppError> {
    use crate::auth;
    use service::{
        aws::{connection_test::CheckStep, region::KNOWN_REGIONS},
        permission::{Permission, Resource},
        workload_identity,
    };

    let (state, member) = auth::authorize(Permission::read(Resource::WorkloadIdentityConfigs)).await?;
    let configs = workload_identity::list(&state.db, member.org_id).await.or_else(auth::fail)?;
    Ok(WorkloadIdentityPage {
        configs: configs.into_iter().map(convert::config).collect(),
        regions: KNOWN_REGIONS
            .iter()
            .map(|(code, location)| RegionOption { code: (*code).to_owned(), location: (*location).to_owned() })
            .collect(),
        test_steps: CheckStep::WORKLOAD_IDENTITY.iter().map(|step| step.title().to_owned()).collect(),
    })
}

#[server(endpoint = "workload_identity/create")]
pub async fn create_workload_identity_config(
    name: String,
    provider: String,
    role_arn: String,
    region: String,
    set_default: Option<bool>,
) -> Result<ConfigView, AppError> {
    use crate::auth;
    use service::{
        permission::{Permission, Resource},
        workload_identity::{self, ConfigInput, DefaultChoice},
    };

    let (state, member) = auth::authorize(Permission::manage(Resource::WorkloadIdentityConfigs)).await?;
    let input = ConfigInput::parse(&name, &provider, &role_arn, &region).or_else(auth::fail)?;
    let default = match set_default {
        None => DefaultChoice::Automatic,
        Some(true) => DefaultChoice::Yes,
        Some(false) => DefaultChoice::No,
    };
    let created = workload_identity::create(&state.db, &member, input, default).await.or_else(auth::fail)?;
    Ok(convert::config(created))
}

#[server(endpoint = "workload_identity/update")]
pub async fn update_workload_identity_config(
    id: Uuid,
    name: String,
    provider: String,
    role_arn: String,
    region: String,
    set_default: bool,
) -> Result<ConfigView, AppError> {
    use crate::auth;
    use service::{
        permission::{Permission, Resource},
        workload_identity::{self, ConfigInput},
    };

    let (state, member) = auth::authorize(Permission::manage(Resource::WorkloadIdentityConfigs)).await?;
    let input = ConfigInput::parse(&name, &provider, &role_arn, &region).or_else(auth::fail)?;
    let updated =
        workload_identity::update(&state.db, &member, id.into(), input, set_default).await.or_else(auth::fail)?;
    Ok(convert::config(updated))
}

#[server(endpoint = "workload_identity/make_default")]
pub async fn make_default_workload_identity_config(id: Uuid) -> Result<(), AppError> {
    use crate::auth;
    use service::{
        permission::{Permission, Resource},
        workload_identity,
    };

    let (state, member) = auth::authorize(Permission::manage(Resource::WorkloadIdentityConfigs)).await?;
    workload_identity::make_default(&state.db, &member, id.into()).await.or_else(auth::fail)?;
    Ok(())
}

#[server(endpoint = "workload_identity/delete")]
pub async fn delete_workload_identity_config(id: Uuid) -> Result<(), AppError> {
    use crate::auth;
    use service::{
        permission::{Permission, Resource},
        workload_identity,
    };

    let (state, member) = auth::authorize(Permission::manage(Resource::WorkloadIdentityConfigs)).await?;
    workload_identity::delete(&state.db, &member, id.into()).await.or_else(auth::fail)
}

/// The trust policy, permissions policy and CLI commands for a role, from this organization's
/// real issuer and UUID.
#[server(endpoint = "workload_identity/trust_setup")]
pub async fn workload_identity_trust_setup(
    role_arn: String,
    region: String,
    secret_prefix: String,
    kms_key_arn: String,
) -> Result<TrustSetupView, AppError> {
    use crate::auth;
    use service::{
        ServiceError,
        aws::{
            region::Region,
            role_arn::RoleArn,
            trust_setup::{SecretScope, trust_setup},
        },
        permission::{Permission, Resource},
    };

    let (state, member) = auth::authorize(Permission::read(Resource::WorkloadIdentityConfigs)).await?;
    let Some(issuer) = state.issuer.url.as_ref() else {
        return auth::fail(ServiceError::Refused(service::issuer::NO_ISSUER.to_owned()));
    };
    let role: RoleArn = role_arn.parse().or_else(auth::fail)?;
    let region: Region = region.parse().or_else(auth::fail)?;
    let scope = SecretScope { name_prefix: secret_prefix, kms_key_arn: Some(kms_key_arn) };
    let setup = trust_setup(issuer, member.org_id, &role, region, &scope).or_else(auth::fail)?;
    Ok(TrustSetupView {
        issuer_warnings: issuer.warnings().into_iter().map(|w| w.message().to_owned()).collect(),
        trust_policy: setup.trust_policy,
        permissions_policy: setup.permissions_policy,
        cli_commands: setup.cli_commands,
    })
}

#[server(endpoint = "workload_identity/test_connection")]
pub async fn test_workload_identity_connection(id: Uuid) -> Result<ConnectionReportView, AppError> {
    use crate::auth;
    use service::{
        aws::connection_test::check_workload_identity,
        permission::{Permission, Resource},
        workload_identity,
    };

    let (state, member) = auth::authorize(Permission::read(Resource::WorkloadIdentityConfigs)).await?;
    let config = workload_identity::get(&state.db, member.org_id, id.into()).await.or_else(auth::fail)?;
    let report = check_workload_identity(&state.issuer, &state.aws, &config).await;
    tracing::info!(config = %config.id, passed = report.passed(), failed_step = ?report.failed_step(), "test connection");
    Ok(convert::report(report))
}
