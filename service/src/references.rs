//! What uses what. An object in use is not deleted from under its users. Where a row names its
//! object for as long as it lives, the database refuses (foreign keys with `ON DELETE RESTRICT`);
//! a deployment's frozen variables outlive their credential once the deployment's token is
//! revoked, so that rule is checked here, under the organization lock that deploys take too.
//! Either way this module says who uses an object, by name, so the page can say so before anyone
//! tries and the refusal names what to move.
use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select,
};
use uuid::Uuid;
use vocabulary::{
    ids::{CredentialId, OrgId, WorkloadIdentityConfigId},
    used_by::{UsedBy, UserKind},
};

use crate::{
    entity::{automation, credential, deployment, deployment_variable, environment_variable as variable},
    error::{ServiceError, ServiceResult},
};

/// Something other objects can depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Referent {
    /// Used by the credentials that sign in through it, the automations whose runs assume its
    /// role, and the active deployments that froze it as their AWS role for runs.
    WorkloadIdentityConfig(WorkloadIdentityConfigId),
    /// Used by the automations whose variables read secrets through it, and by the active
    /// deployments whose frozen variables do.
    Credential(CredentialId),
}

/// What uses `referent` in `org`.
pub async fn users_of(db: &impl ConnectionTrait, org: OrgId, referent: Referent) -> ServiceResult<UsedBy> {
    let used_by = match referent {
        Referent::WorkloadIdentityConfig(id) => {
            let credentials = names(credentials_using(org, Some(id)), db).await?;
            let automations = names(automations_running_as(org, Some(id)), db).await?;
            let deployments =
                deployments_running_as(db, org, Some(id)).await?.into_iter().map(|(_, name)| name).collect();
            UsedBy::default()
                .with(UserKind::Credentials, credentials)
                .with(UserKind::Automations, automations)
                .with(UserKind::ActiveDeployments, deployments)
        }
        Referent::Credential(id) => {
            let automations = names(automations_using(org, Some(id)), db).await?;
            let deployments = deployments_using(db, org, Some(id)).await?.into_iter().map(|(_, name)| name).collect();
            UsedBy::default().with(UserKind::Automations, automations).with(UserKind::ActiveDeployments, deployments)
        }
    };
    Ok(used_by)
}

/// `InUse`, naming the users, when anything uses `referent`.
pub async fn refuse_if_used(db: &impl ConnectionTrait, org: OrgId, referent: Referent) -> ServiceResult<()> {
    let used_by = users_of(db, org, referent).await?;
    if used_by.is_empty() {
        return Ok(());
    }
    let what = match referent {
        Referent::WorkloadIdentityConfig(_) => "The workload identity config",
        Referent::Credential(_) => "The credential",
    };
    Err(ServiceError::InUse { what, used_by })
}

/// For a list of configs: the credentials, automations and active deployments using each, in
/// three queries.
pub async fn users_by_config(
    db: &impl ConnectionTrait,
    org: OrgId,
) -> ServiceResult<HashMap<WorkloadIdentityConfigId, UsedBy>> {
    let credentials: Vec<(Uuid, String)> = credentials_using(org, None).into_tuple().all(db).await?;
    let automations: Vec<(Uuid, String)> = automations_running_as(org, None).into_tuple().all(db).await?;
    let deployments = deployments_running_as(db, org, None).await?;
    let credentials = credentials.into_iter().map(|(id, name)| (id.into(), UserKind::Credentials, name));
    let automations = automations.into_iter().map(|(id, name)| (id.into(), UserKind::Automations, name));
    let deployments = deployments.into_iter().map(|(id, name)| (id.into(), UserKind::ActiveDeployments, name));
    Ok(grouped(credentials.chain(automations).chain(deployments)))
}

/// For a list of credentials: the automations and active deployments using each, in two queries.
pub async fn users_by_credential(
    db: &impl ConnectionTrait,
    org: OrgId,
) -> ServiceResult<HashMap<CredentialId, UsedBy>> {
    let automations: Vec<(Uuid, String)> = automations_using(org, None).into_tuple().all(db).await?;
    let deployments = deployments_using(db, org, None).await?;
    let automations = automations.into_iter().map(|(id, name)| (id.into(), UserKind::Automations, name));
    let deployments = deployments.into_iter().map(|(id, name)| (id.into(), UserKind::ActiveDeployments, name));
    Ok(grouped(automations.chain(deployments)))
}

/// Rows of (used object, kind of user, user's name), ordered by kind and then name, as groups.
fn grouped<K: std::hash::Hash + Eq>(rows: impl Iterator<Item = (K, UserKind, String)>) -> HashMap<K, UsedBy> {
    let mut users: HashMap<K, UsedBy> = HashMap::new();
    for (key, kind, name) in rows {
        users.entry(key).or_default().push(kind, name);
    }
    users
}

async fn names<E: EntityTrait>(query: Select<E>, db: &impl ConnectionTrait) -> ServiceResult<Vec<String>> {
    let pairs: Vec<(Uuid, String)> = query.into_tuple().all(db).await?;
    Ok(pairs.into_iter().map(|(_, name)| name).collect())
}

/// (config, credential name) for the credentials of `org` that sign in through `config`, or any.
fn credentials_using(org: OrgId, config: Option<WorkloadIdentityConfigId>) -> Select<credential::Entity> {
    let query = credential::Entity::find()
        .select_only()
        .column(credential::Column::WorkloadIdentityConfigId)
        .column(credential::Column::Name)
        .filter(credential::Column::OrgId.eq(org.as_uuid()))
        .filter(credential::Column::WorkloadIdentityConfigId.is_not_null())
        .order_by_asc(credential::Column::Name);
    match config {
        Some(id) => query.filter(credential::Column::WorkloadIdentityConfigId.eq(id.as_uuid())),
        None => query,
    }
}

/// (credential, automation name) for the automations of `org` whose variables read through
/// `credential`, or any; each automation once.
fn automations_using(org: OrgId, credential: Option<CredentialId>) -> Select<variable::Entity> {
    let query = variable::Entity::find()
        .select_only()
        .column(variable::Column::CredentialId)
        .column(automation::Column::Name)
        .distinct()
        .inner_join(automation::Entity)
        .filter(automation::Column::OrgId.eq(org.as_uuid()))
        .filter(variable::Column::CredentialId.is_not_null())
        // PostgreSQL orders a DISTINCT only by what it selects.
        .order_by_asc(automation::Column::Name);
    match credential {
        Some(id) => query.filter(variable::Column::CredentialId.eq(id.as_uuid())),
        None => query,
    }
}

/// (credential, "automation #number") for the deployments of `org` whose token still works and
/// whose frozen variables read through `credential`, or any; each deployment once.
async fn deployments_using(
    db: &impl ConnectionTrait,
    org: OrgId,
    credential: Option<CredentialId>,
) -> ServiceResult<Vec<(Uuid, String)>> {
    let query = deployment_variable::Entity::find()
        .select_only()
        .column(deployment_variable::Column::CredentialId)
        .column(automation::Column::Name)
        .column(deployment::Column::Number)
        .distinct()
        .inner_join(deployment::Entity)
        .join(JoinType::InnerJoin, deployment::Relation::Automation.def())
        .filter(automation::Column::OrgId.eq(org.as_uuid()))
        .filter(deployment::Column::RevokedAt.is_null())
        .filter(deployment_variable::Column::CredentialId.is_not_null())
        .order_by_asc(automation::Column::Name)
        .order_by_asc(deployment::Column::Number);
    let query = match credential {
        Some(id) => query.filter(deployment_variable::Column::CredentialId.eq(id.as_uuid())),
        None => query,
    };
    numbered(query.into_tuple().all(db).await?)
}

/// (used object, "automation #number") from (used object, automation name, deployment number).
fn numbered(rows: Vec<(Uuid, String, i32)>) -> ServiceResult<Vec<(Uuid, String)>> {
    Ok(rows.into_iter().map(|(used, automation, number)| (used, format!("{automation} #{number}"))).collect())
}

/// (config, automation name) for the automations of `org` whose runs assume `config`'s role, or any's.
fn automations_running_as(org: OrgId, config: Option<WorkloadIdentityConfigId>) -> Select<automation::Entity> {
    let query = automation::Entity::find()
        .select_only()
        .column(automation::Column::RunRoleConfigId)
        .column(automation::Column::Name)
        .filter(automation::Column::OrgId.eq(org.as_uuid()))
        .filter(automation::Column::RunRoleConfigId.is_not_null())
        .order_by_asc(automation::Column::Name);
    match config {
        Some(id) => query.filter(automation::Column::RunRoleConfigId.eq(id.as_uuid())),
        None => query,
    }
}

/// (config, "automation #number") for the deployments of `org` whose token still works and which
/// froze `config` as their AWS role for runs, or any.
async fn deployments_running_as(
    db: &impl ConnectionTrait,
    org: OrgId,
    config: Option<WorkloadIdentityConfigId>,
) -> ServiceResult<Vec<(Uuid, String)>> {
    let query = deployment::Entity::find()
        .select_only()
        .column(deployment::Column::RunRoleConfigId)
        .column(automation::Column::Name)
        .column(deployment::Column::Number)
        .inner_join(automation::Entity)
        .filter(automation::Column::OrgId.eq(org.as_uuid()))
        .filter(deployment::Column::RevokedAt.is_null())
        .filter(deployment::Column::RunRoleConfigId.is_not_null())
        .order_by_asc(automation::Column::Name)
        .order_by_asc(deployment::Column::Number);
    let query = match config {
        Some(id) => query.filter(deployment::Column::RunRoleConfigId.eq(id.as_uuid())),
        None => query,
    };
    numbered(query.into_tuple().all(db).await?)
}
