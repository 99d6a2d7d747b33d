//! AWS roles for runs: an automation may name one of its organization's workload identity
//! configs, whose role its runs assume with a token of their own; a deployment freezes that choice
//! as it freezes the variables; a config may put session tags in the tokens; and a kickoff keeps
//! the hash of the run token it handed out (ID tokens only, for as long as the run goes on).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Automations {
    Table,
    RunRoleConfigId,
}

#[derive(DeriveIden)]
enum Deployments {
    Table,
    RunRoleConfigId,
    RunRoleConfigName,
}

#[derive(DeriveIden)]
enum WorkloadIdentityConfigs {
    Table,
    SessionTags,
}

#[derive(DeriveIden)]
enum Kickoffs {
    Table,
    RunTokenHash,
    RunTokenUsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The automation names its config for as long as it lives: the database refuses to delete
        // the config under it. (A column added to a SQLite table can carry its reference inline only.)
        let run_role = uuid_null(Automations::RunRoleConfigId)
            .extra("REFERENCES workload_identity_configs (id) ON DELETE RESTRICT")
            .to_owned();
        manager.alter_table(Table::alter().table(Automations::Table).add_column(run_role).to_owned()).await?;
        // A deployment's frozen choice outlives the config once its token is revoked, like its
        // variables' credentials: checked by `references` under the organization lock.
        for column in [uuid_null(Deployments::RunRoleConfigId), string_len_null(Deployments::RunRoleConfigName, 64)] {
            manager.alter_table(Table::alter().table(Deployments::Table).add_column(column).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(WorkloadIdentityConfigs::Table)
                    .add_column(boolean(WorkloadIdentityConfigs::SessionTags).default(false))
                    .to_owned(),
            )
            .await?;
        for column in
            [string_len_null(Kickoffs::RunTokenHash, 64), timestamp_with_time_zone_null(Kickoffs::RunTokenUsedAt)]
        {
            manager.alter_table(Table::alter().table(Kickoffs::Table).add_column(column).to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("uq_kickoffs_run_token")
                    .table(Kickoffs::Table)
                    .col(Kickoffs::RunTokenHash)
                    .unique()
                    .to_owned(),
            )
            .await
    }
}
