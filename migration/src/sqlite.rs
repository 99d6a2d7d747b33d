//! SQLite changes a table in place only by adding columns: relaxing a `NOT NULL` or adding a
//! `CHECK` means making the table again, the way SQLite's documentation prescribes
//! (<https://www.sqlite.org/lang_altertable.html#otheralter>). On one connection, with foreign
//! keys off: a new table is filled from the old, the old dropped, the new renamed (other tables'
//! references name the table, so they follow), its indexes made again, and every reference
//! checked before the change commits.
use sea_orm_migration::{
    prelude::*,
    sea_orm::{
        DatabaseExecutor,
        sqlx::{self, AssertSqlSafe, Row, SqliteConnection},
    },
};

/// Remakes `table` as `create` defines it (called with the name to create it under); the columns
/// both tables have keep their values.
pub async fn remake_table(
    manager: &SchemaManager<'_>,
    table: &str,
    create: impl Fn(Alias) -> TableCreateStatement,
) -> Result<(), DbErr> {
    let DatabaseExecutor::Connection(db) = manager.get_connection() else {
        return Err(DbErr::Migration(format!("remaking {table} needs its own connection, outside a transaction")));
    };
    let mut connection = db.get_sqlite_connection_pool().acquire().await.map_err(failed)?;
    // Only outside a transaction does SQLite take this pragma.
    execute(&mut connection, "PRAGMA foreign_keys = OFF").await?;
    let remade = remake(&mut connection, table, &create).await;
    if remade.is_err() {
        let _ = execute(&mut connection, "ROLLBACK").await;
    }
    execute(&mut connection, "PRAGMA foreign_keys = ON").await?;
    remade
}

async fn remake(
    connection: &mut SqliteConnection,
    table: &str,
    create: &impl Fn(Alias) -> TableCreateStatement,
) -> Result<(), DbErr> {
    let new = format!("{table}_remade");
    execute(connection, "BEGIN IMMEDIATE").await?;
    let indexes: Vec<String> =
        sqlx::query("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
            .bind(table)
            .fetch_all(&mut *connection)
            .await
            .map_err(failed)?
            .iter()
            .map(|row| row.get::<String, _>(0))
            .collect();
    let statement = create(Alias::new(&new)).to_string(SqliteQueryBuilder);
    execute(connection, &statement).await?;
    let old_columns = columns(connection, table).await?;
    let kept: Vec<String> = columns(connection, &new)
        .await?
        .into_iter()
        .filter(|column| old_columns.contains(column))
        .map(|column| format!("\"{column}\""))
        .collect();
    let kept = kept.join(", ");
    execute(connection, &format!("INSERT INTO \"{new}\" ({kept}) SELECT {kept} FROM \"{table}\"")).await?;
    execute(connection, &format!("DROP TABLE \"{table}\"")).await?;
    execute(connection, &format!("ALTER TABLE \"{new}\" RENAME TO \"{table}\"")).await?;
    for index in indexes {
        execute(connection, &index).await?;
    }
    let broken = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut *connection).await.map_err(failed)?;
    if !broken.is_empty() {
        return Err(DbErr::Migration(format!("remaking {table} would break {} reference(s)", broken.len())));
    }
    execute(connection, "COMMIT").await
}

async fn columns(connection: &mut SqliteConnection, table: &str) -> Result<Vec<String>, DbErr> {
    let rows = sqlx::query("SELECT name FROM pragma_table_info(?)")
        .bind(table)
        .fetch_all(&mut *connection)
        .await
        .map_err(failed)?;
    Ok(rows.iter().map(|row| row.get::<String, _>("name")).collect())
}

async fn execute(connection: &mut SqliteConnection, statement: &str) -> Result<(), DbErr> {
    // Statements made here from table names and the migration's own definitions, never input.
    sqlx::raw_sql(AssertSqlSafe(statement.to_owned())).execute(&mut *connection).await.map(|_| ()).map_err(failed)
}

fn failed(error: sqlx::Error) -> DbErr {
    DbErr::Migration(error.to_string())
}
