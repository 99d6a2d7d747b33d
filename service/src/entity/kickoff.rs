use sea_orm::entity::prelude::*;
use vocabulary::dto::deployments::KickoffOutcome;

use crate::db::text::Text;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "kickoffs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub automation_id: Uuid,
    pub deployment_id: Uuid,
    pub deployment_number: i32,
    pub created_at: ChronoDateTimeUtc,
    pub outcome: Text<KickoffOutcome>,
    /// `[KickoffVariable]`: keys, sources and fingerprints, never a value.
    pub variables: Json,
    /// `[SecretFailure]`.
    pub failures: Json,
    /// Hex SHA-256 of the run token handed to this kickoff's run (ID tokens only).
    #[sea_orm(unique)]
    pub run_token_hash: Option<String>,
    pub run_token_used_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
