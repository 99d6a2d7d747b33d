//! Workload identity configs on a real database: SQLite by default, PostgreSQL when
//! WISP_TEST_POSTGRES_URL is set (the test command runs both).
use sea_orm::{ConnectionTrait, Statement};
use service::{
    ServiceError,
    access::{AccessControl, Authorized, Manage, resource::WorkloadIdentityConfigs},
    testing::{TestDatabase, organization_with_owner, recent_actions},
    workload_identity::{self as wi, ConfigForm, ConfigInput, DefaultChoice},
};
use vocabulary::audit::AuditAction;

type Manager = Authorized<Manage<WorkloadIdentityConfigs>>;

async fn owner(db: &TestDatabase, org: &str) -> Manager {
    let (org, user) = organization_with_owner(&db.db, org).await;
    AccessControl::new().await.unwrap().authorize(&db.db, user, org).await.unwrap()
}

fn input(name: &str) -> ConfigInput {
    let role = "arn:aws:iam::123456789012:role/wisp-reader";
    ConfigInput::parse(ConfigForm::aws(name, role, "us-east-1".parse().unwrap())).unwrap()
}

async fn defaults(db: &TestDatabase, actor: &Manager) -> Vec<String> {
    wi::list(&db.db, &actor.read()).await.unwrap().into_iter().filter(|c| c.is_default).map(|c| c.name).collect()
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

    assert_eq!(
        recent_actions(&db.db, admin.org_id(), 4).await,
        [
            AuditAction::WorkloadIdentityMakeDefault,
            AuditAction::WorkloadIdentityCreate,
            AuditAction::WorkloadIdentityCreate,
            AuditAction::WorkloadIdentityCreate
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
    assert_eq!(recent_actions(&db.db, admin.org_id(), 1).await, [AuditAction::WorkloadIdentityUpdate]);
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

/// A hundred at once, as a busy PostgreSQL saw them: every call succeeds (none deadlocks, times
/// out, or loses the default slot) and one default is left.
#[tokio::test]
async fn a_hundred_concurrent_make_default_calls_all_succeed() {
    let db = TestDatabase::new().await;
    let admin = owner(&db, "acme").await;
    let mut ids = Vec::new();
    for n in 0..10 {
        ids.push(wi::create(&db.db, &admin, input(&format!("aws-{n}")), DefaultChoice::No).await.unwrap().id);
    }
    let requests = (0..100).map(|n| {
        let (db, id) = (db.db.clone(), ids[n % ids.len()]);
        tokio::spawn(async move { wi::make_default(&db, &admin, id).await })
    });
    for outcome in futures_join(requests).await {
        outcome.expect("every request succeeds");
    }
    assert_eq!(defaults(&db, &admin).await.len(), 1);
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
    assert!(matches!(&again, ServiceError::NameTaken { name, .. } if name == "aws-prod"), "{again:?}");
    wi::create(&db.db, &other, input("aws-prod"), DefaultChoice::Automatic).await.expect("another organization may");

    assert!(matches!(wi::get(&db.db, &other.read(), config.id).await, Err(ServiceError::NotFound { .. })));
    assert!(matches!(wi::delete(&db.db, &other, config.id).await, Err(ServiceError::NotFound { .. })));
    assert!(matches!(wi::make_default(&db.db, &other, config.id).await, Err(ServiceError::NotFound { .. })));
    wi::delete(&db.db, &acme, config.id).await.unwrap();
    assert!(wi::list(&db.db, &acme.read()).await.unwrap().is_empty());
    assert_eq!(recent_actions(&db.db, acme.org_id(), 1).await, [AuditAction::WorkloadIdentityDelete]);
}

#[tokio::test]
async fn a_stored_value_wisp_cannot_read_is_one_typed_error_naming_its_column() {
    let db = TestDatabase::new().await;
    let admin = owner(&db, "acme").await;
    let config = wi::create(&db.db, &admin, input("aws-prod"), DefaultChoice::Automatic).await.unwrap();
    let backend = db.db.get_database_backend();
    let placeholder = if db.is_postgres() { "$1" } else { "?" };
    let sql = format!("UPDATE workload_identity_configs SET region = 'mars-1' WHERE id = {placeholder}");
    db.db.execute_raw(Statement::from_sql_and_values(backend, sql, [config.id.as_uuid().into()])).await.unwrap();

    let error = wi::list(&db.db, &admin.read()).await.unwrap_err();
    let ServiceError::CorruptRecord(corrupt) = error else { panic!("{error:?}") };
    assert_eq!((corrupt.column.as_str(), corrupt.kind, corrupt.value.as_str()), ("region", "Region", "mars-1"));
}

#[tokio::test]
async fn names_that_read_alike_are_one_name_and_tricks_are_refused() {
    let db = TestDatabase::new().await;
    let admin = owner(&db, "acme").await;
    wi::create(&db.db, &admin, input("aws-prod"), DefaultChoice::Automatic).await.unwrap();
    let role = "arn:aws:iam::123456789012:role/wisp-reader";
    for alike in ["AWS-Prod", "aws-pr0d", " aws-prod  "] {
        let input = ConfigInput::parse(ConfigForm::aws(alike, role, "us-east-1".parse().unwrap())).unwrap();
        let error = wi::create(&db.db, &admin, input, DefaultChoice::No).await.unwrap_err();
        assert!(matches!(error, ServiceError::NameTaken { .. }), "{alike}: {error:?}");
    }
    for trick in ["aws-pr\u{43e}d", "aws\u{200b}prod", "aws\u{202e}prod"] {
        let error = ConfigInput::parse(ConfigForm::aws(trick, role, "us-east-1".parse().unwrap())).unwrap_err();
        assert_eq!(error.field_errors()[0].field, "name", "{trick:?}");
    }
}

/// Rows from before names had keys: the migration keys them, and two that read alike in one
/// organization are told apart by a suffix instead of failing the upgrade.
#[tokio::test]
async fn the_name_key_migration_keys_existing_rows() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{EntityTrait, QueryOrder};
    use service::entity::workload_identity_config as config;

    let db = TestDatabase::empty().await;
    Migrator::up(&db.db, Some(3)).await.unwrap();
    let (p1, p2, p3) = if db.is_postgres() { ("$1", "$2", "$3") } else { ("?", "?", "?") };
    let org = uuid::Uuid::new_v4();
    let backend = db.db.get_database_backend();
    let sql = format!("INSERT INTO organizations (id, name, created_at) VALUES ({p1}, 'Acme', CURRENT_TIMESTAMP)");
    db.db.execute_raw(Statement::from_sql_and_values(backend, sql, [org.into()])).await.unwrap();
    for (n, name) in ["Prod", "prod", "Dev"].into_iter().enumerate() {
        let sql = format!(
            "INSERT INTO workload_identity_configs (id, org_id, name, provider, role_arn, region, is_default, created_at, updated_at) \
             VALUES ({p1}, {p2}, {p3}, 'aws', 'arn:aws:iam::123456789012:role/r', 'us-east-1', FALSE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP + INTERVAL '{n} second')"
        );
        let sql = if db.is_postgres() {
            sql
        } else {
            sql.replace(
                &format!("CURRENT_TIMESTAMP + INTERVAL '{n} second'"),
                &format!("datetime('now', '+{n} seconds')"),
            )
        };
        let values = [uuid::Uuid::new_v4().into(), org.into(), name.into()];
        db.db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.unwrap();
    }
    Migrator::up(&db.db, None).await.unwrap();
    let rows = config::Entity::find().order_by_asc(config::Column::Name).all(&db.db).await.unwrap();
    let names: Vec<(&str, &str)> = rows.iter().map(|r| (r.name.as_str(), r.name_key.as_str())).collect();
    assert_eq!(names.len(), 3);
    assert!(names.contains(&("Dev", "dev")), "{names:?}");
    let prods: Vec<&str> =
        names.iter().filter(|(n, _)| n.to_lowercase().starts_with("prod")).map(|(n, _)| *n).collect();
    assert_eq!(prods.len(), 2);
    assert!(prods.iter().any(|n| n.ends_with(" (2)")), "{names:?}");
}
