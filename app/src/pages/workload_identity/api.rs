//! Settings → Workload Identity: configs, their default, the trust-policy helper, Test Connection.
// A server function takes its form's fields one by one, as the form posts them.
#![allow(clippy::too_many_arguments)]
use leptos::prelude::*;
use vocabulary::{
    aws::{CloudProvider, Region},
    dto::{
        connection::ConnectionReportView,
        workload_identity::{ConfigView, DiagnoseView, SetupView, TrustSetupView, VaultTrustView},
    },
    ids::{AutomationId, WorkloadIdentityConfigId},
};

use crate::{codec::FormOrJson, error::AppError};

/// The config form's fields, as create and update take them, parsed: absent text is empty.
#[cfg(feature = "ssr")]
macro_rules! config_input {
    ($name:ident, $provider:ident, $role_arn:ident, $region:ident, $session_tags:ident, $vault_address:ident,
     $auth_mount:ident, $vault_role:ident, $audience:ident, $namespace:ident) => {
        ConfigInput::parse(ConfigForm {
            name: &$name,
            provider: $provider,
            role_arn: $role_arn.as_deref().unwrap_or_default(),
            region: $region,
            session_tags: $session_tags.unwrap_or(false),
            vault_address: $vault_address.as_deref().unwrap_or_default(),
            auth_mount: $auth_mount.as_deref().unwrap_or_default(),
            vault_role: $vault_role.as_deref().unwrap_or_default(),
            audience: $audience.as_deref().unwrap_or_default(),
            namespace: $namespace.as_deref().unwrap_or_default(),
        })
    };
}

#[server(endpoint = "workload_identity/list", input = FormOrJson)]
pub async fn list_workload_identity_configs() -> Result<Vec<ConfigView>, AppError> {
    use service::{
        access::{Read, resource::WorkloadIdentityConfigs},
        references, workload_identity,
    };

    use crate::{auth, views};

    let (state, proof) = auth::authorize::<Read<WorkloadIdentityConfigs>>().await?;
    let configs = workload_identity::list(&state.db, &proof).await?;
    let mut users = references::users_by_config(&state.db, proof.org_id()).await?;
    Ok(configs
        .into_iter()
        .map(|c| {
            let used_by = users.remove(&c.id).unwrap_or_default();
            views::config(c, used_by)
        })
        .collect())
}

/// The form's fields: the chosen provider's count, the others are ignored. Empty Vault fields
/// take their defaults (JWT Auth Mount `jwt`, Audience the address, no Namespace).
#[server(endpoint = "workload_identity/create", input = FormOrJson)]
pub async fn create_workload_identity_config(
    name: String,
    provider: Option<CloudProvider>,
    role_arn: Option<String>,
    region: Option<Region>,
    set_default: Option<bool>,
    session_tags: Option<bool>,
    vault_address: Option<String>,
    auth_mount: Option<String>,
    vault_role: Option<String>,
    audience: Option<String>,
    namespace: Option<String>,
) -> Result<ConfigView, AppError> {
    use service::{
        access::{Manage, resource::WorkloadIdentityConfigs},
        workload_identity::{self, ConfigForm, ConfigInput},
    };
    use vocabulary::used_by::UsedBy;

    use crate::{auth, views};

    let (state, proof) = auth::authorize::<Manage<WorkloadIdentityConfigs>>().await?;
    let input = config_input!(
        name,
        provider,
        role_arn,
        region,
        session_tags,
        vault_address,
        auth_mount,
        vault_role,
        audience,
        namespace
    )?;
    let created = workload_identity::create(&state.db, &proof, input, set_default.into()).await?;
    Ok(views::config(created, UsedBy::default()))
}

#[server(endpoint = "workload_identity/update", input = FormOrJson)]
pub async fn update_workload_identity_config(
    id: WorkloadIdentityConfigId,
    name: String,
    provider: Option<CloudProvider>,
    role_arn: Option<String>,
    region: Option<Region>,
    set_default: bool,
    session_tags: Option<bool>,
    vault_address: Option<String>,
    auth_mount: Option<String>,
    vault_role: Option<String>,
    audience: Option<String>,
    namespace: Option<String>,
) -> Result<ConfigView, AppError> {
    use service::{
        access::{Manage, resource::WorkloadIdentityConfigs},
        references::{self, Referent},
        workload_identity::{self, ConfigForm, ConfigInput},
    };

    use crate::{auth, views};

    let (state, proof) = auth::authorize::<Manage<WorkloadIdentityConfigs>>().await?;
    let input = config_input!(
        name,
        provider,
        role_arn,
        region,
        session_tags,
        vault_address,
        auth_mount,
        vault_role,
        audience,
        namespace
    )?;
    let updated = workload_identity::update(&state.db, &proof, id, input, set_default).await?;
    let used_by = references::users_of(&state.db, proof.org_id(), Referent::WorkloadIdentityConfig(id)).await?;
    Ok(views::config(updated, used_by))
}

#[server(endpoint = "workload_identity/make_default", input = FormOrJson)]
pub async fn make_default_workload_identity_config(id: WorkloadIdentityConfigId) -> Result<(), AppError> {
    use service::{
        access::{Manage, resource::WorkloadIdentityConfigs},
        workload_identity,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<WorkloadIdentityConfigs>>().await?;
    workload_identity::make_default(&state.db, &proof, id).await?;
    Ok(())
}

#[server(endpoint = "workload_identity/delete", input = FormOrJson)]
pub async fn delete_workload_identity_config(id: WorkloadIdentityConfigId) -> Result<(), AppError> {
    use service::{
        access::{Manage, resource::WorkloadIdentityConfigs},
        workload_identity,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<WorkloadIdentityConfigs>>().await?;
    Ok(workload_identity::delete(&state.db, &proof, id).await?)
}

/// The trust policy, permissions policy and CLI commands for a role, from this organization's
/// real issuer and UUID: for the organization's own tokens, or for the runs of `automation`
/// (with `sts:TagSession` when the config puts session tags in them).
#[server(endpoint = "workload_identity/trust_setup", input = FormOrJson)]
pub async fn workload_identity_trust_setup(
    role_arn: String,
    region: Region,
    secret_prefix: String,
    kms_key_arn: String,
    automation: Option<AutomationId>,
    session_tags: Option<bool>,
) -> Result<TrustSetupView, AppError> {
    use service::{
        ServiceError,
        access::{
            Read,
            resource::{Automations, WorkloadIdentityConfigs},
        },
        automations,
        aws::trust_setup::{SecretScope, TrustFor, trust_setup},
    };
    use vocabulary::token::Subject;

    use crate::auth;

    let (state, proof) = auth::authorize::<Read<WorkloadIdentityConfigs>>().await?;
    let issuer = state.issuer.configured_url()?;
    let role = role_arn.parse().map_err(ServiceError::from)?;
    let scope = SecretScope { name_prefix: secret_prefix, kms_key_arn: Some(kms_key_arn) };
    let trust_for = match automation {
        None => TrustFor::organization(proof.org_id()),
        Some(id) => {
            let reader = state.access.also::<Read<Automations>, _>(&proof)?;
            let automation = automations::get(&state.db, &reader, id).await?;
            TrustFor {
                subject: Subject::Automation(proof.org_id(), automation.id),
                session_tags: session_tags.unwrap_or(false),
            }
        }
    };
    let setup = trust_setup(issuer, trust_for, &role, region, &scope)?;
    Ok(TrustSetupView {
        issuer_warnings: issuer.warnings().into_iter().map(|w| w.message().to_owned()).collect(),
        trust_policy: setup.trust_policy,
        permissions_policy: setup.permissions_policy,
        cli_commands: setup.cli_commands,
    })
}

/// The `bao` commands that make a Vault trust this organization's tokens, filled in with the
/// Vault fields as typed, the KV mount and the folder its policy reads.
#[server(endpoint = "workload_identity/vault_trust", input = FormOrJson)]
pub async fn vault_trust_setup(
    vault_address: String,
    auth_mount: Option<String>,
    vault_role: String,
    audience: Option<String>,
    namespace: Option<String>,
    kv_mount: Option<String>,
    prefix: Option<String>,
) -> Result<VaultTrustView, AppError> {
    use service::{
        ServiceError,
        access::{Read, resource::WorkloadIdentityConfigs},
        vault::trust::{VaultTrust, parse_prefix},
        workload_identity::ConfigForm,
    };
    use vocabulary::vault::KvMount;

    use crate::auth;

    let (state, proof) = auth::authorize::<Read<WorkloadIdentityConfigs>>().await?;
    let issuer = state.issuer.configured_url()?;
    let login = ConfigForm {
        vault_address: &vault_address,
        auth_mount: auth_mount.as_deref().unwrap_or_default(),
        vault_role: &vault_role,
        audience: audience.as_deref().unwrap_or_default(),
        namespace: namespace.as_deref().unwrap_or_default(),
        ..ConfigForm::default()
    }
    .vault_login()?;
    let kv_mount: KvMount = match kv_mount.as_deref().map(str::trim) {
        None | Some("") => KvMount::DEFAULT,
        Some(typed) => typed,
    }
    .parse()
    .map_err(ServiceError::from)?;
    let prefix = parse_prefix(prefix.as_deref().unwrap_or_default()).map_err(ServiceError::from)?;
    let trust = VaultTrust { issuer, org: proof.org_id(), login: &login, kv_mount: &kv_mount, prefix: &prefix };
    Ok(VaultTrustView { commands: trust.commands() })
}

#[server(endpoint = "workload_identity/test_connection", input = FormOrJson)]
pub async fn test_workload_identity_connection(id: WorkloadIdentityConfigId) -> Result<ConnectionReportView, AppError> {
    use service::{
        access::{Read, resource::WorkloadIdentityConfigs},
        workload_identity,
    };

    use crate::{auth, views};

    let (state, proof) = auth::authorize::<Read<WorkloadIdentityConfigs>>().await?;
    let config = workload_identity::get(&state.db, &proof, id).await?;
    let report = workload_identity::test_connection(state.providers(), &config).await;
    tracing::info!(config = %config.id, passed = report.passed(), failed_step = ?report.failed_step(), "test connection");
    Ok(views::report(report))
}

/// Diagnose: reads the account's provider and role with the caller's IAM credentials (used for
/// this request only) and lists each mismatch.
#[server(endpoint = "workload_identity/aws_diagnose", input = FormOrJson)]
pub async fn diagnose_in_aws(
    id: WorkloadIdentityConfigId,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    runs_of: Option<AutomationId>,
) -> Result<DiagnoseView, AppError> {
    use service::{
        access::{Manage, resource::WorkloadIdentityConfigs},
        workload_identity::assistant::{self, AdminKeys},
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<WorkloadIdentityConfigs>>().await?;
    let keys = AdminKeys::parse(&access_key_id, &secret_access_key, &session_token)?;
    Ok(assistant::diagnose(&state.db, &state.aws, &state.issuer, &proof, id, runs_of, &keys).await?)
}

/// Set up in AWS: the plan (`apply` false), or the changes made and then Test Connection.
#[server(endpoint = "workload_identity/aws_setup", input = FormOrJson)]
pub async fn set_up_in_aws(
    id: WorkloadIdentityConfigId,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    runs_of: Option<AutomationId>,
    apply: bool,
) -> Result<SetupView, AppError> {
    use service::{
        access::{Manage, resource::WorkloadIdentityConfigs},
        aws::connection_test::check_workload_identity,
        workload_identity::{
            self,
            assistant::{self, AdminKeys},
        },
    };

    use crate::{auth, views};

    let (state, proof) = auth::authorize::<Manage<WorkloadIdentityConfigs>>().await?;
    let keys = AdminKeys::parse(&access_key_id, &secret_access_key, &session_token)?;
    let mut view = assistant::set_up(&state.db, &state.aws, &state.issuer, &proof, id, runs_of, &keys, apply).await?;
    if view.applied {
        let config = workload_identity::get(&state.db, &proof.read(), id).await?;
        view.connection = Some(views::report(check_workload_identity(&state.issuer, &state.aws, &config).await));
    }
    Ok(view)
}

crate::codec::form_or_json!(
    ListWorkloadIdentityConfigs,
    CreateWorkloadIdentityConfig,
    UpdateWorkloadIdentityConfig,
    MakeDefaultWorkloadIdentityConfig,
    DeleteWorkloadIdentityConfig,
    WorkloadIdentityTrustSetup,
    VaultTrustSetup,
    TestWorkloadIdentityConnection,
    DiagnoseInAws,
    SetUpInAws,
);
