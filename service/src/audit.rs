//! The audit log: every change, who made it, to what, and when. Written in the same transaction
//! as the change it records, so one never lands without the other.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::Value;
use uuid::Uuid;
pub use vocabulary::audit::{Actor, AuditAction, AuditTarget};
use vocabulary::{
    dto::audit::{ActorChoice, AuditChange, AuditEntryView, AuditPage},
    ids::OrgId,
};

use crate::{
    access::{Authorized, Read, resource},
    db::{
        page_of,
        text::{CorruptValue, Text},
    },
    entity::{audit_log, automation, credential, membership, user, workload_identity_config},
    error::{ServiceError, ServiceResult},
};

pub type Reader = Authorized<Read<resource::AuditLog>>;

/// What the Audit Log page filters by; `None` is anything.
#[derive(Clone, Copy, Debug, Default)]
pub struct Filter {
    pub actor: Option<Actor>,
    pub action: Option<AuditAction>,
}

pub const PAGE: u64 = 50;

/// Detail keys that could ever carry a secret: never shown, whatever a future change records.
const NEVER_SHOWN: &[&str] = &["password", "secret_access_key", "token", "value", "sealed_value", "session_token"];

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

/// A page of the organization's log, newest first, `PAGE` entries after `before` (an entry id).
pub async fn page(
    db: &impl ConnectionTrait,
    reader: &Reader,
    filter: Filter,
    before: Option<i64>,
) -> ServiceResult<AuditPage> {
    let org = reader.org_id().as_uuid();
    let mut query = audit_log::Entity::find().filter(audit_log::Column::OrgId.eq(org));
    if let Some(actor) = filter.actor {
        query = query.filter(audit_log::Column::Actor.eq(actor.to_string()));
    }
    if let Some(action) = filter.action {
        query = query.filter(audit_log::Column::Action.eq(action.as_str()));
    }
    if let Some(before) = before {
        query = query.filter(audit_log::Column::Id.lt(before));
    }
    let rows: Vec<AuditEntry> = query
        .order_by_desc(audit_log::Column::Id)
        .limit(PAGE + 1)
        .all(db)
        .await?
        .into_iter()
        .map(AuditEntry::try_from)
        .collect::<ServiceResult<_>>()?;
    let (rows, next) = page_of(rows, PAGE, |last| last.id);
    let actors: Vec<Actor> = audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::Actor)
        .distinct()
        .filter(audit_log::Column::OrgId.eq(org))
        .into_tuple::<Text<Actor>>()
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.0)
        .collect();
    let names = Names::read(db, org, &actors, &rows).await?;
    let mut choices: Vec<ActorChoice> =
        actors.iter().map(|a| ActorChoice { value: a.to_string(), label: names.actor(*a) }).collect();
    choices.sort_by(|a, b| a.label.cmp(&b.label));
    let entries = rows.iter().map(|entry| names.view(entry)).collect();
    Ok(AuditPage { entries, next, actors: choices })
}

/// Who the actors are and which objects still exist, read once for a page.
struct Names {
    emails: HashMap<Uuid, String>,
    members: HashSet<Uuid>,
    existing: HashSet<Uuid>,
}

impl Names {
    async fn read(db: &impl ConnectionTrait, org: Uuid, actors: &[Actor], rows: &[AuditEntry]) -> ServiceResult<Self> {
        let mut users: Vec<Uuid> = actors
            .iter()
            .filter_map(|a| match a {
                Actor::User(id) => Some(id.as_uuid()),
                _ => None,
            })
            .collect();
        let (mut configs, mut credentials, mut automations) = (Vec::new(), Vec::new(), Vec::new());
        for row in rows {
            match row.target {
                AuditTarget::User(id) => users.push(id.as_uuid()),
                AuditTarget::WorkloadIdentityConfig(id) => configs.push(id.as_uuid()),
                AuditTarget::Credential(id) => credentials.push(id.as_uuid()),
                AuditTarget::Automation(id) => automations.push(id.as_uuid()),
                AuditTarget::Variable(_) | AuditTarget::Deployment(_) => automations.extend(automation_of(row)),
                AuditTarget::Organization(_) => {}
            }
        }
        let emails = user::Entity::find().filter(user::Column::Id.is_in(users.clone())).all(db).await?;
        let members = membership::Entity::find()
            .filter(membership::Column::OrgId.eq(org))
            .filter(membership::Column::UserId.is_in(users))
            .all(db)
            .await?;
        let mut existing = HashSet::new();
        existing.extend(
            ids::<workload_identity_config::Entity>(
                db,
                workload_identity_config::Column::Id,
                workload_identity_config::Column::OrgId,
                org,
                configs,
            )
            .await?,
        );
        existing.extend(
            ids::<credential::Entity>(db, credential::Column::Id, credential::Column::OrgId, org, credentials).await?,
        );
        existing.extend(
            ids::<automation::Entity>(db, automation::Column::Id, automation::Column::OrgId, org, automations).await?,
        );
        Ok(Self {
            emails: emails.into_iter().map(|u| (u.id, u.email)).collect(),
            members: members.into_iter().map(|m| m.user_id).collect(),
            existing,
        })
    }

    fn actor(&self, actor: Actor) -> String {
        match actor {
            Actor::User(id) => {
                self.emails.get(&id.as_uuid()).cloned().unwrap_or_else(|| format!("a deleted user ({id})"))
            }
            Actor::Cli => "Operator (command line)".to_owned(),
            Actor::Wisp => "Wisp".to_owned(),
        }
    }

    fn view(&self, entry: &AuditEntry) -> AuditEntryView {
        let text = |key: &str| entry.details.get(key).and_then(Value::as_str).map(str::to_owned);
        let exists = |id: Uuid| self.existing.contains(&id);
        let (object, href) = match entry.target {
            AuditTarget::Organization(_) => (
                format!("organization {}", text("name").unwrap_or_default()).trim_end().to_owned(),
                Some("/settings/organization".to_owned()),
            ),
            AuditTarget::User(id) => {
                let email =
                    self.emails.get(&id.as_uuid()).cloned().or_else(|| text("email")).unwrap_or_else(|| id.to_string());
                (
                    format!("member {email}"),
                    self.members.contains(&id.as_uuid()).then(|| "/settings/members".to_owned()),
                )
            }
            AuditTarget::WorkloadIdentityConfig(id) => (
                format!("Workload Identity config {}", text("name").unwrap_or_default()),
                exists(id.as_uuid()).then(|| "/settings/workload-identity".to_owned()),
            ),
            AuditTarget::Credential(id) => (
                format!("credential {}", text("name").unwrap_or_default()),
                exists(id.as_uuid()).then(|| "/settings/secret-providers".to_owned()),
            ),
            AuditTarget::Automation(id) => (
                format!("automation {}", text("name").unwrap_or_default()),
                exists(id.as_uuid()).then(|| format!("/automations/{id}")),
            ),
            AuditTarget::Variable(_) => (
                format!("variable {} of {}", text("key").unwrap_or_default(), text("automation").unwrap_or_default()),
                automation_of(entry).filter(|id| exists(*id)).map(|id| format!("/automations/{id}")),
            ),
            AuditTarget::Deployment(_) => (
                format!(
                    "deployment {} of {}",
                    entry.details.get("number").map(Value::to_string).unwrap_or_default(),
                    text("automation").unwrap_or_default()
                ),
                automation_of(entry).filter(|id| exists(*id)).map(|id| format!("/automations/{id}")),
            ),
        };
        AuditEntryView {
            id: entry.id,
            at: crate::time::rfc3339(entry.at),
            actor: self.actor(entry.actor),
            action: entry.action,
            object,
            href,
            changes: changes(&entry.details),
        }
    }
}

fn automation_of(entry: &AuditEntry) -> Option<Uuid> {
    entry.details.get("automation_id").and_then(Value::as_str).and_then(|id| Uuid::parse_str(id).ok())
}

/// The ids among `wanted` that are still rows of `org`.
async fn ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    org_column: E::Column,
    org: Uuid,
    wanted: Vec<Uuid>,
) -> ServiceResult<Vec<Uuid>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    Ok(E::find()
        .select_only()
        .column(id)
        .filter(org_column.eq(org))
        .filter(id.is_in(wanted))
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// The details as field/value pairs: ids left out (the object says what it is, and a UUID
/// tells people nothing), lists joined.
fn changes(details: &Value) -> Vec<AuditChange> {
    let Value::Object(fields) = details else { return Vec::new() };
    fields
        .iter()
        .filter(|(field, _)| !NEVER_SHOWN.contains(&field.as_str()))
        .filter(|(_, value)| !value.is_null() && value.as_str().is_none_or(|text| Uuid::parse_str(text).is_err()))
        .map(|(field, value)| {
            let value = match value {
                Value::String(text) => text.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            AuditChange { field: field.replace('_', " "), value }
        })
        .collect()
}
