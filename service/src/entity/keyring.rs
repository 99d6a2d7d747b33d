use sea_orm::entity::prelude::*;

/// One row (id 1): what every replica polls to follow key changes without a restart.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "keyring")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// Bumped by every change to the signing keys or the current master key.
    pub version: i64,
    /// The master key new values are sealed under.
    pub master_key_id: String,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
