//! Connecting to SQLite or PostgreSQL, running the migrations, and the mechanisms every feature
//! stores through: typed text columns and unique-index races.
mod backup;
pub mod defaults;
pub mod text;
pub mod unique;

use std::{path::Path, time::Duration};

use migration::{Migrator, MigratorTrait};
pub use sea_orm::DatabaseConnection;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DbErr, EntityTrait, QuerySelect, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use vocabulary::ids::OrgId;

use crate::{
    entity::organization,
    error::{ServiceError, ServiceResult},
    files::{create_private_dir, make_private},
};

pub use self::backup::backup;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/wisp.db?mode=rwc";

/// Connects, creating the folder of a SQLite file on first use so a fresh clone just runs.
pub async fn connect(url: &str) -> ServiceResult<DatabaseConnection> {
    // Sessions and sealed secrets live in the file: its folder and itself are the owner's alone.
    if let Some(file) = sqlite_file(url).map(Path::new) {
        let unusable = |e: std::io::Error| ServiceError::Configuration {
            variable: "DATABASE_URL",
            message: format!("cannot prepare the database file {}: {e}", file.display()),
        };
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            create_private_dir(parent).map_err(unusable)?;
        }
        make_private(file).map_err(unusable)?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 20 })
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    Database::connect(options).await.map_err(|e| ServiceError::Configuration {
        variable: "DATABASE_URL",
        message: format!(
            "cannot connect to the database at {}: {e}. Check DATABASE_URL (sqlite://path?mode=rwc or postgres://user:password@host/db).",
            redact_password(url)
        ),
    })
}

/// Begins a transaction that will write. SQLite takes the write lock at once (`BEGIN IMMEDIATE`),
/// so a concurrent writer makes it wait out the busy timeout instead of failing with "database is
/// locked" when it would upgrade from reading; PostgreSQL ignores the mode. Every write
/// transaction starts here.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    db.begin_with_options(options).await
}

/// Holds `org`'s lock until the transaction ends: rules that span an organization's rows (it
/// keeps an owner; a provider has one default) are checked and changed by one transaction at a
/// time per organization, on every replica. PostgreSQL locks the organization's row
/// (`SELECT … FOR UPDATE`); on SQLite a write transaction already excludes every other writer.
pub async fn lock_organization(txn: &impl ConnectionTrait, org: OrgId) -> ServiceResult<()> {
    organization::Entity::find_by_id(org.as_uuid())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound { what: "The organization" })?;
    Ok(())
}

/// How many rows of `E` each of `parents` has, by its `parent` column, in one grouped query;
/// parents without rows are absent.
pub async fn count_by<E: EntityTrait>(
    db: &impl ConnectionTrait,
    parent: E::Column,
    parents: impl IntoIterator<Item = uuid::Uuid>,
) -> Result<std::collections::HashMap<uuid::Uuid, u64>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let counts = E::find()
        .select_only()
        .column(parent)
        .column_as(parent.count(), "count")
        .filter(parent.is_in(parents))
        .group_by(parent)
        .into_tuple::<(uuid::Uuid, i64)>()
        .all(db)
        .await?;
    Ok(counts.into_iter().map(|(id, n)| (id, n.unsigned_abs())).collect())
}

/// The largest `value` of `E`'s rows for each of `parents`, by its `parent` column, in one
/// grouped query (the newest deployment, the last kickoff); parents without rows are absent.
pub async fn max_by<E: EntityTrait, V: sea_orm::TryGetable>(
    db: &impl ConnectionTrait,
    parent: E::Column,
    value: E::Column,
    parents: impl IntoIterator<Item = uuid::Uuid>,
) -> Result<std::collections::HashMap<uuid::Uuid, V>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let maxima = E::find()
        .select_only()
        .column(parent)
        .column_as(value.max(), "max")
        .filter(parent.is_in(parents))
        .group_by(parent)
        .into_tuple::<(uuid::Uuid, V)>()
        .all(db)
        .await?;
    Ok(maxima.into_iter().collect())
}

/// A page read with a limit of `limit + 1`: its first `limit` rows, and the cursor `next` makes
/// of the last of them when more rows follow.
pub fn page_of<T, C>(mut rows: Vec<T>, limit: u64, next: impl FnOnce(&T) -> C) -> (Vec<T>, Option<C>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let cursor = rows.last().map(next);
    (rows, cursor)
}

pub async fn migrate(db: &DatabaseConnection) -> ServiceResult<()> {
    Migrator::up(db, None).await.map_err(ServiceError::from)
}

/// Whether the database answers, for the readiness probe.
/// The connection pool now, for the metrics: idle connections, connections in use, the limit.
pub fn pool_figures(db: &DatabaseConnection) -> (usize, usize, u32) {
    fn figures<D: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<D>) -> (usize, usize, u32) {
        let (size, idle) = (pool.size(), pool.num_idle());
        (idle, (size as usize).saturating_sub(idle), pool.options().get_max_connections())
    }
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => figures(db.get_postgres_connection_pool()),
        _ => figures(db.get_sqlite_connection_pool()),
    }
}

pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// A URL fit for a log line or an error message.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sqlite_file() {
        assert_eq!(sqlite_file("sqlite://data/wisp.db?mode=rwc"), Some("data/wisp.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }

    /// Sessions and sealed secrets live in the file: nobody but Wisp's user may read it.
    #[cfg(unix)]
    #[tokio::test]
    async fn a_new_sqlite_database_and_its_folder_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let root = std::env::temp_dir().join(format!("wisp-private-{}", uuid::Uuid::new_v4().simple()));
        let file = root.join("data/wisp.db");
        let db = connect(&format!("sqlite://{}?mode=rwc", file.display())).await.unwrap();
        migrate(&db).await.unwrap();
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(file.parent().unwrap()), mode(&file)), (0o700, 0o600));
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn hides_passwords() {
        assert_eq!(redact_password("postgres://wisp:hunter2@db:5432/wisp"), "postgres://wisp:***@db:5432/wisp");
        assert_eq!(redact_password("postgres://wisp@db/wisp"), "postgres://wisp@db/wisp");
    }
}
