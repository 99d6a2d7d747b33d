//! Automations and their environment variables. A variable is a plain value (kept as text, or
//! sealed under the master key when sensitive) or a reference to a secret through a credential,
//! which the credential cannot be deleted from under; the table refuses any other mix.
use sea_orm_migration::{prelude::*, schema::*};

use crate::constraints::{AUTOMATION_NAME, VARIABLE_KEY};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SecretProviderCredentials {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Automations {
    Table,
    Id,
    OrgId,
    Name,
    NameKey,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EnvironmentVariables {
    Table,
    Id,
    AutomationId,
    Key,
    Source,
    Value,
    Sensitive,
    SealedValue,
    MasterKeyId,
    CredentialId,
    SecretName,
    JsonKey,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Automations as A;
        use EnvironmentVariables as V;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(pk_uuid(A::Id))
                    .col(uuid(A::OrgId))
                    .col(string_len(A::Name, 64))
                    .col(string(A::NameKey))
                    .col(timestamp_with_time_zone(A::CreatedAt))
                    .col(timestamp_with_time_zone(A::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(A::Table, A::OrgId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(AUTOMATION_NAME.name)
                    .table(A::Table)
                    .col(A::OrgId)
                    .col(A::NameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(V::Table)
                    .col(pk_uuid(V::Id))
                    .col(uuid(V::AutomationId))
                    .col(string_len(V::Key, 256))
                    .col(string_len(V::Source, 16))
                    .col(text_null(V::Value))
                    .col(boolean(V::Sensitive))
                    .col(blob_null(V::SealedValue))
                    .col(string_len_null(V::MasterKeyId, 16))
                    .col(uuid_null(V::CredentialId))
                    .col(string_len_null(V::SecretName, 2048))
                    .col(string_len_null(V::JsonKey, 1024))
                    .col(timestamp_with_time_zone(V::CreatedAt))
                    .col(timestamp_with_time_zone(V::UpdatedAt))
                    .check(Expr::cust(
                        "(source = 'plain' AND credential_id IS NULL AND secret_name IS NULL AND json_key IS NULL \
                           AND ((NOT sensitive AND value IS NOT NULL AND sealed_value IS NULL AND master_key_id IS NULL) \
                             OR (sensitive AND value IS NULL AND sealed_value IS NOT NULL AND master_key_id IS NOT NULL))) \
                         OR (source = 'secret' AND credential_id IS NOT NULL AND secret_name IS NOT NULL \
                           AND value IS NULL AND NOT sensitive AND sealed_value IS NULL AND master_key_id IS NULL)",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(V::Table, V::AutomationId)
                            .to(A::Table, A::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    // A credential in use cannot go: the service names the automations first.
                    .foreign_key(
                        ForeignKey::create()
                            .from(V::Table, V::CredentialId)
                            .to(SecretProviderCredentials::Table, SecretProviderCredentials::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(VARIABLE_KEY.name)
                    .table(V::Table)
                    .col(V::AutomationId)
                    .col(V::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_environment_variables_credential")
                    .table(V::Table)
                    .col(V::CredentialId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
