//! Secret provider credentials: what every secret reference names. A credential either borrows a
//! workload identity config (which it keeps from being deleted) or holds a static access key
//! whose secret is sealed under the master key; the table refuses any other mix.
use sea_orm_migration::{prelude::*, schema::*};

use crate::constraints::{CREDENTIAL_DEFAULT, CREDENTIAL_NAME};

/// A credential either names a workload identity config or holds a whole static key.
pub const AUTH_METHOD_CHECK: &str = "(auth_method = 'workload_identity' AND workload_identity_config_id IS NOT NULL \
       AND access_key_id IS NULL AND sealed_secret_access_key IS NULL AND role_arn IS NULL \
       AND external_id IS NULL) \
     OR (auth_method = 'static_keys' AND workload_identity_config_id IS NULL \
       AND access_key_id IS NOT NULL AND sealed_secret_access_key IS NOT NULL \
       AND master_key_id IS NOT NULL AND (external_id IS NULL OR role_arn IS NOT NULL))";

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
}

#[derive(DeriveIden)]
enum SecretProviderCredentials {
    Table,
    Id,
    OrgId,
    Name,
    NameKey,
    Provider,
    AuthMethod,
    WorkloadIdentityConfigId,
    AccessKeyId,
    SealedSecretAccessKey,
    MasterKeyId,
    RoleArn,
    ExternalId,
    Region,
    IsDefault,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use SecretProviderCredentials as C;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(pk_uuid(C::Id))
                    .col(uuid(C::OrgId))
                    .col(string_len(C::Name, 64))
                    .col(string(C::NameKey))
                    .col(string_len(C::Provider, 32))
                    .col(string_len(C::AuthMethod, 32))
                    .col(uuid_null(C::WorkloadIdentityConfigId))
                    .col(string_len_null(C::AccessKeyId, 128))
                    .col(blob_null(C::SealedSecretAccessKey))
                    .col(string_len_null(C::MasterKeyId, 16))
                    .col(string_len_null(C::RoleArn, 2048))
                    .col(string_len_null(C::ExternalId, 1224))
                    .col(string_len(C::Region, 32))
                    .col(boolean(C::IsDefault))
                    .col(timestamp_with_time_zone(C::CreatedAt))
                    .col(timestamp_with_time_zone(C::UpdatedAt))
                    .check(Expr::cust(AUTH_METHOD_CHECK))
                    .foreign_key(
                        ForeignKey::create()
                            .from(C::Table, C::OrgId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    // A config in use cannot go: the service says which credentials use it first.
                    .foreign_key(
                        ForeignKey::create()
                            .from(C::Table, C::WorkloadIdentityConfigId)
                            .to(WorkloadIdentityConfigs::Table, WorkloadIdentityConfigs::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(CREDENTIAL_NAME.name)
                    .table(C::Table)
                    .col(C::OrgId)
                    .col(C::NameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_credentials_workload_identity_config")
                    .table(C::Table)
                    .col(C::WorkloadIdentityConfigId)
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE UNIQUE INDEX {} ON {} ({}) WHERE is_default",
                CREDENTIAL_DEFAULT.name,
                CREDENTIAL_DEFAULT.table,
                CREDENTIAL_DEFAULT.columns.join(", ")
            ))
            .await?;
        Ok(())
    }
}
