//! Workload identity configs on a real database: SQLite by default, PostgreSQL when
//! WISP_TEST_POSTGRES_URL is set (the test command runs both).
use sea_orm::{ConnectionTrait, Statement};
use service::{
    ServiceError,
    access::Member,
    accounts, audit,
    email::Email,
    permission::Role,
    testing::TestDatabase,
    workload_identity::{self as wi, ConfigInput, DefaultChoice},
};

async fn owner(db: &TestDatabase, org: &str) -> Member {
    let email: Email = format!("owner@{org}.test").parse().unwrap();
    let created = accounts::create_organization(&db.db, org, &email, None).await.unwrap();
    Member { user_id: created.owner.user_id, org_id: created.organization.id, role: Role::Owner }
}

fn input(name: &str) -> ConfigInput {
    ConfigInput::parse(name, "aws", "arn:aws:iam::123456789012:role/wisp-reader", "us-east-1").unwrap()
}

async fn defaults(db: &TestDatabase, actor: &Member) -> Vec<String> {
    wi::list(&db.db, actor.org_id).await.unwrap().into_iter().filter(|c| c.is_default).map(|c| c.name).collect()
}

#[tokio::test]
async fn the_first_config_becomes_the_default_and_a_new_default_moves_the_badge() {
    let db = TestDatabase::new().await;
    let admin = owner(&db, "acme").await;
    let first = wi::create(&db.db, &admin, input("aws-prod"), DefaultChoice::Automatic).await.unwrap();
    assert!(first.is_default, "the first AWS config is the default");
    let second = wi::create(&db.db, &admin, input("aws-staging"), DefaultChoice::Automatic).await.unwrap();
    assert!(!second.is_default, "later configs are not, unless asked");
    wi::create(&db.db, &admin, input("aws-dr"), DefaultChoice::Yes).await.unwrap();
    assert_eq!(defaults(&db, &admin).await, ["aws-dr"]);
    wi::make_default(&db.db, &admin, second.id).await.unwrap();
    assert_eq!(defaults(&db, &admin).await, ["aws-staging"]);

    let actions: Vec<String> =
        audit::recent(&db.db, admin.org_id, 4).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            "workload_identity.make_default",
            "workload_identity.create",
            "workload_identity.create",
            "workload_identity.create"
        ]
    );
}

#[tokio::test]
async fn an_admin_may_decline_the_default_for_the_first_config() {
    let db = TestDatabase::new().await;
    let admin = owner(&db, "acme").await;
    let config = wi::create(&db.db, &admin, input("aws-prod"), DefaultChoice::No).await.unwrap();
    assert!(!config.is_default);
    let edited = wi::update(&db.db, &admin, config.id, input("aws-prod"), true).await.unwrap();
    assert!(edited.is_default);
    assert_eq!(last_action(&db, &admin).await, "workload_identity.update");
}

async fn last_action(db: &TestDatabase, actor: &Member) -> String {
    audit::recent(&db.db, actor.org_id, 1).await.unwrap().remove(0).action
}

#[tokio::test]
async fn concurrent_make_default_requests_leave_exactly_one_default() {
    let db = TestDatabase::new().await;
    let admin = owner(&db, "acme").await;
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(wi::create(&db.db, &admin, input(&format!("aws-{n}")), DefaultChoice::No).await.unwrap().id);
    }
    for _round in 0..3 {
        let requests = ids.iter().map(|id| {
            let db = db.db.clone();
            let id = *id;
            tokio::spawn(async move { wi::make_default(&db, &admin, id).await })
        });
        for outcome in futures_join(requests).await {
            outcome.expect("every request succeeds; racers retry");
        }
        assert_eq!(defaults(&db, &admin).await.len(), 1);
    }
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        results.push(handle.await.unwrap());
    }
    results
}

#[tokio::test]
async fn the_database_itself_refuses_a_second_default() {
    let db = TestDatabase::new().await;
    let admin = owner(&db, "acme").await;
    let first = wi::create(&db.db, &admin, input("aws-prod"), DefaultChoice::Yes).await.unwrap();
    let second = wi::create(&db.db, &admin, input("aws-staging"), DefaultChoice::No).await.unwrap();
    // Bypass the service, as a buggy caller or a hand-written SQL statement would.
    let backend = db.db.get_database_backend();
    let placeholder = if db.is_postgres() { "$1" } else { "?" };
    let sql = format!("UPDATE workload_identity_configs SET is_default = TRUE WHERE id = {placeholder}");
    let refused = db.db.execute_raw(Statement::from_sql_and_values(backend, sql, [second.id.as_uuid().into()])).await;
    assert!(refused.is_err(), "two defaults for one (organization, provider)");
    assert_eq!(defaults(&db, &admin).await, ["aws-prod"]);
    assert!(first.is_default);
}

#[tokio::test]
async fn names_are_unique_per_organization_and_others_answer_not_found() {
    let db = TestDatabase::new().await;
    let acme = owner(&db, "acme").await;
    let other = owner(&db, "other").await;
    let config = wi::create(&db.db, &acme, input("aws-prod"), DefaultChoice::Automatic).await.unwrap();
    let again = wi::create(&db.db, &acme, input("aws-prod"), DefaultChoice::Automatic).await.unwrap_err();
    assert!(
        matches!(&again, ServiceError::Invalid { field: "name", message } if message.contains("already exists")),
        "{again:?}"
    );
    wi::create(&db.db, &other, input("aws-prod"), DefaultChoice::Automatic).await.expect("another organization may");

    assert!(matches!(wi::get(&db.db, other.org_id, config.id).await, Err(ServiceError::NotFound { .. })));
    assert!(matches!(wi::delete(&db.db, &other, config.id).await, Err(ServiceError::NotFound { .. })));
    assert!(matches!(wi::make_default(&db.db, &other, config.id).await, Err(ServiceError::NotFound { .. })));
    wi::delete(&db.db, &acme, config.id).await.unwrap();
    assert!(wi::list(&db.db, acme.org_id).await.unwrap().is_empty());
    assert_eq!(last_action(&db, &acme).await, "workload_identity.delete");
}
