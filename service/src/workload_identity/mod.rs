//! Workload identity configurations: the cloud role an organization's tokens are traded for.
//! At most one default per (organization, provider): a partial unique index guarantees it, and
//! changes run under the organization's lock so concurrent requests take turns rather than fail.
pub mod assistant;
mod input;

use chrono::Utc;
use migration::constraints::WORKLOAD_IDENTITY_CONFIG_NAME;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::json;
use vocabulary::{
    audit::{AuditAction, AuditTarget},
    aws::{CloudProvider, Region, RoleArn},
    ids::{OrgId, WorkloadIdentityConfigId},
    providers::{AwsRole, IdentityTarget},
    vault::VaultLogin,
};

pub use self::input::{ConfigForm, ConfigInput};
pub use crate::db::defaults::DefaultChoice;
use crate::{
    access::{Authorized, Manage, Read, resource::WorkloadIdentityConfigs},
    audit::{self, Change},
    aws::connection_test::check_workload_identity,
    connection_test::ConnectionReport,
    db::{begin_write, defaults::DefaultSlot, lock_organization, text::Text, unique::violates},
    entity::workload_identity_config as config,
    error::{ServiceError, ServiceResult},
    providers::Providers,
    references::{Referent, refuse_if_used},
    vault::connection_test::check_login,
};

type Reader = Authorized<Read<WorkloadIdentityConfigs>>;
pub type Manager = Authorized<Manage<WorkloadIdentityConfigs>>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadIdentityConfig {
    pub id: WorkloadIdentityConfigId,
    pub org_id: OrgId,
    pub name: String,
    pub is_default: bool,
    pub target: IdentityTarget,
    /// Its last save: what was kept for it before (a login, a session) is not reused.
    pub saved_at: chrono::DateTime<Utc>,
}

impl WorkloadIdentityConfig {
    pub fn provider(&self) -> CloudProvider {
        self.target.provider()
    }

    /// The organization and its AWS role, for what only AWS does (STS, IAM, roles for runs).
    pub fn aws(&self) -> ServiceResult<AwsWebIdentity<'_>> {
        match &self.target {
            IdentityTarget::Aws(role) => Ok(AwsWebIdentity { org: self.org_id, role }),
            IdentityTarget::Vault(_) => Err(self.not_for(CloudProvider::Aws)),
        }
    }

    /// Where and as whom to log in, for what only Vault does.
    pub fn vault(&self) -> ServiceResult<&VaultLogin> {
        match &self.target {
            IdentityTarget::Vault(login) => Ok(login),
            IdentityTarget::Aws(_) => Err(self.not_for(CloudProvider::Vault)),
        }
    }

    fn not_for(&self, wanted: CloudProvider) -> ServiceError {
        ServiceError::invalid(
            "workload_identity_config",
            format!(
                "'{}' is a {} config; this needs a {} one: choose a config of that provider.",
                self.name,
                self.provider().label(),
                wanted.label()
            ),
        )
    }
}

/// An AWS config as the code that signs in to AWS needs it: whose tokens, traded for which role.
#[derive(Clone, Copy, Debug)]
pub struct AwsWebIdentity<'a> {
    pub org: OrgId,
    pub role: &'a AwsRole,
}

impl<'a> AwsWebIdentity<'a> {
    pub fn role_arn(&self) -> &'a RoleArn {
        &self.role.role_arn
    }

    pub fn region(&self) -> Region {
        self.role.region
    }
}

impl TryFrom<config::Model> for WorkloadIdentityConfig {
    type Error = ServiceError;

    fn try_from(model: config::Model) -> ServiceResult<Self> {
        let target = match (model.provider.0, model.role_arn, model.region) {
            (CloudProvider::Aws, Some(role_arn), Some(region)) => IdentityTarget::Aws(AwsRole {
                role_arn: role_arn.0,
                region: region.0,
                session_tags: model.session_tags,
            }),
            (CloudProvider::Vault, ..) if model.vault_address.is_some() => {
                match (model.vault_address, model.vault_auth_mount, model.vault_role, model.vault_audience) {
                    (Some(address), Some(auth_mount), Some(role), Some(audience)) => {
                        IdentityTarget::Vault(VaultLogin {
                            address: address.0,
                            auth_mount: auth_mount.0,
                            role: role.0,
                            audience: audience.0,
                            namespace: model.vault_namespace.map(|n| n.0),
                        })
                    }
                    _ => return Err(lacks_columns(model.id)),
                }
            }
            _ => {
                return Err(lacks_columns(model.id));
            }
        };
        Ok(Self {
            id: model.id.into(),
            org_id: model.org_id.into(),
            name: model.name,
            is_default: model.is_default,
            target,
            saved_at: model.updated_at,
        })
    }
}

fn lacks_columns(id: uuid::Uuid) -> ServiceError {
    ServiceError::Internal(format!("workload identity config {id} lacks the columns of its provider"))
}

/// Test Connection for a config: the issuer, a token, and the provider's sign-in (AWS STS, or a
/// Vault JWT login).
pub async fn test_connection(providers: Providers<'_>, config: &WorkloadIdentityConfig) -> ConnectionReport {
    let issuer = providers.aws.issuer;
    match &config.target {
        IdentityTarget::Aws(_) => check_workload_identity(issuer, providers.aws.sdk, config).await,
        IdentityTarget::Vault(login) => check_login(issuer, providers.vault, config.org_id, login).await,
    }
}

/// One default config per (organization, cloud provider).
const DEFAULT: DefaultSlot<config::Column> =
    DefaultSlot { org: config::Column::OrgId, scope: config::Column::Provider, is_default: config::Column::IsDefault };

pub async fn list(db: &impl ConnectionTrait, reader: &Reader) -> ServiceResult<Vec<WorkloadIdentityConfig>> {
    config::Entity::find()
        .filter(config::Column::OrgId.eq(reader.org_id().as_uuid()))
        .order_by_asc(config::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(WorkloadIdentityConfig::try_from)
        .collect()
}

/// One config of the reader's organization; another organization's answers as not found.
pub async fn get(
    db: &impl ConnectionTrait,
    reader: &Reader,
    id: WorkloadIdentityConfigId,
) -> ServiceResult<WorkloadIdentityConfig> {
    find_in_org(db, reader.org_id(), id).await
}

/// One config of `org`, for other features of the same organization (a credential naming it).
pub(crate) async fn find_in_org(
    db: &impl ConnectionTrait,
    org_id: OrgId,
    id: WorkloadIdentityConfigId,
) -> ServiceResult<WorkloadIdentityConfig> {
    find_model(db, org_id, id).await?.try_into()
}

async fn find_model(
    db: &impl ConnectionTrait,
    org_id: OrgId,
    id: WorkloadIdentityConfigId,
) -> ServiceResult<config::Model> {
    config::Entity::find_by_id(id.as_uuid())
        .filter(config::Column::OrgId.eq(org_id.as_uuid()))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound { what: "The workload identity config" })
}

pub async fn create(
    db: &impl TransactionTrait,
    actor: &Manager,
    input: ConfigInput,
    default: DefaultChoice,
) -> ServiceResult<WorkloadIdentityConfig> {
    let org_id = actor.org_id();
    let txn = begin_write(db).await?;
    lock_organization(&txn, org_id).await?;
    let is_default = DEFAULT.decide::<config::Entity>(&txn, org_id, Text(input.target.provider()), default).await?;
    if is_default {
        DEFAULT.clear::<config::Entity>(&txn, org_id, Text(input.target.provider())).await?;
    }
    let mut model = config::ActiveModel {
        id: Set(WorkloadIdentityConfigId::new().as_uuid()),
        org_id: Set(org_id.as_uuid()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    write(&mut model, &input, is_default);
    let model = model.insert(&txn).await.map_err(|e| name_taken(e, input.name.as_str()))?;
    record(&txn, actor, AuditAction::WorkloadIdentityCreate, &model).await?;
    txn.commit().await?;
    model.try_into()
}

/// Saves the edited fields; `is_default` makes it the default (clearing the other) or not.
pub async fn update(
    db: &impl TransactionTrait,
    actor: &Manager,
    id: WorkloadIdentityConfigId,
    input: ConfigInput,
    is_default: bool,
) -> ServiceResult<WorkloadIdentityConfig> {
    let txn = begin_write(db).await?;
    lock_organization(&txn, actor.org_id()).await?;
    let existing = find_model(&txn, actor.org_id(), id).await?;
    if is_default {
        DEFAULT.clear::<config::Entity>(&txn, actor.org_id(), Text(input.target.provider())).await?;
    }
    let mut model: config::ActiveModel = existing.into();
    write(&mut model, &input, is_default);
    let model = model.update(&txn).await.map_err(|e| name_taken(e, input.name.as_str()))?;
    record(&txn, actor, AuditAction::WorkloadIdentityUpdate, &model).await?;
    txn.commit().await?;
    model.try_into()
}

/// Makes `id` its provider's default and clears the previous default, in one transaction.
pub async fn make_default(
    db: &impl TransactionTrait,
    actor: &Manager,
    id: WorkloadIdentityConfigId,
) -> ServiceResult<WorkloadIdentityConfig> {
    let txn = begin_write(db).await?;
    lock_organization(&txn, actor.org_id()).await?;
    let existing = find_model(&txn, actor.org_id(), id).await?;
    if existing.is_default {
        return existing.try_into();
    }
    DEFAULT.clear::<config::Entity>(&txn, actor.org_id(), existing.provider).await?;
    let mut model: config::ActiveModel = existing.into();
    model.is_default = Set(true);
    model.updated_at = Set(Utc::now());
    let model = model.update(&txn).await?;
    record(&txn, actor, AuditAction::WorkloadIdentityMakeDefault, &model).await?;
    txn.commit().await?;
    model.try_into()
}

pub async fn delete(db: &impl TransactionTrait, actor: &Manager, id: WorkloadIdentityConfigId) -> ServiceResult<()> {
    let txn = begin_write(db).await?;
    lock_organization(&txn, actor.org_id()).await?;
    let existing = find_model(&txn, actor.org_id(), id).await?;
    refuse_if_used(&txn, actor.org_id(), Referent::WorkloadIdentityConfig(id)).await?;
    config::Entity::delete_by_id(existing.id).exec(&txn).await?;
    record(&txn, actor, AuditAction::WorkloadIdentityDelete, &existing).await?;
    txn.commit().await?;
    Ok(())
}

/// The fields an admin edits, as one form saves them.
fn write(model: &mut config::ActiveModel, input: &ConfigInput, is_default: bool) {
    model.name = Set(input.name.to_string());
    model.name_key = Set(input.name.key().to_owned());
    model.provider = Set(Text(input.target.provider()));
    model.is_default = Set(is_default);
    // Every provider's columns are written, the other provider's as NULL, so a config whose
    // provider changed keeps nothing of the old one (a check constraint insists).
    let (aws, vault) = match &input.target {
        IdentityTarget::Aws(role) => (Some(role), None),
        IdentityTarget::Vault(login) => (None, Some(login)),
    };
    model.role_arn = Set(aws.map(|role| Text(role.role_arn.clone())));
    model.region = Set(aws.map(|role| Text(role.region)));
    model.session_tags = Set(aws.is_some_and(|role| role.session_tags));
    model.vault_address = Set(vault.map(|login| Text(login.address.clone())));
    model.vault_auth_mount = Set(vault.map(|login| Text(login.auth_mount.clone())));
    model.vault_role = Set(vault.map(|login| Text(login.role.clone())));
    model.vault_audience = Set(vault.map(|login| Text(login.audience.clone())));
    model.vault_namespace = Set(vault.and_then(|login| login.namespace.clone().map(Text)));
    model.updated_at = Set(Utc::now());
}

async fn record(
    txn: &impl ConnectionTrait,
    actor: &Manager,
    action: AuditAction,
    model: &config::Model,
) -> ServiceResult<()> {
    audit::record(
        txn,
        Change {
            org_id: Some(actor.org_id()),
            actor: actor.actor(),
            action,
            target: AuditTarget::WorkloadIdentityConfig(model.id.into()),
            details: json!({
                "name": model.name,
                "provider": model.provider.0,
                "role_arn": model.role_arn.as_ref().map(|arn| arn.0.to_string()),
                "region": model.region.map(|region| region.0),
                "default": model.is_default,
                "session_tags": model.session_tags,
                "vault_address": model.vault_address.as_ref().map(|a| a.0.to_string()),
                "vault_auth_mount": model.vault_auth_mount.as_ref().map(|m| m.0.to_string()),
                "vault_role": model.vault_role.as_ref().map(|r| r.0.to_string()),
                "vault_audience": model.vault_audience.as_ref().map(|a| a.0.to_string()),
                "vault_namespace": model.vault_namespace.as_ref().map(|n| n.0.to_string()),
            }),
        },
    )
    .await
}

fn name_taken(error: DbErr, name: &str) -> ServiceError {
    if violates(&error, &WORKLOAD_IDENTITY_CONFIG_NAME) {
        ServiceError::NameTaken { what: "A workload identity config", name: name.to_owned(), within_org: true }
    } else {
        error.into()
    }
}
