//! The audit log: every change, who made it, when. Written in the same transaction as the change.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::Value;

use crate::{
    entity::audit_log,
    error::ServiceResult,
    ids::{OrgId, UserId},
};

/// Who made a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    User(UserId),
    /// An operator at the `wisp` command line.
    Cli,
}

impl Actor {
    fn label(self) -> String {
        match self {
            Actor::User(id) => format!("user:{id}"),
            Actor::Cli => "cli".to_owned(),
        }
    }
}

pub struct Change<'a> {
    pub org_id: Option<OrgId>,
    pub actor: Actor,
    pub action: &'a str,
    pub target: String,
    /// Never a secret: names, ids and roles only.
    pub details: Value,
}

pub async fn record(db: &impl ConnectionTrait, change: Change<'_>) -> ServiceResult<()> {
    audit_log::ActiveModel {
        org_id: Set(change.org_id.map(|id| id.as_uuid())),
        actor: Set(change.actor.label()),
        action: Set(change.action.to_owned()),
        target: Set(change.target),
        details: Set(change.details.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The newest entries of one organization, newest first.
pub async fn recent(db: &impl ConnectionTrait, org_id: OrgId, limit: u64) -> ServiceResult<Vec<audit_log::Model>> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::OrgId.eq(org_id.as_uuid()))
        .order_by_desc(audit_log::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}
