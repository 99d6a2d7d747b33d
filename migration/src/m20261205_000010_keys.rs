//! Keys that rotate themselves. `signing_keys` holds the issuer's keys, each sealed under the
//! master key and bound to its row, with the dates of its life; `keyring` is one row that names
//! the master key new values are sealed under and a version every replica polls, bumped by every
//! change to either, so replicas follow a rotation without a restart.
use sea_orm_migration::{prelude::*, schema::*};

use crate::constraints::{SIGNING_KEY_ACTIVE, SIGNING_KEY_NEXT};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Id,
    Kid,
    Alg,
    State,
    Origin,
    PublicJwk,
    SealedPrivateKey,
    MasterKeyId,
    PublishedAt,
    ActivateAt,
    ActivatedAt,
    RetiredAt,
    RemoveAfter,
    RemovedAt,
}

#[derive(DeriveIden)]
enum Keyring {
    Table,
    Id,
    Version,
    MasterKeyId,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use SigningKeys as K;
        manager
            .create_table(
                Table::create()
                    .table(K::Table)
                    .col(pk_uuid(K::Id))
                    .col(string_len_uniq(K::Kid, 64))
                    .col(string_len(K::Alg, 8).check(Expr::col(K::Alg).is_in(["ES256", "RS256"])))
                    .col(
                        string_len(K::State, 16)
                            .check(Expr::col(K::State).is_in(["next", "active", "retired", "removed", "revoked"])),
                    )
                    .col(string_len(K::Origin, 16).check(Expr::col(K::Origin).is_in(["generated", "imported"])))
                    .col(text(K::PublicJwk))
                    .col(blob_null(K::SealedPrivateKey))
                    .col(string_len_null(K::MasterKeyId, 16))
                    .col(timestamp_with_time_zone(K::PublishedAt))
                    .col(timestamp_with_time_zone_null(K::ActivateAt))
                    .col(timestamp_with_time_zone_null(K::ActivatedAt))
                    .col(timestamp_with_time_zone_null(K::RetiredAt))
                    .col(timestamp_with_time_zone_null(K::RemoveAfter))
                    .col(timestamp_with_time_zone_null(K::RemovedAt))
                    // A published key keeps its private half (sealed); a removed or revoked one has
                    // none left. Each state carries the dates that got it there.
                    .check(Expr::cust(
                        "(state IN ('next', 'active', 'retired') AND sealed_private_key IS NOT NULL \
                           AND master_key_id IS NOT NULL AND removed_at IS NULL) \
                         OR (state IN ('removed', 'revoked') AND sealed_private_key IS NULL \
                           AND master_key_id IS NULL AND removed_at IS NOT NULL)",
                    ))
                    .check(Expr::cust(
                        "(state <> 'active' OR activated_at IS NOT NULL) \
                         AND (state <> 'retired' OR (retired_at IS NOT NULL AND remove_after IS NOT NULL)) \
                         AND (state <> 'next' OR activated_at IS NULL)",
                    ))
                    .to_owned(),
            )
            .await?;
        // At most one active key and one next key, whatever the replicas do: partial unique
        // indexes, which SQLite and PostgreSQL both enforce.
        for (index, state) in [(SIGNING_KEY_ACTIVE, "active"), (SIGNING_KEY_NEXT, "next")] {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "CREATE UNIQUE INDEX {} ON {} ({}) WHERE state = '{state}'",
                    index.name,
                    index.table,
                    index.columns.join(", ")
                ))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Keyring::Table)
                    .col(integer(Keyring::Id).primary_key().check(Expr::col(Keyring::Id).eq(1)))
                    .col(big_integer(Keyring::Version))
                    .col(string_len(Keyring::MasterKeyId, 16))
                    .col(timestamp_with_time_zone(Keyring::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
