//! tower-sessions' store on our own database, so sessions survive restarts, are shared by every
//! replica, and live in the tables our migrations create on SQLite and PostgreSQL alike. A
//! session id is a bearer credential: rows are keyed by its SHA-256, so the database (or a copy
//! of it) holds nothing that signs anyone in.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    sea_query::OnConflict,
};
use time::OffsetDateTime;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store::{Error, Result},
};
use vocabulary::ids::UserId;

use crate::{entity::session, error::ServiceResult};

/// The session entry naming who signed in; the store files the session under that user too.
pub const USER_KEY: &str = "user_id";

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Deletes sessions past their expiry; returns how many.
    pub async fn delete_expired(&self) -> std::result::Result<u64, sea_orm::DbErr> {
        let result =
            session::Entity::delete_many().filter(session::Column::ExpiresAt.lte(Utc::now())).exec(&self.db).await?;
        Ok(result.rows_affected)
    }
}

/// Ends every session of `user`, on every replica ("Sign out everywhere"); returns how many.
pub async fn end_sessions_of(db: &impl ConnectionTrait, user: UserId) -> ServiceResult<u64> {
    let result = session::Entity::delete_many().filter(session::Column::UserId.eq(user.as_uuid())).exec(db).await?;
    Ok(result.rows_affected)
}

fn key(id: &Id) -> String {
    crate::bearer::stored_hash(&id.to_string())
}

fn backend(e: sea_orm::DbErr) -> Error {
    Error::Backend(e.to_string())
}

fn to_chrono(at: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(at.unix_timestamp(), at.nanosecond()).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn to_time(at: DateTime<Utc>) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.timestamp_micros()) * 1_000)
        .map_err(|e| Error::Decode(e.to_string()))
}

fn active_model(record: &Record) -> Result<session::ActiveModel> {
    let user = record.data.get(USER_KEY).and_then(|v| serde_json::from_value::<UserId>(v.clone()).ok());
    Ok(session::ActiveModel {
        id: Set(key(&record.id)),
        data: Set(serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?),
        expires_at: Set(to_chrono(record.expiry_date)),
        user_id: Set(user.map(|u| u.as_uuid())),
    })
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // Ids are 128 random bits; a collision is all but impossible, but must not reuse a session.
        while session::Entity::find_by_id(key(&record.id)).one(&self.db).await.map_err(backend)?.is_some() {
            record.id = Id::default();
        }
        active_model(record)?.insert(&self.db).await.map_err(backend)?;
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        session::Entity::insert(active_model(record)?)
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt, session::Column::UserId])
                    .to_owned(),
            )
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let found = session::Entity::find_by_id(key(id))
            .filter(session::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?;
        found
            .map(|row| {
                Ok(Record {
                    id: *id,
                    data: serde_json::from_str(&row.data).map_err(|e| Error::Decode(e.to_string()))?,
                    expiry_date: to_time(row.expires_at)?,
                })
            })
            .transpose()
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        session::Entity::delete_by_id(key(id)).exec(&self.db).await.map_err(backend)?;
        Ok(())
    }
}
