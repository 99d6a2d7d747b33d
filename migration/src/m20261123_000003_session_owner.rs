//! Sessions are stored under a hash of their id and know whose they are, so a user's sessions
//! can all be ended at once.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sessions {
    Table,
    UserId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Rows keyed by the raw id can no longer be found: drop them (their users sign in again).
        manager.get_connection().execute_unprepared("DELETE FROM sessions").await?;
        manager
            .alter_table(Table::alter().table(Sessions::Table).add_column(uuid_null(Sessions::UserId)).to_owned())
            .await?;
        manager
            .create_index(
                Index::create().name("idx_sessions_user").table(Sessions::Table).col(Sessions::UserId).to_owned(),
            )
            .await
    }
}
