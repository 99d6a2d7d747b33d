use sea_orm::entity::prelude::*;
use vocabulary::env::{Delivery, EnvKey, JsonKey, SecretName, SourceKind};

use crate::db::text::Text;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deployment_variables")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub deployment_id: Uuid,
    pub position: i32,
    pub key: Text<EnvKey>,
    pub source: Text<SourceKind>,
    pub delivery: Option<Text<Delivery>>,
    pub credential_id: Option<Uuid>,
    /// The credential's name when deployed, for the history after it is renamed or deleted.
    pub credential_name: Option<String>,
    pub secret_name: Option<Text<SecretName>>,
    pub json_key: Option<Text<JsonKey>>,
    /// A value frozen at deploy time (plain, or read through a static key), sealed under the master key.
    #[sea_orm(column_type = "VarBinary(StringLen::None)")]
    pub sealed_value: Option<Vec<u8>>,
    pub master_key_id: Option<String>,
}

// By hand, so a log line never carries a sealed value.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeploymentVariable").field("id", &self.id).field("key", &self.key.0).finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::deployment::Entity",
        from = "Column::DeploymentId",
        to = "super::deployment::Column::Id"
    )]
    Deployment,
}

impl Related<super::deployment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Deployment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
