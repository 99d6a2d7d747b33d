//! HashiCorp Vault beside AWS. A workload identity config names either an AWS role (ARN, region,
//! session tags) or a Vault JWT login (address, auth mount, role, audience, namespace); a
//! credential reads either AWS Secrets Manager in a region or a Vault KV version 2 mount. The
//! tables refuse any other mix: each provider's fields are there exactly when it is the provider.
use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

use crate::{m20261124_000006_credentials::AUTH_METHOD_CHECK, sqlite::remake_table};

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
    NameKey,
    Provider,
    RoleArn,
    Region,
    IsDefault,
    SessionTags,
    VaultAddress,
    VaultAuthMount,
    VaultRole,
    VaultAudience,
    VaultNamespace,
    CreatedAt,
    UpdatedAt,
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
    KvMount,
    IsDefault,
    CreatedAt,
    UpdatedAt,
}

const CONFIG_PROVIDER_CHECK: &str = "(provider = 'aws' AND role_arn IS NOT NULL AND region IS NOT NULL \
       AND vault_address IS NULL AND vault_auth_mount IS NULL AND vault_role IS NULL \
       AND vault_audience IS NULL AND vault_namespace IS NULL) \
     OR (provider = 'vault' AND role_arn IS NULL AND region IS NULL AND NOT session_tags \
       AND vault_address IS NOT NULL AND vault_auth_mount IS NOT NULL AND vault_role IS NOT NULL \
       AND vault_audience IS NOT NULL)";

const CREDENTIAL_PROVIDER_CHECK: &str = "(provider = 'aws_secrets_manager' AND region IS NOT NULL AND kv_mount IS NULL) \
     OR (provider = 'vault_kv2' AND auth_method = 'workload_identity' AND region IS NULL AND kv_mount IS NOT NULL)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                remake_table(manager, "workload_identity_configs", configs).await?;
                remake_table(manager, "secret_provider_credentials", credentials).await
            }
            _ => {
                let db = manager.get_connection();
                db.execute_unprepared(&format!(
                    "ALTER TABLE workload_identity_configs \
                       ALTER COLUMN role_arn DROP NOT NULL, ALTER COLUMN region DROP NOT NULL, \
                       ADD COLUMN vault_address varchar(512) NULL, ADD COLUMN vault_auth_mount varchar(128) NULL, \
                       ADD COLUMN vault_role varchar(128) NULL, ADD COLUMN vault_audience varchar(1024) NULL, \
                       ADD COLUMN vault_namespace varchar(128) NULL, \
                       ADD CONSTRAINT ck_workload_identity_configs_provider CHECK ({CONFIG_PROVIDER_CHECK})"
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "ALTER TABLE secret_provider_credentials \
                       ALTER COLUMN region DROP NOT NULL, ADD COLUMN kv_mount varchar(128) NULL, \
                       ADD CONSTRAINT ck_credentials_provider CHECK ({CREDENTIAL_PROVIDER_CHECK})"
                ))
                .await?;
                Ok(())
            }
        }
    }
}

/// `workload_identity_configs` as it is after this migration (SQLite makes it again).
fn configs(name: Alias) -> TableCreateStatement {
    use WorkloadIdentityConfigs as W;
    Table::create()
        .table(name)
        .col(pk_uuid(W::Id))
        .col(uuid(W::OrgId))
        .col(string_len(W::Name, 64))
        .col(string(W::NameKey))
        .col(string_len(W::Provider, 16))
        .col(string_len_null(W::RoleArn, 2048))
        .col(string_len_null(W::Region, 32))
        .col(boolean(W::IsDefault))
        .col(boolean(W::SessionTags).default(false))
        .col(string_len_null(W::VaultAddress, 512))
        .col(string_len_null(W::VaultAuthMount, 128))
        .col(string_len_null(W::VaultRole, 128))
        .col(string_len_null(W::VaultAudience, 1024))
        .col(string_len_null(W::VaultNamespace, 128))
        .col(timestamp_with_time_zone(W::CreatedAt))
        .col(timestamp_with_time_zone(W::UpdatedAt))
        .check(Expr::cust(CONFIG_PROVIDER_CHECK))
        .foreign_key(
            ForeignKey::create()
                .from(W::Table, W::OrgId)
                .to(Organizations::Table, Organizations::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

/// `secret_provider_credentials` as it is after this migration (SQLite makes it again).
fn credentials(name: Alias) -> TableCreateStatement {
    use SecretProviderCredentials as C;
    Table::create()
        .table(name)
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
        .col(string_len_null(C::Region, 32))
        .col(string_len_null(C::KvMount, 128))
        .col(boolean(C::IsDefault))
        .col(timestamp_with_time_zone(C::CreatedAt))
        .col(timestamp_with_time_zone(C::UpdatedAt))
        .check(Expr::cust(AUTH_METHOD_CHECK))
        .check(Expr::cust(CREDENTIAL_PROVIDER_CHECK))
        .foreign_key(
            ForeignKey::create()
                .from(C::Table, C::OrgId)
                .to(Organizations::Table, Organizations::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .from(C::Table, C::WorkloadIdentityConfigId)
                .to(WorkloadIdentityConfigs::Table, WorkloadIdentityConfigs::Id)
                .on_delete(ForeignKeyAction::Restrict),
        )
        .to_owned()
}
