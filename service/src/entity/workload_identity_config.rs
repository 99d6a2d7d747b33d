use sea_orm::entity::prelude::*;
use vocabulary::{
    aws::{CloudProvider, Region, RoleArn},
    token::Audience,
    vault::{AuthMount, Namespace, VaultAddress, VaultRole},
};

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
    /// AWS: the role and its region (a check constraint: exactly when the provider is AWS).
    pub role_arn: Option<Text<RoleArn>>,
    pub region: Option<Text<Region>>,
    pub is_default: bool,
    /// Tokens for runs carry AWS session tags (`wisp-org`, `wisp-automation`); never for Vault.
    pub session_tags: bool,
    /// Vault: where and as whom Wisp logs in (exactly when the provider is Vault; the namespace
    /// may be left out).
    pub vault_address: Option<Text<VaultAddress>>,
    pub vault_auth_mount: Option<Text<AuthMount>>,
    pub vault_role: Option<Text<VaultRole>>,
    pub vault_audience: Option<Text<Audience>>,
    pub vault_namespace: Option<Text<Namespace>>,
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
