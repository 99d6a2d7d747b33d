//! Unique indexes at work: recognising which one a write violated, and retrying a transaction
//! that lost a one-per-scope slot (a provider's default) to a concurrent transaction. Every
//! feature with a default uses this, with its own partial unique index.
use std::{future::Future, pin::Pin, time::Duration};

pub use migration::constraints::UniqueIndex;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, SqlErr};

use super::begin_write;
use crate::error::{ServiceError, ServiceResult};

/// A transaction that loses the race this many times in a row gives up.
const RACE_ATTEMPTS: u64 = 8;

/// Whether `error` is a violation of `index`.
pub fn violates(error: &DbErr, index: &UniqueIndex) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(message)) if index.is_violated_by(&message))
}

pub type TxnFuture<'a, T> = Pin<Box<dyn Future<Output = ServiceResult<T>> + Send + 'a>>;

/// Runs `work` in a transaction, again when a concurrent transaction took `slot` between our
/// clearing it and taking it: the database refused the second holder, so no request can leave
/// two, and retrying makes the last request win as users expect. SQLite's refusal to upgrade two
/// readers' locks at once ("database is locked") is retried the same way.
pub async fn retry_lost_race<T, F>(db: &DatabaseConnection, slot: &UniqueIndex, work: F) -> ServiceResult<T>
where
    F: for<'t> Fn(&'t DatabaseTransaction) -> TxnFuture<'t, T>,
{
    let lost_race = |error: &DbErr| violates(error, slot) || error.to_string().contains("database is locked");
    let mut attempt = 1;
    loop {
        let txn = begin_write(db).await?;
        let lost = match work(&txn).await {
            Ok(value) => match txn.commit().await {
                Ok(()) => return Ok(value),
                Err(error) if lost_race(&error) => error,
                Err(error) => return Err(error.into()),
            },
            Err(ServiceError::Database(error)) if lost_race(&error) => error,
            Err(error) => return Err(error),
        };
        if attempt == RACE_ATTEMPTS {
            return Err(lost.into());
        }
        // Spread the retries so the racers do not collide again in lockstep.
        let pause = 5 * attempt + u64::from(rand::random::<u8>() % 10);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        attempt += 1;
    }
}
