//! Workload identity configurations: which cloud role an organization's tokens are traded for.
use sea_orm_migration::{prelude::*, schema::*};

use crate::constraints::WORKLOAD_IDENTITY_CONFIG_DEFAULT;

/// Replaced by the name-key index of `m20261123_000004_name_keys`.
pub const NAME_INDEX: &str = "uq_workload_identity_configs_name";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum WorkloadIdentityConfigs {
    Table,
    Id,
    OrgId,
    Name,
    Provider,
    RoleArn,
    Region,
    IsDefault,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WorkloadIdentityConfigs::Table)
                    .col(pk_uuid(WorkloadIdentityConfigs::Id))
                    .col(uuid(WorkloadIdentityConfigs::OrgId))
                    .col(string_len(WorkloadIdentityConfigs::Name, 64))
                    .col(string_len(WorkloadIdentityConfigs::Provider, 16))
                    .col(string_len(WorkloadIdentityConfigs::RoleArn, 2048))
                    .col(string_len(WorkloadIdentityConfigs::Region, 32))
                    .col(boolean(WorkloadIdentityConfigs::IsDefault))
                    .col(timestamp_with_time_zone(WorkloadIdentityConfigs::CreatedAt))
                    .col(timestamp_with_time_zone(WorkloadIdentityConfigs::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WorkloadIdentityConfigs::Table, WorkloadIdentityConfigs::OrgId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(NAME_INDEX)
                    .table(WorkloadIdentityConfigs::Table)
                    .col(WorkloadIdentityConfigs::OrgId)
                    .col(WorkloadIdentityConfigs::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // At most one default per (organization, provider), whatever the application does:
        // a partial unique index, which SQLite and PostgreSQL both enforce.
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE UNIQUE INDEX {} ON {} ({}) WHERE is_default",
                WORKLOAD_IDENTITY_CONFIG_DEFAULT.name,
                WORKLOAD_IDENTITY_CONFIG_DEFAULT.table,
                WORKLOAD_IDENTITY_CONFIG_DEFAULT.columns.join(", ")
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WorkloadIdentityConfigs::Table).to_owned()).await
    }
}
