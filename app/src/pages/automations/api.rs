//! Automations, their environment variables, and the Secret Name suggestions.
// A server function takes its form's fields one by one, as the form posts them.
#![allow(clippy::too_many_arguments)]
use leptos::prelude::*;
use vocabulary::{
    dto::{
        automations::{AutomationPage, AutomationSummary, ImportReport, SecretSuggestions, VariableView},
        deployments::{DeploymentView, KickoffPage, NewDeployment},
    },
    env::SourceKind,
    ids::{AutomationId, CredentialId, DeploymentId, VariableId, WorkloadIdentityConfigId},
};

use crate::{codec::FormOrJson, error::AppError};

#[server(endpoint = "automations/list", input = FormOrJson)]
pub async fn list_automations() -> Result<Vec<AutomationSummary>, AppError> {
    use service::{
        access::{Read, resource::Automations},
        automations,
    };

    use crate::{auth, views};

    let (state, proof) = auth::authorize::<Read<Automations>>().await?;
    Ok(automations::list(&state.db, &proof).await?.into_iter().map(views::automation_summary).collect())
}

#[server(endpoint = "automations/create", input = FormOrJson)]
pub async fn create_automation(name: String) -> Result<AutomationId, AppError> {
    use service::{
        access::{Manage, resource::Automations},
        automations,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<Automations>>().await?;
    let name = automations::parse_name(&name)?;
    Ok(automations::create(&state.db, &proof, name).await?.id)
}

#[server(endpoint = "automations/rename", input = FormOrJson)]
pub async fn rename_automation(id: AutomationId, name: String) -> Result<(), AppError> {
    use service::{
        access::{Manage, resource::Automations},
        automations,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<Automations>>().await?;
    let name = automations::parse_name(&name)?;
    automations::rename(&state.db, &proof, id, name).await?;
    Ok(())
}

#[server(endpoint = "automations/delete", input = FormOrJson)]
pub async fn delete_automation(id: AutomationId) -> Result<(), AppError> {
    use service::{
        access::{Manage, resource::Automations},
        automations,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<Automations>>().await?;
    Ok(automations::delete(&state.db, &proof, id).await?)
}

/// The automation with its variables, and the credentials a variable may read through.
#[server(endpoint = "automations/get", input = FormOrJson)]
pub async fn get_automation(id: AutomationId) -> Result<AutomationPage, AppError> {
    use service::{
        access::{
            Read,
            resource::{Automations, SecretProviders, WorkloadIdentityConfigs},
        },
        automations::{self, variables},
        secret_providers, workload_identity,
    };

    use crate::{auth, views};

    let (state, proof) = auth::authorize::<Read<Automations>>().await?;
    let db = &state.db;
    let automation = automations::get(db, &proof, id).await?;
    let variables = variables::list(db, &proof, id).await?;
    // Every built-in role that reads automations reads credentials; a custom one may not.
    let credentials = match state.access.also::<Read<SecretProviders>, _>(&proof) {
        Ok(reader) => secret_providers::list(db, &reader).await?,
        Err(_) => Vec::new(),
    };
    let run_roles = match state.access.also::<Read<WorkloadIdentityConfigs>, _>(&proof) {
        Ok(reader) => workload_identity::list(db, &reader).await?,
        Err(_) => Vec::new(),
    };
    Ok(AutomationPage {
        id: automation.id,
        name: automation.name,
        variables: variables.into_iter().map(views::variable).collect(),
        credentials: credentials.into_iter().map(views::credential_choice).collect(),
        run_role: automation.run_role,
        run_roles: run_roles.into_iter().filter_map(views::run_role_choice).collect(),
    })
}

/// Names the workload identity config whose role the automation's runs assume, or none.
#[server(endpoint = "automations/run_role", input = FormOrJson)]
pub async fn set_run_role(automation: AutomationId, config: Option<WorkloadIdentityConfigId>) -> Result<(), AppError> {
    use service::{
        access::{Manage, resource::Automations},
        automations,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<Automations>>().await?;
    automations::set_run_role(&state.db, &proof, automation, config).await?;
    Ok(())
}

#[server(endpoint = "automations/variables/add", input = FormOrJson)]
pub async fn add_variable(
    automation: AutomationId,
    key: String,
    source: SourceKind,
    value: Option<String>,
    sensitive: Option<bool>,
    credential: Option<CredentialId>,
    secret_name: Option<String>,
    json_key: Option<String>,
) -> Result<VariableView, AppError> {
    use service::{
        access::{Manage, resource::Automations},
        automations::variables,
    };

    use crate::{auth, views};

    let (state, proof) = auth::authorize::<Manage<Automations>>().await?;
    let input = variable_input(&key, source, value, sensitive, credential, secret_name, json_key)?;
    let added = variables::add(&state.db, &state.master_key, &proof, automation, input).await?;
    Ok(views::variable(added))
}

/// A sensitive value left empty keeps the stored one.
#[server(endpoint = "automations/variables/update", input = FormOrJson)]
pub async fn update_variable(
    id: VariableId,
    key: String,
    source: SourceKind,
    value: Option<String>,
    sensitive: Option<bool>,
    credential: Option<CredentialId>,
    secret_name: Option<String>,
    json_key: Option<String>,
) -> Result<VariableView, AppError> {
    use service::{
        access::{Manage, resource::Automations},
        automations::variables,
    };

    use crate::{auth, views};

    let (state, proof) = auth::authorize::<Manage<Automations>>().await?;
    let input = variable_input(&key, source, value, sensitive, credential, secret_name, json_key)?;
    let updated = variables::update(&state.db, &state.master_key, &proof, id, input).await?;
    Ok(views::variable(updated))
}

/// The variable form's fields, parsed: the source decides which count.
#[cfg(feature = "ssr")]
fn variable_input(
    key: &str,
    source: SourceKind,
    value: Option<String>,
    sensitive: Option<bool>,
    credential: Option<CredentialId>,
    secret_name: Option<String>,
    json_key: Option<String>,
) -> Result<service::automations::variables::VariableInput, AppError> {
    use service::automations::variables::{VariableForm, VariableInput};

    Ok(VariableInput::parse(VariableForm {
        key,
        source,
        value: value.as_deref().unwrap_or_default(),
        sensitive: sensitive.unwrap_or(false),
        credential,
        secret_name: secret_name.as_deref().unwrap_or_default(),
        json_key: json_key.as_deref().unwrap_or_default(),
    })?)
}

#[server(endpoint = "automations/variables/delete", input = FormOrJson)]
pub async fn delete_variable(id: VariableId) -> Result<(), AppError> {
    use service::{
        access::{Manage, resource::Automations},
        automations::variables,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<Automations>>().await?;
    Ok(variables::delete(&state.db, &proof, id).await?)
}

/// Adds the plain variables of a pasted `.env` block; says which lines were not added and why.
#[server(endpoint = "automations/variables/import", input = FormOrJson)]
pub async fn import_variables(automation: AutomationId, text: String) -> Result<ImportReport, AppError> {
    use service::{
        access::{Manage, resource::Automations},
        automations::variables,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<Automations>>().await?;
    Ok(variables::import(&state.db, &proof, automation, &text).await?)
}

/// Secret names starting with `query`, from the credential's AWS account.
#[server(endpoint = "automations/secret_names", input = FormOrJson)]
pub async fn suggest_secret_names(credential: CredentialId, query: String) -> Result<SecretSuggestions, AppError> {
    use service::{
        access::{
            Manage, Read,
            resource::{Automations, SecretProviders},
        },
        secret_providers,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<Automations>>().await?;
    let reader = state.access.also::<Read<SecretProviders>, _>(&proof)?;
    let credential = secret_providers::get(&state.db, &reader, credential).await?;
    state.secret_names.suggest(state.providers(), &proof, &credential, &query).await.map_err(|e| {
        if let Some(seconds) = e.retry_after_secs() {
            auth::retry_after(seconds);
        }
        e.into()
    })
}

/// Deploys the automation as its variables are now; the answer carries the token, shown once.
#[server(endpoint = "automations/deploy", input = FormOrJson)]
pub async fn deploy_automation(automation: AutomationId) -> Result<NewDeployment, AppError> {
    use service::{
        access::{Manage, resource::Automations},
        deployments,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<Automations>>().await?;
    Ok(deployments::deploy(&state.db, state.aws(), &proof, automation).await?)
}

#[server(endpoint = "automations/deployments", input = FormOrJson)]
pub async fn list_deployments(automation: AutomationId) -> Result<Vec<DeploymentView>, AppError> {
    use service::{
        access::{Read, resource::Automations},
        deployments,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Read<Automations>>().await?;
    Ok(deployments::list(&state.db, &proof, automation).await?)
}

#[server(endpoint = "automations/revoke_token", input = FormOrJson)]
pub async fn revoke_deployment_token(deployment: DeploymentId) -> Result<DeploymentView, AppError> {
    use service::{
        access::{Manage, resource::Automations},
        deployments,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<Automations>>().await?;
    Ok(deployments::revoke_token(&state.db, &proof, deployment).await?)
}

/// A page of the automation's kickoffs, newest first; `after` is the previous page's `next`.
#[server(endpoint = "automations/kickoffs", input = FormOrJson)]
pub async fn list_kickoffs(automation: AutomationId, after: Option<String>) -> Result<KickoffPage, AppError> {
    use service::{
        access::{Read, resource::Automations},
        deployments::kickoffs,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Read<Automations>>().await?;
    let after = after.filter(|a| !a.is_empty());
    Ok(kickoffs::history(&state.db, &proof, automation, after.as_deref(), kickoffs::DEFAULT_PAGE).await?)
}

crate::codec::form_or_json!(
    ListAutomations,
    CreateAutomation,
    RenameAutomation,
    DeleteAutomation,
    GetAutomation,
    SetRunRole,
    AddVariable,
    UpdateVariable,
    DeleteVariable,
    ImportVariables,
    SuggestSecretNames,
    DeployAutomation,
    ListDeployments,
    RevokeDeploymentToken,
    ListKickoffs,
);
