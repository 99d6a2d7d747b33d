//! The session store on a real database.
use service::{session_store::DbSessionStore, testing::TestDatabase};
use time::{Duration, OffsetDateTime};
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
};

fn record(expires_in: Duration) -> Record {
    let mut data = std::collections::HashMap::new();
    data.insert("user_id".to_owned(), serde_json::json!("6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"));
    Record { id: Id::default(), data, expiry_date: OffsetDateTime::now_utc() + expires_in }
}

#[tokio::test]
async fn create_load_save_delete() {
    let db = TestDatabase::new().await;
    let store = DbSessionStore::new(db.db.clone());
    let mut rec = record(Duration::hours(1));
    store.create(&mut rec).await.unwrap();
    let loaded = store.load(&rec.id).await.unwrap().expect("the session just created");
    assert_eq!(loaded.data, rec.data);
    assert_eq!(loaded.expiry_date.unix_timestamp(), rec.expiry_date.unix_timestamp());

    rec.data.insert("org_id".to_owned(), serde_json::json!("x"));
    store.save(&rec).await.unwrap();
    assert_eq!(store.load(&rec.id).await.unwrap().unwrap().data.len(), 2);

    store.delete(&rec.id).await.unwrap();
    assert!(store.load(&rec.id).await.unwrap().is_none());
}

#[tokio::test]
async fn expired_sessions_do_not_load_and_are_swept() {
    let db = TestDatabase::new().await;
    let store = DbSessionStore::new(db.db.clone());
    let mut old = record(Duration::seconds(-5));
    let mut live = record(Duration::hours(1));
    store.create(&mut old).await.unwrap();
    store.create(&mut live).await.unwrap();
    assert!(store.load(&old.id).await.unwrap().is_none());
    assert_eq!(store.delete_expired().await.unwrap(), 1);
    assert!(store.load(&live.id).await.unwrap().is_some());
}

#[tokio::test]
async fn the_database_holds_a_hash_of_the_id_never_the_id() {
    use sea_orm::EntityTrait;
    let db = TestDatabase::new().await;
    let store = DbSessionStore::new(db.db.clone());
    let mut rec = record(Duration::hours(1));
    store.create(&mut rec).await.unwrap();
    let rows = service::entity::session::Entity::find().all(&db.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    let raw = rec.id.to_string();
    assert_ne!(rows[0].id, raw);
    assert!(!rows[0].data.contains(&raw), "the id is not in the row");
    assert_eq!(rows[0].id.len(), 64, "SHA-256, hex");
    assert!(store.load(&rec.id).await.unwrap().is_some(), "found by the id all the same");
}

#[tokio::test]
async fn ending_a_users_sessions_ends_them_all_and_no_one_elses() {
    let db = TestDatabase::new().await;
    let store = DbSessionStore::new(db.db.clone());
    let mut mine = [record(Duration::hours(1)), record(Duration::hours(1))];
    for rec in &mut mine {
        store.create(rec).await.unwrap();
    }
    let mut theirs = record(Duration::hours(1));
    theirs.data.insert("user_id".to_owned(), serde_json::json!("0b1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"));
    store.create(&mut theirs).await.unwrap();
    let me: vocabulary::ids::UserId = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f".parse().unwrap();
    assert_eq!(service::session_store::end_sessions_of(&db.db, me).await.unwrap(), 2);
    for rec in &mine {
        assert!(store.load(&rec.id).await.unwrap().is_none());
    }
    assert!(store.load(&theirs.id).await.unwrap().is_some());
}
