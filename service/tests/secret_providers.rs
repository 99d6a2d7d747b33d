//! Secret provider credentials on a real database (SQLite, or PostgreSQL with
//! WISP_TEST_POSTGRES_URL): sealed keys, the one default, references, master-key rotation.
use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement};
use service::{
    ServiceError,
    access::{AccessControl, Authorized, Manage, resource},
    master_key::{self, MasterKey},
    secret_providers::{self as credentials, Auth, CredentialForm, CredentialInput, DefaultChoice},
    testing::{TestDatabase, organization_with_owner, recent_actions, static_key_form},
    workload_identity::{self as wi, ConfigForm, ConfigInput},
};
use vocabulary::{
    audit::AuditAction,
    aws::Region,
    ids::WorkloadIdentityConfigId,
    providers::AuthMethod,
    used_by::{UserKind, Users},
};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

struct Org {
    credentials: Authorized<Manage<resource::SecretProviders>>,
    configs: Authorized<Manage<resource::WorkloadIdentityConfigs>>,
}

async fn org(db: &TestDatabase, name: &str) -> Org {
    let (org, user) = organization_with_owner(&db.db, name).await;
    let access = AccessControl::new().await.unwrap();
    Org {
        credentials: access.authorize(&db.db, user, org).await.unwrap(),
        configs: access.authorize(&db.db, user, org).await.unwrap(),
    }
}

fn form(name: &str) -> CredentialForm<'_> {
    CredentialForm { secret_access_key: SECRET, ..static_key_form(name) }
}

fn input(form: CredentialForm<'_>) -> CredentialInput {
    CredentialInput::parse(form).unwrap()
}

async fn a_config(db: &TestDatabase, org: &Org) -> WorkloadIdentityConfigId {
    let role = "arn:aws:iam::123456789012:role/reader";
    let input = ConfigInput::parse(ConfigForm::aws("aws-prod", role, Region::DEFAULT)).unwrap();
    wi::create(&db.db, &org.configs, input, DefaultChoice::Automatic).await.unwrap().id
}

#[tokio::test]
async fn a_static_key_is_sealed_kept_on_edit_and_opened_only_with_the_master_key() {
    let db = TestDatabase::new().await;
    let acme = org(&db, "acme").await;
    let key = MasterKey::generate();
    let created = credentials::create(&db.db, &key, &acme.credentials, input(form("ci")), DefaultChoice::Automatic)
        .await
        .unwrap();
    assert!(created.is_default, "the first credential of a provider is the default");
    assert_eq!(created.secret_access_key(&key).unwrap().as_deref(), Some(SECRET));
    assert!(!format!("{created:?}").contains(SECRET));

    // An empty field keeps the key; the row is sealed for itself, so it still opens.
    let kept = CredentialForm {
        secret_access_key: "",
        role_arn: "arn:aws:iam::123456789012:role/r",
        external_id: "p-42",
        ..form("ci")
    };
    let edited = credentials::update(&db.db, &key, &acme.credentials, created.id, input(kept), true).await.unwrap();
    assert_eq!(edited.secret_access_key(&key).unwrap().as_deref(), Some(SECRET));
    let Auth::StaticKeys { role_arn, external_id, .. } = &edited.auth else { panic!("{edited:?}") };
    assert!(role_arn.is_some() && external_id.is_some());
    assert!(MasterKey::generate().open(&sealed(&edited), b"").is_err());

    // A copy of the sealed key in another row does not open there.
    let other =
        credentials::create(&db.db, &key, &acme.credentials, input(form("other")), DefaultChoice::No).await.unwrap();
    let (p1, p2) = if db.is_postgres() { ("$1", "$2") } else { ("?", "?") };
    let sql = format!(
        "UPDATE secret_provider_credentials SET sealed_secret_access_key = \
         (SELECT sealed_secret_access_key FROM secret_provider_credentials WHERE id = {p1}) WHERE id = {p2}"
    );
    let values = [created.id.as_uuid().into(), other.id.as_uuid().into()];
    db.db.execute_raw(Statement::from_sql_and_values(db.db.get_database_backend(), sql, values)).await.unwrap();
    let reader = acme.credentials.read();
    assert!(credentials::get(&db.db, &reader, other.id).await.unwrap().secret_access_key(&key).is_err());

    let actions = recent_actions(&db.db, acme.credentials.org_id(), 3).await;
    assert_eq!(actions, [AuditAction::CredentialCreate, AuditAction::CredentialUpdate, AuditAction::CredentialCreate]);
}

fn sealed(credential: &credentials::Credential) -> service::master_key::Sealed {
    match &credential.auth {
        Auth::StaticKeys { sealed, .. } => sealed.clone(),
        Auth::WorkloadIdentity(_) => panic!("not a static key"),
    }
}

#[tokio::test]
async fn switching_to_static_keys_needs_a_secret_and_to_workload_identity_drops_it() {
    let db = TestDatabase::new().await;
    let acme = org(&db, "acme").await;
    let key = MasterKey::generate();
    let config = a_config(&db, &acme).await;
    let by_config = CredentialForm {
        auth_method: AuthMethod::WorkloadIdentity,
        workload_identity_config: Some(config),
        ..form("aws")
    };
    let created =
        credentials::create(&db.db, &key, &acme.credentials, input(by_config), DefaultChoice::Automatic).await.unwrap();
    assert!(matches!(&created.auth, Auth::WorkloadIdentity(c) if c.id == config));
    assert_eq!(created.secret_access_key(&key).unwrap(), None);

    let no_secret = CredentialForm { secret_access_key: "", ..form("aws") };
    let error =
        credentials::update(&db.db, &key, &acme.credentials, created.id, input(no_secret), true).await.unwrap_err();
    assert_eq!(error.field_errors()[0].field, "secret_access_key", "{error:?}");

    let other = org(&db, "other").await;
    let foreign = CredentialForm {
        auth_method: AuthMethod::WorkloadIdentity,
        workload_identity_config: Some(config),
        ..form("x")
    };
    let error =
        credentials::create(&db.db, &key, &other.credentials, input(foreign), DefaultChoice::No).await.unwrap_err();
    assert_eq!(error.field_errors()[0].field, "workload_identity_config", "another organization's config: {error:?}");
}

#[tokio::test]
async fn a_config_in_use_cannot_be_deleted_and_the_refusal_names_its_users() {
    let db = TestDatabase::new().await;
    let acme = org(&db, "acme").await;
    let key = MasterKey::generate();
    let config = a_config(&db, &acme).await;
    for name in ["ci", "prod"] {
        let by_config = CredentialForm {
            auth_method: AuthMethod::WorkloadIdentity,
            workload_identity_config: Some(config),
            ..form(name)
        };
        credentials::create(&db.db, &key, &acme.credentials, input(by_config), DefaultChoice::No).await.unwrap();
    }
    let refused = wi::delete(&db.db, &acme.configs, config).await.unwrap_err();
    let ServiceError::InUse { used_by, .. } = &refused else { panic!("{refused:?}") };
    assert_eq!(used_by.groups(), [Users { kind: UserKind::Credentials, names: vec!["ci".into(), "prod".into()] }]);
    assert_eq!(refused.to_string(), "The workload identity config is used by credentials ci, prod.");
    // The database refuses too, whatever a caller does.
    let placeholder = if db.is_postgres() { "$1" } else { "?" };
    let sql = format!("DELETE FROM workload_identity_configs WHERE id = {placeholder}");
    let raw = db
        .db
        .execute_raw(Statement::from_sql_and_values(db.db.get_database_backend(), sql, [config.as_uuid().into()]))
        .await;
    assert!(raw.is_err(), "the foreign key restricts the delete");
}

#[tokio::test]
async fn a_hundred_concurrent_make_default_calls_leave_one_default_credential() {
    let db = TestDatabase::new().await;
    let acme = org(&db, "acme").await;
    let key = MasterKey::generate();
    let mut ids = Vec::new();
    for n in 0..10 {
        let name = format!("c{n}");
        ids.push(
            credentials::create(&db.db, &key, &acme.credentials, input(form(&name)), DefaultChoice::No)
                .await
                .unwrap()
                .id,
        );
    }
    let actor = acme.credentials;
    let calls = (0..100).map(|n| {
        let (db, id) = (db.db.clone(), ids[n % ids.len()]);
        tokio::spawn(async move { credentials::make_default(&db, &actor, id).await })
    });
    for call in calls {
        call.await.unwrap().expect("every call succeeds");
    }
    let listed = credentials::list(&db.db, &acme.credentials.read()).await.unwrap();
    assert_eq!(listed.iter().filter(|c| c.is_default).count(), 1);
}

#[tokio::test]
async fn rotating_the_master_key_reseals_every_secret() {
    let db = TestDatabase::new().await;
    let acme = org(&db, "acme").await;
    let (old, new) = (MasterKey::generate(), MasterKey::generate());
    let a = credentials::create(&db.db, &old, &acme.credentials, input(form("a")), DefaultChoice::No).await.unwrap();
    let b = credentials::create(&db.db, &old, &acme.credentials, input(form("b")), DefaultChoice::No).await.unwrap();
    let lacking = MasterKey::generate().with(&new);
    let refused = master_key::rotate(&db.db, &lacking, &new.id(), Duration::ZERO).await.unwrap_err().to_string();
    assert!(refused.contains(&old.id()), "a ring that cannot open the values says which key it lacks: {refused}");
    let reader = acme.credentials.read();
    assert_eq!(
        credentials::get(&db.db, &reader, a.id).await.unwrap().secret_access_key(&old).unwrap().as_deref(),
        Some(SECRET)
    );

    // Run again with the old key in the ring: the interrupted rotation finishes.
    let ring = old.with(&new);
    assert_eq!(master_key::rotate(&db.db, &ring, &new.id(), Duration::ZERO).await.unwrap(), 2);
    for id in [a.id, b.id] {
        let stored = credentials::get(&db.db, &reader, id).await.unwrap();
        assert_eq!(stored.secret_access_key(&new).unwrap().as_deref(), Some(SECRET));
        assert!(stored.secret_access_key(&old).is_err());
    }
    assert_eq!(master_key::rotate(&db.db, &ring, &new.id(), Duration::ZERO).await.unwrap(), 0, "nothing left to do");
    assert_eq!(
        master_key::keyring(&db.db, &ring).await.unwrap().master_key_id,
        new.id(),
        "the database names the new key"
    );
}
