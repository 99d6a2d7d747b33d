//! The schema's own guarantees, on SQLite and PostgreSQL: the Vault migration keeps every AWS row
//! and the references to it (SQLite makes both tables again), and the tables refuse a config or a
//! credential that mixes one provider's fields with another's.
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Statement, Value};
use service::{
    entity::{credential, workload_identity_config as config},
    testing::TestDatabase,
};

/// Runs `sql`, written with `?` placeholders, on either database.
async fn run(db: &TestDatabase, sql: &str, values: Vec<Value>) -> Result<(), DbErr> {
    let sql = if db.is_postgres() {
        let mut n = 0;
        sql.chars()
            .map(|c| {
                if c == '?' {
                    n += 1;
                    format!("${n}")
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        sql.to_owned()
    };
    db.db.execute_raw(Statement::from_sql_and_values(db.db.get_database_backend(), sql, values)).await.map(|_| ())
}

const CONFIG: &str = "INSERT INTO workload_identity_configs (id, org_id, name, name_key, provider, role_arn, region, \
     is_default, session_tags, vault_address, vault_auth_mount, vault_role, vault_audience, created_at, updated_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, FALSE, FALSE, ?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";

const CREDENTIAL: &str = "INSERT INTO secret_provider_credentials (id, org_id, name, name_key, provider, auth_method, \
     workload_identity_config_id, region, kv_mount, is_default, created_at, updated_at) \
     VALUES (?, ?, ?, ?, ?, 'workload_identity', ?, ?, ?, FALSE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";

/// The organization the rows belong to.
async fn acme(db: &TestDatabase, org: uuid::Uuid) {
    let sql =
        "INSERT INTO organizations (id, name, name_key, created_at) VALUES (?, 'Acme', 'acme', CURRENT_TIMESTAMP)";
    run(db, sql, vec![org.into()]).await.expect("an organization");
}

fn text(value: Option<&str>) -> Value {
    Value::String(value.map(str::to_owned))
}

#[tokio::test]
async fn the_vault_migration_keeps_aws_rows_and_their_references() {
    let db = TestDatabase::empty().await;
    Migrator::up(&db.db, Some(11)).await.unwrap();
    let (org, config, credential, automation) =
        (uuid::Uuid::new_v4(), uuid::Uuid::new_v4(), uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    acme(&db, org).await;
    let sql = "INSERT INTO workload_identity_configs (id, org_id, name, name_key, provider, role_arn, region, is_default, \
               session_tags, created_at, updated_at) VALUES (?, ?, 'prod', 'prod', 'aws', 'arn:aws:iam::123456789012:role/r', \
               'eu-west-1', TRUE, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";
    run(&db, sql, vec![config.into(), org.into()]).await.unwrap();
    let sql = "INSERT INTO secret_provider_credentials (id, org_id, name, name_key, provider, auth_method, \
               workload_identity_config_id, region, is_default, created_at, updated_at) VALUES (?, ?, 'wi', 'wi', \
               'aws_secrets_manager', 'workload_identity', ?, 'eu-west-1', TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";
    run(&db, sql, vec![credential.into(), org.into(), config.into()]).await.unwrap();
    let sql = "INSERT INTO automations (id, org_id, name, name_key, run_role_config_id, created_at, updated_at) \
               VALUES (?, ?, 'nightly', 'nightly', ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";
    run(&db, sql, vec![automation.into(), org.into(), config.into()]).await.unwrap();

    Migrator::up(&db.db, None).await.unwrap();

    let kept = config::Entity::find_by_id(config).one(&db.db).await.unwrap().expect("the config is kept");
    assert_eq!(kept.role_arn.map(|arn| arn.0.to_string()).as_deref(), Some("arn:aws:iam::123456789012:role/r"));
    assert_eq!(kept.region.map(|region| region.0.to_string()).as_deref(), Some("eu-west-1"));
    assert!(kept.is_default && kept.session_tags);
    assert!(kept.vault_address.is_none());
    let kept = credential::Entity::find_by_id(credential).one(&db.db).await.unwrap().expect("the credential is kept");
    assert_eq!(kept.workload_identity_config_id, Some(config));
    assert!(kept.kv_mount.is_none());
    // Both references still hold the config: the database refuses to delete it.
    let refused = run(&db, "DELETE FROM workload_identity_configs WHERE id = ?", vec![config.into()]).await;
    assert!(refused.is_err(), "the credential and the automation keep their config");
    run(&db, "DELETE FROM secret_provider_credentials WHERE id = ?", vec![credential.into()]).await.unwrap();
    let refused = run(&db, "DELETE FROM workload_identity_configs WHERE id = ?", vec![config.into()]).await;
    assert!(refused.is_err(), "the automation keeps its run role's config");
    // And a reference to nothing is refused.
    let dangling: Vec<Value> = vec![
        uuid::Uuid::new_v4().into(),
        org.into(),
        "x".into(),
        "x".into(),
        "aws_secrets_manager".into(),
        uuid::Uuid::new_v4().into(),
        text(Some("eu-west-1")),
        text(None),
    ];
    assert!(run(&db, CREDENTIAL, dangling).await.is_err());
}

#[tokio::test]
async fn a_config_or_credential_holds_exactly_its_providers_fields() {
    let db = TestDatabase::new().await;
    let org = uuid::Uuid::new_v4();
    acme(&db, org).await;
    let arn = Some("arn:aws:iam::123456789012:role/r");
    let vault = [Some("https://vault.example.com"), Some("jwt"), Some("wisp"), Some("https://vault.example.com")];
    let config = |name: &str, provider: &str, aws: [Option<&str>; 2], vault: [Option<&str>; 4]| {
        let mut values: Vec<Value> =
            vec![uuid::Uuid::new_v4().into(), org.into(), name.into(), name.into(), provider.into()];
        values.extend(aws.into_iter().chain(vault).map(text));
        values
    };
    let aws_config = config("aws", "aws", [arn, Some("us-east-1")], [None; 4]);
    let aws_id = aws_config[0].clone();
    run(&db, CONFIG, aws_config).await.expect("an AWS config");
    let vault_config = config("vault", "vault", [None, None], vault);
    let vault_id = vault_config[0].clone();
    run(&db, CONFIG, vault_config).await.expect("a Vault config");
    for (name, provider, aws, vault) in [
        ("aws-without-region", "aws", [arn, None], [None; 4]),
        ("aws-with-vault", "aws", [arn, Some("us-east-1")], vault),
        ("vault-with-arn", "vault", [arn, None], vault),
        ("vault-without-role", "vault", [None, None], [vault[0], vault[1], None, vault[3]]),
    ] {
        let refused = run(&db, CONFIG, config(name, provider, aws, vault)).await;
        assert!(refused.is_err(), "{name} is refused");
    }

    let credential = |name: &str, provider: &str, config: &Value, region: Option<&str>, kv: Option<&str>| {
        vec![
            uuid::Uuid::new_v4().into(),
            org.into(),
            name.into(),
            name.into(),
            provider.into(),
            config.clone(),
            text(region),
            text(kv),
        ]
    };
    run(&db, CREDENTIAL, credential("sm", "aws_secrets_manager", &aws_id, Some("us-east-1"), None)).await.unwrap();
    run(&db, CREDENTIAL, credential("kv", "vault_kv2", &vault_id, None, Some("secret"))).await.unwrap();
    for (name, provider, region, kv) in [
        ("sm-without-region", "aws_secrets_manager", None, None),
        ("sm-with-mount", "aws_secrets_manager", Some("us-east-1"), Some("secret")),
        ("kv-without-mount", "vault_kv2", None, None),
        ("kv-with-region", "vault_kv2", Some("us-east-1"), Some("secret")),
    ] {
        let refused = run(&db, CREDENTIAL, credential(name, provider, &vault_id, region, kv)).await;
        assert!(refused.is_err(), "{name} is refused");
    }
    let static_kv = "INSERT INTO secret_provider_credentials (id, org_id, name, name_key, provider, auth_method, \
         access_key_id, sealed_secret_access_key, master_key_id, kv_mount, is_default, created_at, updated_at) \
         VALUES (?, ?, 'static-kv', 'static-kv', 'vault_kv2', 'static_keys', 'AKIAIOSFODNN7EXAMPLE', ?, 'k1', 'secret', \
         FALSE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";
    let sealed = Value::Bytes(Some(vec![1, 2, 3]));
    assert!(
        run(&db, static_kv, vec![uuid::Uuid::new_v4().into(), org.into(), sealed]).await.is_err(),
        "Vault has no static keys"
    );
}
