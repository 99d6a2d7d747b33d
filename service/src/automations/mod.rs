//! Automations: what a deployment worker runs, with the environment it gets. Each has a name
//! unique in its organization and a set of environment variables (`variables`); the Secret Name
//! field's suggestions come from `secret_names`.
pub mod secret_names;
pub mod variables;

use chrono::Utc;
use migration::constraints::AUTOMATION_NAME;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;
use vocabulary::{
    audit::{AuditAction, AuditTarget},
    ids::{AutomationId, OrgId, WorkloadIdentityConfigId},
    name::Name,
};

use crate::{
    access::{Authorized, Manage, Read, resource::Automations},
    audit::{self, Change},
    db::{begin_write, count_by, lock_organization, unique::violates},
    entity::{automation, environment_variable as variable},
    error::{ServiceError, ServiceResult},
};

pub type Reader = Authorized<Read<Automations>>;
pub type Manager = Authorized<Manage<Automations>>;

const MAX_NAME: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Automation {
    pub id: AutomationId,
    pub org_id: OrgId,
    pub name: String,
    /// The workload identity config whose role its runs assume.
    pub run_role: Option<WorkloadIdentityConfigId>,
}

impl From<automation::Model> for Automation {
    fn from(model: automation::Model) -> Self {
        Self {
            id: model.id.into(),
            org_id: model.org_id.into(),
            name: model.name,
            run_role: model.run_role_config_id.map(Into::into),
        }
    }
}

/// A row of the list: the automation, how many variables it has, its newest deployment and
/// its last kickoff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub automation: Automation,
    pub variables: u64,
    pub current_deployment: Option<u32>,
    pub last_kickoff: Option<chrono::DateTime<Utc>>,
}

pub fn parse_name(text: &str) -> ServiceResult<Name> {
    Ok(Name::parse("name", text, MAX_NAME, "nightly-backup")?)
}

pub async fn list(db: &impl ConnectionTrait, reader: &Reader) -> ServiceResult<Vec<Summary>> {
    let automations = automation::Entity::find()
        .filter(automation::Column::OrgId.eq(reader.org_id().as_uuid()))
        .order_by_asc(automation::Column::NameKey)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = automations.iter().map(|a| a.id).collect();
    let counts = count_by::<variable::Entity>(db, variable::Column::AutomationId, ids.iter().copied()).await?;
    let deployments = crate::deployments::current_numbers(db, &ids).await?;
    let kickoffs = crate::deployments::kickoffs::last_times(db, &ids).await?;
    Ok(automations
        .into_iter()
        .map(|model| {
            let variables = counts.get(&model.id).copied().unwrap_or(0);
            let current_deployment = deployments.get(&model.id).copied();
            let last_kickoff = kickoffs.get(&model.id).copied();
            Summary { automation: model.into(), variables, current_deployment, last_kickoff }
        })
        .collect())
}

/// One automation of the reader's organization; another organization's answers as not found.
pub async fn get(db: &impl ConnectionTrait, reader: &Reader, id: AutomationId) -> ServiceResult<Automation> {
    find_model(db, reader.org_id(), id).await.map(Automation::from)
}

pub(crate) async fn find_model(
    db: &impl ConnectionTrait,
    org: OrgId,
    id: AutomationId,
) -> ServiceResult<automation::Model> {
    automation::Entity::find_by_id(id.as_uuid())
        .filter(automation::Column::OrgId.eq(org.as_uuid()))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound { what: "The automation" })
}

pub async fn create(db: &impl TransactionTrait, actor: &Manager, name: Name) -> ServiceResult<Automation> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let model = automation::ActiveModel {
        id: Set(AutomationId::new().as_uuid()),
        org_id: Set(actor.org_id().as_uuid()),
        name: Set(name.to_string()),
        name_key: Set(name.key().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        run_role_config_id: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(|e| name_taken(e, name.as_str()))?;
    record(&txn, actor, AuditAction::AutomationCreate, &model, json!({ "name": model.name })).await?;
    txn.commit().await?;
    Ok(model.into())
}

pub async fn rename(
    db: &impl TransactionTrait,
    actor: &Manager,
    id: AutomationId,
    name: Name,
) -> ServiceResult<Automation> {
    let txn = begin_write(db).await?;
    let existing = find_model(&txn, actor.org_id(), id).await?;
    let before = existing.name.clone();
    let mut model: automation::ActiveModel = existing.into();
    model.name = Set(name.to_string());
    model.name_key = Set(name.key().to_owned());
    model.updated_at = Set(Utc::now());
    let model = model.update(&txn).await.map_err(|e| name_taken(e, name.as_str()))?;
    record(&txn, actor, AuditAction::AutomationRename, &model, json!({ "name": model.name, "previous_name": before }))
        .await?;
    txn.commit().await?;
    Ok(model.into())
}

/// Names the workload identity config whose role the automation's runs assume (`None`: runs get
/// no AWS credentials of their own). The next deployment freezes the choice.
pub async fn set_run_role(
    db: &impl TransactionTrait,
    actor: &Manager,
    id: AutomationId,
    config: Option<WorkloadIdentityConfigId>,
) -> ServiceResult<Automation> {
    let txn = begin_write(db).await?;
    // Config deletes take this lock too; the foreign key would refuse one anyway, less clearly.
    lock_organization(&txn, actor.org_id()).await?;
    let existing = find_model(&txn, actor.org_id(), id).await?;
    let chosen = match config {
        Some(config) => Some(crate::workload_identity::find_in_org(&txn, actor.org_id(), config).await.map_err(
            |error| match error {
                ServiceError::NotFound { .. } => ServiceError::invalid(
                    "run_role",
                    "That workload identity config is not one of this organization's: choose one from the list.",
                ),
                other => other,
            },
        )?),
        None => None,
    };
    if let Some(vault) = chosen.as_ref().filter(|c| c.provider() != vocabulary::aws::CloudProvider::Aws) {
        return Err(ServiceError::invalid(
            "run_role",
            format!(
                "'{}' is a {} config: runs assume an AWS role, so choose an AWS config.",
                vault.name,
                vault.provider().label()
            ),
        ));
    }
    let previous = existing.run_role_config_id;
    let mut model: automation::ActiveModel = existing.into();
    model.run_role_config_id = Set(chosen.as_ref().map(|c| c.id.as_uuid()));
    model.updated_at = Set(Utc::now());
    let model = model.update(&txn).await?;
    if previous != model.run_role_config_id {
        let details = json!({
            "name": model.name,
            "aws_role_for_runs": chosen.as_ref().map(|c| &c.name),
            "role_arn": chosen.as_ref().and_then(|c| c.aws().ok()).map(|aws| aws.role_arn().to_string()),
        });
        record(&txn, actor, AuditAction::AutomationRunRole, &model, details).await?;
    }
    txn.commit().await?;
    Ok(model.into())
}

/// Deletes the automation with its variables.
pub async fn delete(db: &impl TransactionTrait, actor: &Manager, id: AutomationId) -> ServiceResult<()> {
    let txn = begin_write(db).await?;
    let existing = find_model(&txn, actor.org_id(), id).await?;
    let keys: Vec<String> = variable::Entity::find()
        .filter(variable::Column::AutomationId.eq(existing.id))
        .order_by_asc(variable::Column::Key)
        .all(&txn)
        .await?
        .into_iter()
        .map(|v| v.key.0.to_string())
        .collect();
    automation::Entity::delete_by_id(existing.id).exec(&txn).await?;
    record(&txn, actor, AuditAction::AutomationDelete, &existing, json!({ "name": existing.name, "variables": keys }))
        .await?;
    txn.commit().await?;
    Ok(())
}

async fn record(
    db: &impl ConnectionTrait,
    actor: &Manager,
    action: AuditAction,
    model: &automation::Model,
    details: serde_json::Value,
) -> ServiceResult<()> {
    let change = Change {
        org_id: Some(actor.org_id()),
        actor: actor.actor(),
        action,
        target: AuditTarget::Automation(model.id.into()),
        details,
    };
    audit::record(db, change).await
}

fn name_taken(error: DbErr, name: &str) -> ServiceError {
    if violates(&error, &AUTOMATION_NAME) {
        ServiceError::NameTaken { what: "An automation", name: name.to_owned(), within_org: true }
    } else {
        error.into()
    }
}
