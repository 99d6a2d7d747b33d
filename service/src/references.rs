//! What uses what. An object in use is not deleted from under its users: the database refuses
//! (foreign keys with `ON DELETE RESTRICT`), and this module first says who uses it, by name, so
//! the page can say so before anyone tries and the refusal names what to move.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;
use vocabulary::ids::{CredentialId, OrgId, WorkloadIdentityConfigId};

use crate::{
    entity::{automation, credential, environment_variable as variable},
    error::{ServiceError, ServiceResult},
};

/// Something other objects can depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Referent {
    WorkloadIdentityConfig(WorkloadIdentityConfigId),
    /// Used by the automations whose variables read secrets through it.
    Credential(CredentialId),
}

/// The names of what uses `referent` in `org`, sorted.
pub async fn users_of(db: &impl ConnectionTrait, org: OrgId, referent: Referent) -> ServiceResult<Vec<String>> {
    match referent {
        Referent::WorkloadIdentityConfig(id) => Ok(credential::Entity::find()
            .filter(credential::Column::OrgId.eq(org.as_uuid()))
            .filter(credential::Column::WorkloadIdentityConfigId.eq(id.as_uuid()))
            .order_by_asc(credential::Column::Name)
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect()),
        Referent::Credential(id) => {
            let automation_ids: Vec<Uuid> = variable::Entity::find()
                .select_only()
                .column(variable::Column::AutomationId)
                .distinct()
                .filter(variable::Column::CredentialId.eq(id.as_uuid()))
                .into_tuple()
                .all(db)
                .await?;
            if automation_ids.is_empty() {
                return Ok(Vec::new());
            }
            Ok(automation::Entity::find()
                .filter(automation::Column::OrgId.eq(org.as_uuid()))
                .filter(automation::Column::Id.is_in(automation_ids))
                .order_by_asc(automation::Column::NameKey)
                .all(db)
                .await?
                .into_iter()
                .map(|a| a.name)
                .collect())
        }
    }
}

/// `InUse`, naming the users, when anything uses `referent`.
pub async fn refuse_if_used(db: &impl ConnectionTrait, org: OrgId, referent: Referent) -> ServiceResult<()> {
    let names = users_of(db, org, referent).await?;
    if names.is_empty() {
        return Ok(());
    }
    let (what, users) = match referent {
        Referent::WorkloadIdentityConfig(_) => ("The workload identity config", "credentials"),
        Referent::Credential(_) => ("The credential", "automations"),
    };
    Err(ServiceError::InUse { what, users, names })
}

/// For a list of configs: the credentials using each, in one query.
pub async fn credentials_by_config(
    db: &impl ConnectionTrait,
    org: OrgId,
) -> ServiceResult<HashMap<WorkloadIdentityConfigId, Vec<String>>> {
    let mut users: HashMap<WorkloadIdentityConfigId, Vec<String>> = HashMap::new();
    let credentials = credential::Entity::find()
        .filter(credential::Column::OrgId.eq(org.as_uuid()))
        .filter(credential::Column::WorkloadIdentityConfigId.is_not_null())
        .order_by_asc(credential::Column::Name)
        .all(db)
        .await?;
    for credential in credentials {
        if let Some(config) = credential.workload_identity_config_id {
            users.entry(config.into()).or_default().push(credential.name);
        }
    }
    Ok(users)
}

/// For a list of credentials: the automations using each (through their variables), in one query.
pub async fn automations_by_credential(
    db: &impl ConnectionTrait,
    org: OrgId,
) -> ServiceResult<HashMap<CredentialId, Vec<String>>> {
    let pairs: Vec<(Uuid, String)> = variable::Entity::find()
        .select_only()
        .column(variable::Column::CredentialId)
        .column(automation::Column::Name)
        .distinct()
        .inner_join(automation::Entity)
        .filter(automation::Column::OrgId.eq(org.as_uuid()))
        .filter(variable::Column::CredentialId.is_not_null())
        // PostgreSQL orders a DISTINCT only by what it selects.
        .order_by_asc(automation::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    let mut users: HashMap<CredentialId, Vec<String>> = HashMap::new();
    for (credential, automation) in pairs {
        users.entry(credential.into()).or_default().push(automation);
    }
    Ok(users)
}
