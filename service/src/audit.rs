//! The audit log: every change, who made it, to what, and when. Written in the same transaction
//! as the change it records, so one never lands without the other.
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::Value;
pub use vocabulary::audit::{Actor, AuditAction, AuditTarget};
use vocabulary::ids::OrgId;

use crate::{
    access::{Authorized, Read, resource},
    db::text::{CorruptValue, Text},
    entity::audit_log,
    error::{ServiceError, ServiceResult},
};

pub struct Change {
    pub org_id: Option<OrgId>,
    pub actor: Actor,
    pub action: AuditAction,
    pub target: AuditTarget,
    /// Never a secret: names, ids and roles only.
    pub details: Value,
}

/// One recorded change, as read back.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub org_id: Option<OrgId>,
    pub actor: Actor,
    pub action: AuditAction,
    pub target: AuditTarget,
    pub details: Value,
    pub at: DateTime<Utc>,
}

impl TryFrom<audit_log::Model> for AuditEntry {
    type Error = ServiceError;
    fn try_from(row: audit_log::Model) -> ServiceResult<Self> {
        let details = serde_json::from_str(&row.details).map_err(|_| {
            ServiceError::CorruptRecord(CorruptValue { column: "details".to_owned(), kind: "JSON", value: row.details })
        })?;
        Ok(Self {
            id: row.id,
            org_id: row.org_id.map(OrgId::from),
            actor: row.actor.0,
            action: row.action.0,
            target: row.target.0,
            details,
            at: row.created_at,
        })
    }
}

pub async fn record(db: &impl ConnectionTrait, change: Change) -> ServiceResult<()> {
    audit_log::ActiveModel {
        org_id: Set(change.org_id.map(|id| id.as_uuid())),
        actor: Set(Text(change.actor)),
        action: Set(Text(change.action)),
        target: Set(Text(change.target)),
        details: Set(change.details.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The newest entries of the proven member's organization, newest first.
pub async fn recent(
    db: &impl ConnectionTrait,
    reader: &Authorized<Read<resource::AuditLog>>,
    limit: u64,
) -> ServiceResult<Vec<AuditEntry>> {
    audit_log::Entity::find()
        .filter(audit_log::Column::OrgId.eq(reader.org_id().as_uuid()))
        .order_by_desc(audit_log::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(AuditEntry::try_from)
        .collect()
}
