//! `wisp backup`: a consistent copy of a SQLite database while Wisp serves. `VACUUM INTO` reads one
//! snapshot, so writes going on meanwhile are either wholly in the copy or not at all, and the
//! copy is a compact database file of its own. PostgreSQL has its own tools (`pg_dump`).
//!
//! The copy leaves out the sessions. A backup outlives the sessions in it; restoring them would
//! bring back sessions ended after the backup was made (a sign-out, a **Sign out everywhere**).
//! After a restore everyone signs in again, and nothing else is lost.
use std::path::Path;

use sea_orm::{ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};

use crate::{
    error::{ServiceError, ServiceResult},
    files::write_private,
};

/// Copies the database `db` is connected to into the new file `target`; returns its size in bytes.
pub async fn backup(db: &DatabaseConnection, target: &Path) -> ServiceResult<u64> {
    let refuse = |message: String| ServiceError::Configuration { variable: "DATABASE_URL", message };
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return Err(refuse(
            "wisp backup copies a SQLite database. For PostgreSQL use its own tools while Wisp serves: pg_dump --format=custom --file=wisp.dump \"$DATABASE_URL\", and pg_restore --dbname=<new database> wisp.dump to restore (README: Backups)."
                .to_owned(),
        ));
    }
    let path = target.to_str().ok_or_else(|| refuse(format!("{} is not a path SQLite can take.", target.display())))?;
    // Sealed secrets live in the file: it is made empty and the owner's alone first, which VACUUM
    // INTO accepts; a file already there is never overwritten.
    write_private(target, b"").map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            refuse(format!("{} already exists: name a new file; nothing was overwritten.", target.display()))
        }
        _ => refuse(format!("cannot create {}: {e}", target.display())),
    })?;
    if let Err(error) = db.execute_unprepared(&format!("VACUUM INTO '{}'", path.replace('\'', "''"))).await {
        // Nothing half-made is left behind to be mistaken for a backup.
        let _ = std::fs::remove_file(target);
        return Err(error.into());
    }
    let copy = Database::connect(format!("sqlite://{path}?mode=rw")).await?;
    // Then VACUUM, so the deleted rows leave no trace in the file's free pages either.
    copy.execute_unprepared("DELETE FROM sessions").await?;
    copy.execute_unprepared("VACUUM").await?;
    copy.close().await?;
    let size = std::fs::metadata(target).map_err(|e| refuse(format!("cannot read {}: {e}", target.display())))?.len();
    Ok(size)
}
