use sea_orm::entity::prelude::*;
use vocabulary::audit::{Actor, AuditAction, AuditTarget};

use crate::db::text::Text;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: Option<Uuid>,
    pub actor: Text<Actor>,
    pub action: Text<AuditAction>,
    pub target: Text<AuditTarget>,
    #[sea_orm(column_type = "Text")]
    pub details: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
