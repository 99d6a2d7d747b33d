//! Unique indexes at work: which one a write violated, by the name the migrations gave it.
pub use migration::constraints::UniqueIndex;
use sea_orm::{DbErr, SqlErr};

/// Whether `error` is a violation of `index`.
pub fn violates(error: &DbErr, index: &UniqueIndex) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(message)) if index.is_violated_by(&message))
}
