//! Automations and their variables on a real database (SQLite, or PostgreSQL with
//! WISP_TEST_POSTGRES_URL): names, keys, sensitive values, credentials in use, `.env` import,
//! and the rules that span rows under concurrency.
use sea_orm::{ConnectionTrait, Statement};
use service::{
    ServiceError,
    access::{AccessControl, Authorized, Manage, resource},
    automations::{
        self,
        variables::{self, Source, VariableForm, VariableInput},
    },
    master_key::{self, MasterKey},
    references,
    secret_providers::{self as credentials, CredentialInput, DefaultChoice},
    testing::{TestDatabase, organization_with_owner, recent_actions, static_key_form},
};
use vocabulary::{
    audit::AuditAction,
    env::SourceKind,
    ids::{AutomationId, CredentialId, OrgId},
    providers::AuthMethod,
};

struct Org {
    id: OrgId,
    automations: Authorized<Manage<resource::Automations>>,
    credentials: Authorized<Manage<resource::SecretProviders>>,
}

async fn org(db: &TestDatabase, name: &str) -> Org {
    let (id, user) = organization_with_owner(&db.db, name).await;
    let access = AccessControl::new().await.unwrap();
    Org {
        id,
        automations: access.authorize(&db.db, user, id).await.unwrap(),
        credentials: access.authorize(&db.db, user, id).await.unwrap(),
    }
}

async fn a_credential(db: &TestDatabase, org: &Org, key: &MasterKey, name: &str) -> CredentialId {
    let input = CredentialInput::parse(static_key_form(name)).unwrap();
    credentials::create(&db.db, key, &org.credentials, input, DefaultChoice::Automatic).await.unwrap().id
}

async fn an_automation(db: &TestDatabase, org: &Org, name: &str) -> AutomationId {
    automations::create(&db.db, &org.automations, automations::parse_name(name).unwrap()).await.unwrap().id
}

use service::testing::plain_variable as plain;

fn secret(key: &str, credential: CredentialId) -> VariableForm<'_> {
    VariableForm {
        source: SourceKind::Secret,
        credential: Some(credential),
        secret_name: "prod/db",
        json_key: "password",
        ..plain(key, "")
    }
}

fn input(form: VariableForm<'_>) -> VariableInput {
    VariableInput::parse(form).unwrap()
}

fn field_errors(error: &ServiceError) -> Vec<String> {
    error.field_errors().iter().map(|f| format!("{}: {}", f.field, f.message)).collect()
}

#[tokio::test]
async fn automations_are_named_once_per_organization_and_invisible_to_others() {
    let db = TestDatabase::new().await;
    let (acme, other) = (org(&db, "acme").await, org(&db, "other").await);
    let id = an_automation(&db, &acme, "nightly-report").await;
    let taken = automations::create(&db.db, &acme.automations, automations::parse_name("Nightly-Report").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(taken, ServiceError::NameTaken { .. }), "{taken:?}");
    an_automation(&db, &other, "nightly-report").await;

    let renamed =
        automations::rename(&db.db, &acme.automations, id, automations::parse_name("weekly-report").unwrap()).await;
    assert_eq!(renamed.unwrap().name, "weekly-report");
    let hidden = automations::get(&db.db, &other.automations.read(), id).await.unwrap_err();
    assert!(matches!(hidden, ServiceError::NotFound { .. }), "{hidden:?}");
    let not_theirs = automations::delete(&db.db, &other.automations, id).await.unwrap_err();
    assert!(matches!(not_theirs, ServiceError::NotFound { .. }), "{not_theirs:?}");

    let key = MasterKey::generate();
    variables::add(&db.db, &key, &acme.automations, id, input(plain("A", "1"))).await.unwrap();
    let listed = automations::list(&db.db, &acme.automations.read()).await.unwrap();
    assert_eq!((listed[0].automation.name.as_str(), listed[0].variables), ("weekly-report", 1));
    automations::delete(&db.db, &acme.automations, id).await.unwrap();
    assert!(automations::list(&db.db, &acme.automations.read()).await.unwrap().is_empty());
    assert_eq!(
        recent_actions(&db.db, acme.id, 4).await,
        [
            AuditAction::AutomationDelete,
            AuditAction::VariableCreate,
            AuditAction::AutomationRename,
            AuditAction::AutomationCreate
        ]
    );
}

#[tokio::test]
async fn keys_are_unique_per_automation_and_credentials_must_be_the_organizations() {
    let db = TestDatabase::new().await;
    let (acme, other) = (org(&db, "acme").await, org(&db, "other").await);
    let key = MasterKey::generate();
    let id = an_automation(&db, &acme, "deploy").await;
    variables::add(&db.db, &key, &acme.automations, id, input(plain("LOG_LEVEL", "debug"))).await.unwrap();
    let again = variables::add(&db.db, &key, &acme.automations, id, input(plain("LOG_LEVEL", "info"))).await;
    assert_eq!(
        field_errors(&again.unwrap_err()),
        ["key: deploy already has a variable LOG_LEVEL: edit that one, or choose another key."]
    );
    // Keys are case-sensitive, as the environment is.
    variables::add(&db.db, &key, &acme.automations, id, input(plain("log_level", "info"))).await.unwrap();

    let theirs = a_credential(&db, &other, &key, "theirs").await;
    let refused = variables::add(&db.db, &key, &acme.automations, id, input(secret("DB", theirs))).await.unwrap_err();
    assert_eq!(field_errors(&refused), ["credential: Choose one of this organization's credentials."]);

    let ours = a_credential(&db, &acme, &key, "ours").await;
    let added = variables::add(&db.db, &key, &acme.automations, id, input(secret("DB", ours))).await.unwrap();
    let Source::Secret { credential, secret_name, json_key } = &added.source else { panic!("{added:?}") };
    assert_eq!((credential.name.as_str(), credential.method), ("ours", AuthMethod::StaticKeys));
    assert_eq!((secret_name.as_str(), json_key.as_ref().map(|k| k.as_str())), ("prod/db", Some("password")));
    let hidden = variables::delete(&db.db, &other.automations, added.id).await.unwrap_err();
    assert!(matches!(hidden, ServiceError::NotFound { .. }), "{hidden:?}");
}

#[tokio::test]
async fn a_sensitive_value_is_sealed_never_read_back_and_kept_when_left_empty() {
    let db = TestDatabase::new().await;
    let acme = org(&db, "acme").await;
    let key = MasterKey::generate();
    let id = an_automation(&db, &acme, "deploy").await;
    let value = "hunter2-sensitive-e2e";
    let form = VariableForm { sensitive: true, ..plain("TOKEN", value) };
    let added = variables::add(&db.db, &key, &acme.automations, id, input(form)).await.unwrap();
    assert_eq!(added.source, Source::Plain { value: None, sensitive: true });
    assert!(!format!("{added:?}").contains(value));

    // Nowhere in the row as text: only the ciphertext is stored.
    let rows = db
        .db
        .query_all_raw(Statement::from_string(db.db.get_database_backend(), "SELECT * FROM environment_variables"))
        .await
        .unwrap();
    assert!(!format!("{rows:?}").contains(value), "{rows:?}");
    let audit = db
        .db
        .query_all_raw(Statement::from_string(db.db.get_database_backend(), "SELECT details FROM audit_log"))
        .await
        .unwrap();
    assert!(!format!("{audit:?}").contains(value));

    // Empty keeps it; turning it back into a plain value needs the value typed.
    let kept = VariableForm { sensitive: true, ..plain("TOKEN", "") };
    variables::update(&db.db, &key, &acme.automations, added.id, input(kept)).await.unwrap();
    let unsealed = variables::update(&db.db, &key, &acme.automations, added.id, input(plain("TOKEN", ""))).await;
    assert!(field_errors(&unsealed.unwrap_err())[0].starts_with("value: Enter the value"));
    assert_eq!(
        variables::list(&db.db, &acme.automations.read(), id).await.unwrap()[0].source,
        Source::Plain { value: None, sensitive: true }
    );

    // Rotation re-seals sensitive values with the credentials' keys.
    let sensitive_again = VariableForm { sensitive: true, ..plain("OTHER", "x") };
    variables::add(&db.db, &key, &acme.automations, id, input(sensitive_again)).await.unwrap();
    a_credential(&db, &acme, &key, "ci").await;
    let next = MasterKey::generate();
    let resealed = master_key::rotate(&db.db, &key.with(&next), &next.id(), std::time::Duration::ZERO).await.unwrap();
    assert_eq!(resealed, 3, "two values and a key");
}

#[tokio::test]
async fn a_credential_in_use_is_not_deleted_and_the_refusal_names_the_automations() {
    let db = TestDatabase::new().await;
    let acme = org(&db, "acme").await;
    let key = MasterKey::generate();
    let credential = a_credential(&db, &acme, &key, "ci").await;
    let (b, a) = (an_automation(&db, &acme, "billing").await, an_automation(&db, &acme, "alerts").await);
    let mut in_b = Vec::new();
    for (automation, name) in [(b, "DB"), (b, "API"), (a, "DB")] {
        let added = variables::add(&db.db, &key, &acme.automations, automation, input(secret(name, credential))).await;
        if automation == b {
            in_b.push(added.unwrap().id);
        }
    }
    let users = references::users_by_credential(&db.db, acme.id).await.unwrap();
    assert_eq!(users[&credential].to_string(), "automations alerts, billing", "each automation once, by name");
    let refused = credentials::delete(&db.db, &acme.credentials, credential).await.unwrap_err();
    assert_eq!(refused.to_string(), "The credential is used by automations alerts, billing.");
    // The database refuses too, whatever a caller does.
    let placeholder = if db.is_postgres() { "$1" } else { "?" };
    let sql = format!("DELETE FROM secret_provider_credentials WHERE id = {placeholder}");
    let raw = db
        .db
        .execute_raw(Statement::from_sql_and_values(db.db.get_database_backend(), sql, [credential.as_uuid().into()]))
        .await;
    assert!(raw.is_err(), "the foreign key restricts the delete");

    automations::delete(&db.db, &acme.automations, a).await.unwrap();
    for id in in_b {
        variables::delete(&db.db, &acme.automations, id).await.unwrap();
    }
    credentials::delete(&db.db, &acme.credentials, credential).await.unwrap();
}

#[tokio::test]
async fn concurrent_adds_of_one_key_leave_one_variable_and_deletes_never_orphan_a_reference() {
    let db = TestDatabase::new().await;
    let acme = org(&db, "acme").await;
    let key = std::sync::Arc::new(MasterKey::generate());
    let id = an_automation(&db, &acme, "deploy").await;
    let actor = acme.automations;
    let adds = (0..30).map(|n| {
        let (db, key) = (db.db.clone(), key.clone());
        tokio::spawn(async move {
            let value = n.to_string();
            variables::add(&db, &key, &actor, id, input(plain("SHARED", &value))).await
        })
    });
    let mut added = 0;
    for add in adds {
        match add.await.unwrap() {
            Ok(_) => added += 1,
            Err(error) => assert!(field_errors(&error)[0].starts_with("key: "), "{error:?}"),
        }
    }
    assert_eq!(added, 1);

    // A variable added while its credential is deleted: one of them wins, cleanly, every time.
    for round in 0..10 {
        let credential = a_credential(&db, &acme, &key, &format!("c{round}")).await;
        let (db1, db2, key1) = (db.db.clone(), db.db.clone(), key.clone());
        let name = format!("V{round}");
        let add = tokio::spawn(async move {
            variables::add(&db1, &key1, &actor, id, input(secret(&name, credential))).await.map(|_| ())
        });
        let credentials_actor = acme.credentials;
        let delete = tokio::spawn(async move { credentials::delete(&db2, &credentials_actor, credential).await });
        let (add, delete) = (add.await.unwrap(), delete.await.unwrap());
        match (&add, &delete) {
            (Ok(()), Err(ServiceError::InUse { .. })) => {}
            (Err(ServiceError::Invalid(_)), Ok(())) => {}
            other => panic!("round {round}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_dotenv_block_adds_plain_variables_and_reports_each_line_it_skips() {
    let db = TestDatabase::new().await;
    let acme = org(&db, "acme").await;
    let key = MasterKey::generate();
    let id = an_automation(&db, &acme, "deploy").await;
    variables::add(&db.db, &key, &acme.automations, id, input(plain("LOG_LEVEL", "debug"))).await.unwrap();
    let text = "# comment\nexport REGION_NAME=eu-west-1\nLOG_LEVEL=info\n1BAD=x\nGREETING=\"hello world\"\nHOME_DIR=$HOME\nnope";
    let report = variables::import(&db.db, &acme.automations, id, text).await.unwrap();
    let added: Vec<&str> = report.added.iter().map(|k| k.as_str()).collect();
    assert_eq!(added, ["REGION_NAME", "GREETING", "HOME_DIR"]);
    let lines: Vec<usize> = report.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [3, 4, 7], "{:?}", report.problems);
    assert!(report.problems[0].message.contains("LOG_LEVEL is already a variable"));
    let listed = variables::list(&db.db, &acme.automations.read(), id).await.unwrap();
    let home = listed.iter().find(|v| v.key.as_str() == "HOME_DIR").unwrap();
    assert_eq!(home.source, Source::Plain { value: Some("$HOME".to_owned()), sensitive: false });
}
