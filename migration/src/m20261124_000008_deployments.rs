//! Deployments and kickoffs. A deployment freezes an automation's variables: plain values and
//! secrets read through a static key are sealed into it at deploy time; a secret read through
//! workload identity keeps only its reference, and the table refuses a value for it. Its token is
//! kept as a SHA-256 hash. A kickoff keeps who asked when and a keyed fingerprint of each value.
use sea_orm_migration::{prelude::*, schema::*};

use crate::constraints::DEPLOYMENT_NUMBER;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Automations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Deployments {
    Table,
    Id,
    AutomationId,
    Number,
    TokenHash,
    CreatedBy,
    CreatedAt,
    TokenLastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum DeploymentVariables {
    Table,
    Id,
    DeploymentId,
    Position,
    Key,
    Source,
    Delivery,
    CredentialId,
    CredentialName,
    SecretName,
    JsonKey,
    SealedValue,
    MasterKeyId,
}

#[derive(DeriveIden)]
enum Kickoffs {
    Table,
    Id,
    AutomationId,
    DeploymentId,
    DeploymentNumber,
    CreatedAt,
    Outcome,
    Variables,
    Failures,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use DeploymentVariables as V;
        use Deployments as D;
        use Kickoffs as K;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(pk_uuid(D::Id))
                    .col(uuid(D::AutomationId))
                    .col(integer(D::Number).check(Expr::col(D::Number).gt(0)))
                    .col(string_len_uniq(D::TokenHash, 64))
                    .col(uuid_null(D::CreatedBy))
                    .col(timestamp_with_time_zone(D::CreatedAt))
                    .col(timestamp_with_time_zone_null(D::TokenLastUsedAt))
                    .col(timestamp_with_time_zone_null(D::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(D::Table, D::AutomationId)
                            .to(Automations::Table, Automations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(D::Table, D::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(DEPLOYMENT_NUMBER.name)
                    .table(D::Table)
                    .col(D::AutomationId)
                    .col(D::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(V::Table)
                    .col(pk_uuid(V::Id))
                    .col(uuid(V::DeploymentId))
                    .col(integer(V::Position))
                    .col(string_len(V::Key, 256))
                    .col(string_len(V::Source, 16))
                    .col(string_len_null(V::Delivery, 32))
                    .col(uuid_null(V::CredentialId))
                    .col(string_len_null(V::CredentialName, 64))
                    .col(string_len_null(V::SecretName, 2048))
                    .col(string_len_null(V::JsonKey, 1024))
                    .col(blob_null(V::SealedValue))
                    .col(string_len_null(V::MasterKeyId, 16))
                    // A value read through workload identity is never stored; every other one is, sealed.
                    .check(Expr::cust(
                        "(source = 'secret' AND delivery = 'rotation_aware' AND credential_id IS NOT NULL \
                           AND secret_name IS NOT NULL AND sealed_value IS NULL AND master_key_id IS NULL) \
                         OR (source = 'secret' AND delivery = 'baked_at_deploy' AND secret_name IS NOT NULL \
                           AND sealed_value IS NOT NULL AND master_key_id IS NOT NULL) \
                         OR (source = 'plain' AND delivery IS NULL AND credential_id IS NULL AND secret_name IS NULL \
                           AND sealed_value IS NOT NULL AND master_key_id IS NOT NULL)",
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(V::Table, V::DeploymentId)
                            .to(D::Table, D::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_deployment_variables_key")
                    .table(V::Table)
                    .col(V::DeploymentId)
                    .col(V::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(K::Table)
                    .col(pk_uuid(K::Id))
                    .col(uuid(K::AutomationId))
                    .col(uuid(K::DeploymentId))
                    .col(integer(K::DeploymentNumber))
                    .col(timestamp_with_time_zone(K::CreatedAt))
                    .col(string_len(K::Outcome, 16))
                    .col(json(K::Variables))
                    .col(json(K::Failures))
                    .foreign_key(
                        ForeignKey::create()
                            .from(K::Table, K::AutomationId)
                            .to(Automations::Table, Automations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(K::Table, K::DeploymentId)
                            .to(D::Table, D::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The history pages newest first per automation; the retention sweep goes by age alone.
        manager
            .create_index(
                Index::create()
                    .name("idx_kickoffs_automation_time")
                    .table(K::Table)
                    .col(K::AutomationId)
                    .col(K::CreatedAt)
                    .col(K::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("idx_kickoffs_time").table(K::Table).col(K::CreatedAt).to_owned())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_deployment_variables_credential")
                    .table(V::Table)
                    .col(V::CredentialId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
