use sea_orm::entity::prelude::*;
use vocabulary::aws::{CloudProvider, Region, RoleArn};

use crate::db::text::Text;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workload_identity_configs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    /// `vocabulary::name::Name::key`: unique per organization.
    pub name_key: String,
    pub provider: Text<CloudProvider>,
    pub role_arn: Text<RoleArn>,
    pub region: Text<Region>,
    pub is_default: bool,
    /// Tokens for runs carry AWS session tags (`wisp-org`, `wisp-automation`).
    pub session_tags: bool,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrgId",
        to = "super::organization::Column::Id"
    )]
    Organization,
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
