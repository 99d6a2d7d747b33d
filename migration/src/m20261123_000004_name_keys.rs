//! Names that read alike are one name: each named table gets the key uniqueness is checked on
//! (`vocabulary::name::key`), backfilled here with the function the service uses.
use std::collections::HashSet;

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement, prelude::Uuid},
};
use vocabulary::name;

use crate::{
    constraints::{ORGANIZATION_NAME_KEY, UniqueIndex, WORKLOAD_IDENTITY_CONFIG_NAME},
    m20261122_000002_workload_identity::NAME_INDEX,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (index, scope) in [(ORGANIZATION_NAME_KEY, None), (WORKLOAD_IDENTITY_CONFIG_NAME, Some("org_id"))] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(index.table))
                        .add_column(string(Alias::new("name_key")).default(""))
                        .to_owned(),
                )
                .await?;
            backfill(manager, &index, scope).await?;
            let mut create = Index::create();
            create.name(index.name).table(Alias::new(index.table)).unique();
            for column in index.columns {
                create.col(Alias::new(*column));
            }
            manager.create_index(create.to_owned()).await?;
        }
        manager
            .drop_index(Index::drop().name(NAME_INDEX).table(Alias::new("workload_identity_configs")).to_owned())
            .await
    }
}

/// Keys every row's name. Rows that already read alike within their scope (possible before keys
/// existed) keep their names apart by a numbered suffix, so the unique index can be built.
async fn backfill(manager: &SchemaManager<'_>, index: &UniqueIndex, scope: Option<&str>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = db.get_database_backend();
    let scope_column = scope.map_or(String::new(), |column| format!(", {column}"));
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT id, name{scope_column} FROM {} ORDER BY created_at", index.table),
        ))
        .await?;
    let placeholder = |n: usize| if backend == DbBackend::Postgres { format!("${n}") } else { "?".to_owned() };
    let mut taken = HashSet::new();
    for row in rows {
        let id: Uuid = row.try_get("", "id")?;
        let scope: Option<Uuid> = scope.map(|column| row.try_get("", column)).transpose()?;
        let mut text: String = row.try_get("", "name")?;
        let original = text.clone();
        let mut n = 2;
        while !taken.insert((scope, name::key(&text))) {
            text = format!("{original} ({n})");
            n += 1;
        }
        let sql = format!(
            "UPDATE {} SET name = {}, name_key = {} WHERE id = {}",
            index.table,
            placeholder(1),
            placeholder(2),
            placeholder(3)
        );
        let key = name::key(&text);
        db.execute_raw(Statement::from_sql_and_values(backend, sql, [text.into(), key.into(), id.into()])).await?;
    }
    Ok(())
}
