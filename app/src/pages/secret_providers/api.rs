//! Settings → Secret Provider Credentials: credentials, their default, Test Connection.
// A server function takes its form's fields one by one, as the form posts them.
#![allow(clippy::too_many_arguments)]
use leptos::prelude::*;
use vocabulary::{
    aws::Region,
    dto::{
        connection::ConnectionReportView,
        secret_providers::{CredentialView, CredentialsPage},
    },
    ids::{CredentialId, WorkloadIdentityConfigId},
    providers::{AuthMethod, SecretProvider},
};

use crate::{codec::FormOrJson, error::AppError};

#[server(endpoint = "secret_providers/list", input = FormOrJson)]
pub async fn list_credentials() -> Result<CredentialsPage, AppError> {
    use crate::{auth, views};
    use service::{
        access::{
            Read,
            resource::{SecretProviders, WorkloadIdentityConfigs},
        },
        references, secret_providers, workload_identity,
    };

    let caller = auth::signed_in().await?;
    let proof = caller.authorize::<Read<SecretProviders>>().await?;
    let configs_proof = caller.authorize::<Read<WorkloadIdentityConfigs>>().await?;
    let db = &caller.state.db;
    let credentials = secret_providers::list(db, &proof).await?;
    let configs = workload_identity::list(db, &configs_proof).await?;
    let mut users = references::users_by_credential(db, proof.org_id()).await?;
    Ok(CredentialsPage {
        credentials: credentials
            .into_iter()
            .map(|c| {
                let used_by = users.remove(&c.id).unwrap_or_default();
                views::credential(c, used_by)
            })
            .collect(),
        configs: configs.into_iter().map(views::config_choice).collect(),
    })
}

#[server(endpoint = "secret_providers/create", input = FormOrJson)]
pub async fn create_credential(
    name: String,
    provider: SecretProvider,
    auth_method: AuthMethod,
    workload_identity_config: Option<WorkloadIdentityConfigId>,
    access_key_id: String,
    secret_access_key: String,
    role_arn: String,
    external_id: String,
    region: Option<Region>,
    kv_mount: Option<String>,
    set_default: Option<bool>,
) -> Result<CredentialView, AppError> {
    use service::{
        access::{Manage, resource::SecretProviders},
        secret_providers::{self, CredentialForm, CredentialInput},
    };
    use vocabulary::used_by::UsedBy;

    use crate::{auth, views};

    let (state, proof) = auth::authorize::<Manage<SecretProviders>>().await?;
    let input = CredentialInput::parse(CredentialForm {
        name: &name,
        provider,
        auth_method,
        workload_identity_config,
        access_key_id: &access_key_id,
        secret_access_key: &secret_access_key,
        role_arn: &role_arn,
        external_id: &external_id,
        region: region.unwrap_or(Region::DEFAULT),
        kv_mount: kv_mount.as_deref().unwrap_or_default(),
    })?;
    let created = secret_providers::create(&state.db, &state.master_key, &proof, input, set_default.into()).await?;
    Ok(views::credential(created, UsedBy::default()))
}

/// An empty `secret_access_key` keeps the stored one.
#[server(endpoint = "secret_providers/update", input = FormOrJson)]
pub async fn update_credential(
    id: CredentialId,
    name: String,
    provider: SecretProvider,
    auth_method: AuthMethod,
    workload_identity_config: Option<WorkloadIdentityConfigId>,
    access_key_id: String,
    secret_access_key: String,
    role_arn: String,
    external_id: String,
    region: Option<Region>,
    kv_mount: Option<String>,
    set_default: bool,
) -> Result<CredentialView, AppError> {
    use service::{
        access::{Manage, resource::SecretProviders},
        references::{self, Referent},
        secret_providers::{self, CredentialForm, CredentialInput},
    };

    use crate::{auth, views};

    let (state, proof) = auth::authorize::<Manage<SecretProviders>>().await?;
    let input = CredentialInput::parse(CredentialForm {
        name: &name,
        provider,
        auth_method,
        workload_identity_config,
        access_key_id: &access_key_id,
        secret_access_key: &secret_access_key,
        role_arn: &role_arn,
        external_id: &external_id,
        region: region.unwrap_or(Region::DEFAULT),
        kv_mount: kv_mount.as_deref().unwrap_or_default(),
    })?;
    let updated = secret_providers::update(&state.db, &state.master_key, &proof, id, input, set_default).await?;
    let used_by = references::users_of(&state.db, proof.org_id(), Referent::Credential(id)).await?;
    Ok(views::credential(updated, used_by))
}

#[server(endpoint = "secret_providers/make_default", input = FormOrJson)]
pub async fn make_default_credential(id: CredentialId) -> Result<(), AppError> {
    use service::{
        access::{Manage, resource::SecretProviders},
        secret_providers,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<SecretProviders>>().await?;
    Ok(secret_providers::make_default(&state.db, &proof, id).await?)
}

#[server(endpoint = "secret_providers/delete", input = FormOrJson)]
pub async fn delete_credential(id: CredentialId) -> Result<(), AppError> {
    use service::{
        access::{Manage, resource::SecretProviders},
        secret_providers,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<SecretProviders>>().await?;
    Ok(secret_providers::delete(&state.db, &proof, id).await?)
}

#[server(endpoint = "secret_providers/test_connection", input = FormOrJson)]
pub async fn test_credential_connection(id: CredentialId) -> Result<ConnectionReportView, AppError> {
    use service::{
        access::{Read, resource::SecretProviders},
        secret_providers,
    };

    use crate::{auth, views};

    let (state, proof) = auth::authorize::<Read<SecretProviders>>().await?;
    let credential = secret_providers::get(&state.db, &proof, id).await?;
    let report = secret_providers::test_connection(state.providers(), &credential).await;
    tracing::info!(credential = %credential.id, passed = report.passed(), failed_step = ?report.failed_step(), "test connection");
    Ok(views::report(report))
}

crate::codec::form_or_json!(
    ListCredentials,
    CreateCredential,
    UpdateCredential,
    MakeDefaultCredential,
    DeleteCredential,
    TestCredentialConnection,
);
