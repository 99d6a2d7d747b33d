use sea_orm::entity::prelude::*;
use vocabulary::{
    aws::{AccessKeyId, ExternalId, Region, RoleArn},
    providers::{AuthMethod, SecretProvider},
    vault::KvMount,
};

use crate::db::text::Text;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "secret_provider_credentials")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub name_key: String,
    pub provider: Text<SecretProvider>,
    pub auth_method: Text<AuthMethod>,
    pub workload_identity_config_id: Option<Uuid>,
    pub access_key_id: Option<Text<AccessKeyId>>,
    /// AES-256-GCM under the master key named by `master_key_id`, bound to this row.
    #[sea_orm(column_type = "VarBinary(StringLen::None)")]
    pub sealed_secret_access_key: Option<Vec<u8>>,
    pub master_key_id: Option<String>,
    pub role_arn: Option<Text<RoleArn>>,
    pub external_id: Option<Text<ExternalId>>,
    /// AWS Secrets Manager's region, or the Vault KV version 2 mount: each exactly for its
    /// provider (a check constraint).
    pub region: Option<Text<Region>>,
    pub kv_mount: Option<Text<KvMount>>,
    pub is_default: bool,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

// By hand, so a log line never carries even the sealed key.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential").field("id", &self.id).field("name", &self.name).finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrgId",
        to = "super::organization::Column::Id"
    )]
    Organization,
    #[sea_orm(
        belongs_to = "super::workload_identity_config::Entity",
        from = "Column::WorkloadIdentityConfigId",
        to = "super::workload_identity_config::Column::Id"
    )]
    WorkloadIdentityConfig,
}

impl Related<super::workload_identity_config::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WorkloadIdentityConfig.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
