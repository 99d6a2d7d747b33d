use sea_orm::entity::prelude::*;
use vocabulary::env::{EnvKey, JsonKey, SecretName, SourceKind};

use crate::db::text::Text;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "environment_variables")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub automation_id: Uuid,
    pub key: Text<EnvKey>,
    pub source: Text<SourceKind>,
    /// A plain value that is not sensitive.
    #[sea_orm(column_type = "Text")]
    pub value: Option<String>,
    pub sensitive: bool,
    /// A sensitive plain value: AES-256-GCM under the master key named by `master_key_id`, bound to this row.
    #[sea_orm(column_type = "VarBinary(StringLen::None)")]
    pub sealed_value: Option<Vec<u8>>,
    pub master_key_id: Option<String>,
    pub credential_id: Option<Uuid>,
    pub secret_name: Option<Text<SecretName>>,
    pub json_key: Option<Text<JsonKey>>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

// By hand, so a log line never carries a value, plain or sealed.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvironmentVariable").field("id", &self.id).field("key", &self.key.0).finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::automation::Entity",
        from = "Column::AutomationId",
        to = "super::automation::Column::Id"
    )]
    Automation,
    #[sea_orm(
        belongs_to = "super::credential::Entity",
        from = "Column::CredentialId",
        to = "super::credential::Column::Id"
    )]
    Credential,
}

impl Related<super::automation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Automation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
