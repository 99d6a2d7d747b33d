//! Deploy, kickoff and ID tokens. The first tests run on a real database alone (SQLite, or
//! PostgreSQL with WISP_TEST_POSTGRES_URL); the ones marked `ignore` read secrets from moto behind
//! the fault proxy and run in the test command (scripts/test.sh), which has the virtualenv.
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use service::{
    ServiceError,
    access::{AccessControl, Authorized, Manage, resource},
    automations::{
        self, Manager,
        variables::{self, VariableForm, VariableInput},
    },
    aws::{Aws, sdk::AwsSdk},
    deployments::{self, id_tokens::IdTokens, kickoffs},
    issuer::{IssuerConfig, IssuerState},
    master_key::MasterKey,
    providers::Providers,
    references::{self, Referent},
    secret_providers::{self, CredentialForm, CredentialInput, DefaultChoice},
    testing::{AwsWorld, TestDatabase, organization_with_owner, recent_actions, static_key_form},
    workload_identity::{self, ConfigForm, ConfigInput},
};
use vocabulary::{
    audit::AuditAction,
    aws::Region,
    dto::deployments::{KickoffOutcome, SecretFailure},
    env::SourceKind,
    ids::{AutomationId, CredentialId, OrgId, UserId},
    providers::AuthMethod,
};

use service::{testing::plain_variable as plain, vault::client::VaultSdk};

fn secret<'a>(key: &'a str, credential: CredentialId, name: &'a str, json_key: &'a str) -> VariableForm<'a> {
    VariableForm {
        source: SourceKind::Secret,
        credential: Some(credential),
        secret_name: name,
        json_key,
        ..plain(key, "")
    }
}

async fn add(db: &TestDatabase, key: &MasterKey, actor: &Manager, automation: AutomationId, form: VariableForm<'_>) {
    variables::add(&db.db, key, actor, automation, VariableInput::parse(form).unwrap()).await.unwrap();
}

async fn an_automation(db: &TestDatabase, actor: &Manager, name: &str) -> AutomationId {
    automations::create(&db.db, actor, automations::parse_name(name).unwrap()).await.unwrap().id
}

/// Without any secret to read, the AWS side is never called: an endpoint nobody listens on.
struct Offline {
    sdk: AwsSdk,
    issuer: IssuerState,
    key: MasterKey,
    vault: VaultSdk,
}

impl Offline {
    async fn new() -> Self {
        let sdk = AwsSdk::with_endpoint("http://127.0.0.1:9").await;
        let issuer = IssuerState::load(&IssuerConfig::default()).unwrap();
        Self { sdk, issuer, key: MasterKey::generate(), vault: VaultSdk::default() }
    }

    fn aws(&self) -> Aws<'_> {
        Aws { issuer: &self.issuer, sdk: &self.sdk, master_key: &self.key }
    }

    fn providers(&self) -> Providers<'_> {
        Providers { aws: self.aws(), vault: &self.vault }
    }
}

#[tokio::test]
async fn a_deployment_freezes_plain_values_and_its_token_opens_only_its_own_automation() {
    let db = TestDatabase::new().await;
    let offline = Offline::new().await;
    let (org, user) = organization_with_owner(&db.db, "acme").await;
    let access = AccessControl::new().await.unwrap();
    let actor: Manager = access.authorize(&db.db, user, org).await.unwrap();
    let nightly = an_automation(&db, &actor, "nightly").await;
    add(&db, &offline.key, &actor, nightly, plain("GREETING", "hello")).await;
    add(&db, &offline.key, &actor, nightly, VariableForm { sensitive: true, ..plain("API_TOKEN", "sh-secret-1") })
        .await;

    let first = deployments::deploy(&db.db, offline.aws(), &actor, nightly).await.unwrap();
    assert_eq!(first.deployment.number, 1);
    assert_eq!(first.deployment.variables, 2);
    assert!(first.token.starts_with("wisp_dt_"));
    assert_eq!(first.deployment.created_by.as_deref(), Some("owner@acme.test"));

    // An edit after the deploy reaches the next deployment, not this one.
    let edited = variables::list(&db.db, &actor.read(), nightly).await.unwrap();
    let greeting = edited.iter().find(|v| v.key.as_str() == "GREETING").unwrap().id;
    variables::update(
        &db.db,
        &offline.key,
        &actor,
        greeting,
        VariableInput::parse(plain("GREETING", "bonjour")).unwrap(),
    )
    .await
    .unwrap();
    let worker = deployments::authenticate(&db.db, &first.token).await.unwrap();
    assert_eq!((worker.automation(), worker.number(), worker.org()), (nightly, 1, org));
    let env = kickoffs::kickoff(&db.db, offline.providers(), &worker, Some(nightly)).await.unwrap();
    assert_eq!(env.deployment, 1);
    assert_eq!(env.env["GREETING"], "hello");
    assert_eq!(env.env["API_TOKEN"], "sh-secret-1");
    let second = deployments::deploy(&db.db, offline.aws(), &actor, nightly).await.unwrap();
    let worker2 = deployments::authenticate(&db.db, &second.token).await.unwrap();
    let env2 = kickoffs::kickoff(&db.db, offline.providers(), &worker2, None).await.unwrap();
    assert_eq!((env2.deployment, env2.env["GREETING"].as_str()), (2, "bonjour"));

    // Neither the sensitive value nor a token is stored in the clear.
    for (table, column) in [("deployment_variables", "sealed_value"), ("deployments", "token_hash")] {
        let rows = db
            .db
            .query_all_raw(Statement::from_string(db.db.get_database_backend(), format!("SELECT * FROM {table}")))
            .await
            .unwrap();
        let dump = format!("{rows:?}");
        assert!(!dump.contains("sh-secret-1") && !dump.contains(&first.token), "{table}.{column} leaks");
    }

    // Another organization's token cannot start this automation, nor name it.
    let (other_org, other_user) = organization_with_owner(&db.db, "globex").await;
    let other: Manager = access.authorize(&db.db, other_user, other_org).await.unwrap();
    let theirs = an_automation(&db, &other, "theirs").await;
    let their_token = deployments::deploy(&db.db, offline.aws(), &other, theirs).await.unwrap().token;
    let their_worker = deployments::authenticate(&db.db, &their_token).await.unwrap();
    let refused = kickoffs::kickoff(&db.db, offline.providers(), &their_worker, Some(nightly)).await.unwrap_err();
    assert!(matches!(refused, ServiceError::TokenScope { .. }), "{refused:?}");
    let not_theirs = deployments::revoke_token(&db.db, &other, worker.deployment()).await.unwrap_err();
    assert!(matches!(not_theirs, ServiceError::NotFound { .. }), "{not_theirs:?}");

    // Revoked: the next kickoff is refused, by name; a forged or mangled token is refused too.
    let revoked = deployments::revoke_token(&db.db, &actor, worker.deployment()).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    let refused = deployments::authenticate(&db.db, &first.token).await.unwrap_err();
    assert!(matches!(&refused, ServiceError::InvalidToken { message } if message.contains("revoked")), "{refused:?}");
    for forged in ["", "wisp_dt_", &first.token.replace("wisp_dt_", "wisp_dt_x")[..51], "Bearer x"] {
        let refused = deployments::authenticate(&db.db, forged).await.unwrap_err();
        assert!(matches!(refused, ServiceError::InvalidToken { .. }), "{forged}");
    }

    // The list, newest first, says when each token was last used; the history pages.
    let list = deployments::list(&db.db, &actor.read(), nightly).await.unwrap();
    assert_eq!(list.iter().map(|d| d.number).collect::<Vec<_>>(), [2, 1]);
    assert!(list.iter().all(|d| d.token_last_used_at.is_some()));
    for _ in 0..3 {
        kickoffs::kickoff(&db.db, offline.providers(), &worker2, None).await.unwrap();
    }
    let page = kickoffs::history(&db.db, &actor.read(), nightly, None, 3).await.unwrap();
    assert_eq!(page.kickoffs.len(), 3);
    let rest = kickoffs::history(&db.db, &actor.read(), nightly, page.next.as_deref(), 3).await.unwrap();
    assert_eq!(rest.kickoffs.len(), 2, "five kickoffs in all");
    assert!(rest.next.is_none());
    assert_eq!(rest.kickoffs.last().unwrap().deployment, 1, "the oldest comes last");
    let newest = &page.kickoffs[0];
    assert_eq!(newest.outcome, KickoffOutcome::Succeeded);
    let fingerprint = |k: &vocabulary::dto::deployments::KickoffView, key: &str| {
        k.variables.iter().find(|v| v.key.as_str() == key).and_then(|v| v.fingerprint.clone()).unwrap()
    };
    assert_eq!(fingerprint(newest, "API_TOKEN"), fingerprint(rest.kickoffs.last().unwrap(), "API_TOKEN"));
    assert_ne!(fingerprint(newest, "GREETING"), fingerprint(rest.kickoffs.last().unwrap(), "GREETING"));
    assert!(!format!("{page:?}{rest:?}").contains("sh-secret-1"));

    let actions = recent_actions(&db.db, org, 3).await;
    assert_eq!(actions[0], AuditAction::DeploymentRevokeToken);
    assert!(actions.contains(&AuditAction::DeploymentCreate));
    let summary = automations::list(&db.db, &actor.read()).await.unwrap();
    assert_eq!(summary[0].current_deployment, Some(2));
    assert!(summary[0].last_kickoff.is_some());
    assert_eq!(kickoffs::sweep(&db.db, 1).await.unwrap(), 0, "nothing is a day old");
}

#[tokio::test]
async fn concurrent_deploys_take_consecutive_numbers() {
    let db = TestDatabase::new().await;
    let offline = Offline::new().await;
    let (org, user) = organization_with_owner(&db.db, "acme").await;
    let actor: Manager = AccessControl::new().await.unwrap().authorize(&db.db, user, org).await.unwrap();
    let nightly = an_automation(&db, &actor, "nightly").await;
    add(&db, &offline.key, &actor, nightly, plain("A", "1")).await;
    let deploys = (0..8).map(|_| deployments::deploy(&db.db, offline.aws(), &actor, nightly));
    let mut numbers: Vec<u32> =
        futures::future::join_all(deploys).await.into_iter().map(|d| d.unwrap().deployment.number).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=8).collect::<Vec<_>>());
}

/// A workload identity config and a credential signing in through it: nothing AWS is asked at deploy.
async fn a_workload_identity_credential(
    db: &TestDatabase,
    access: &AccessControl,
    user: UserId,
    org: OrgId,
    name: &str,
) -> CredentialId {
    let configs: Authorized<Manage<resource::WorkloadIdentityConfigs>> =
        access.authorize(&db.db, user, org).await.unwrap();
    let credentials: Authorized<Manage<resource::SecretProviders>> = access.authorize(&db.db, user, org).await.unwrap();
    let role = "arn:aws:iam::123456789012:role/reader";
    let config = ConfigInput::parse(ConfigForm::aws(&format!("{name}-config"), role, Region::DEFAULT)).unwrap();
    let config = workload_identity::create(&db.db, &configs, config, DefaultChoice::No).await.unwrap().id;
    let form = CredentialForm {
        auth_method: AuthMethod::WorkloadIdentity,
        workload_identity_config: Some(config),
        secret_access_key: "",
        ..static_key_form(name)
    };
    let input = CredentialInput::parse(form).unwrap();
    secret_providers::create(&db.db, &MasterKey::generate(), &credentials, input, DefaultChoice::No).await.unwrap().id
}

#[tokio::test]
async fn a_credential_an_active_deployment_reads_through_is_deleted_only_once_its_token_is_revoked() {
    let db = TestDatabase::new().await;
    let offline = Offline::new().await;
    let (org, user) = organization_with_owner(&db.db, "acme").await;
    let access = AccessControl::new().await.unwrap();
    let actor: Manager = access.authorize(&db.db, user, org).await.unwrap();
    let credentials: Authorized<Manage<resource::SecretProviders>> = access.authorize(&db.db, user, org).await.unwrap();
    let old = a_workload_identity_credential(&db, &access, user, org, "old").await;
    let new = a_workload_identity_credential(&db, &access, user, org, "new").await;
    let nightly = an_automation(&db, &actor, "nightly").await;
    add(&db, &offline.key, &actor, nightly, secret("DB", old, "db", "")).await;
    let first = deployments::deploy(&db.db, offline.aws(), &actor, nightly).await.unwrap().deployment;

    // The automation moves to the new credential; deployment #1 still reads through the old one.
    let listed = variables::list(&db.db, &actor.read(), nightly).await.unwrap();
    let moved = VariableInput::parse(secret("DB", new, "db", "")).unwrap();
    variables::update(&db.db, &offline.key, &actor, listed[0].id, moved).await.unwrap();
    let used = references::users_of(&db.db, org, Referent::Credential(old)).await.unwrap();
    assert_eq!(used.to_string(), "active deployments nightly #1");
    let refused = secret_providers::delete(&db.db, &credentials, old).await.unwrap_err();
    assert_eq!(refused.to_string(), "The credential is used by active deployments nightly #1.");
    assert!(refused.hint().contains("revoke the older deployments' tokens"), "{}", refused.hint());
    let second = deployments::deploy(&db.db, offline.aws(), &actor, nightly).await.unwrap().deployment;
    let by_credential = references::users_by_credential(&db.db, org).await.unwrap();
    assert_eq!(by_credential[&new].to_string(), "automations nightly and active deployments nightly #2");
    assert_eq!(by_credential[&old].to_string(), "active deployments nightly #1");

    // Revoked, deployment #1 holds on to nothing: its token opens nothing any more.
    deployments::revoke_token(&db.db, &actor, first.id).await.unwrap();
    assert!(references::users_of(&db.db, org, Referent::Credential(old)).await.unwrap().is_empty());
    secret_providers::delete(&db.db, &credentials, old).await.unwrap();
    let refused = secret_providers::delete(&db.db, &credentials, new).await.unwrap_err();
    assert_eq!(refused.to_string(), "The credential is used by automations nightly and active deployments nightly #2.");
    assert_eq!(second.number, 2);
}

#[tokio::test]
async fn a_deploy_racing_a_credential_delete_never_leaves_a_deployment_reading_through_nothing() {
    let db = TestDatabase::new().await;
    let offline = std::sync::Arc::new(Offline::new().await);
    let (org, user) = organization_with_owner(&db.db, "acme").await;
    let access = AccessControl::new().await.unwrap();
    let actor: Manager = access.authorize(&db.db, user, org).await.unwrap();
    let credentials: Authorized<Manage<resource::SecretProviders>> = access.authorize(&db.db, user, org).await.unwrap();
    let nightly = an_automation(&db, &actor, "nightly").await;
    let mut current = a_workload_identity_credential(&db, &access, user, org, "c0").await;
    add(&db, &offline.key, &actor, nightly, secret("DB", current, "db", "")).await;
    for round in 1..=10 {
        // Move the variable to a new credential and delete the old one while a deploy is under way.
        let next = a_workload_identity_credential(&db, &access, user, org, &format!("c{round}")).await;
        let deploy = {
            let (db, offline) = (db.db.clone(), offline.clone());
            tokio::spawn(async move { deployments::deploy(&db, offline.aws(), &actor, nightly).await.map(|_| ()) })
        };
        let variable = variables::list(&db.db, &actor.read(), nightly).await.unwrap()[0].id;
        let moved = VariableInput::parse(secret("DB", next, "db", "")).unwrap();
        variables::update(&db.db, &offline.key, &actor, variable, moved).await.unwrap();
        let deleted = secret_providers::delete(&db.db, &credentials, current).await;
        match (deploy.await.unwrap(), &deleted) {
            (Ok(()), Ok(())) | (Ok(()), Err(ServiceError::InUse { .. })) => {}
            (Err(ServiceError::NotFound { .. }), Ok(())) => {}
            other => panic!("round {round}: {other:?}"),
        }
        // Whatever won, every live deployment reads through a credential that exists.
        let dangling = db
            .db
            .query_all_raw(Statement::from_string(
                db.db.get_database_backend(),
                "SELECT v.id FROM deployment_variables v JOIN deployments d ON d.id = v.deployment_id \
                 LEFT JOIN secret_provider_credentials c ON c.id = v.credential_id \
                 WHERE d.revoked_at IS NULL AND v.credential_id IS NOT NULL AND c.id IS NULL",
            ))
            .await
            .unwrap();
        assert!(dangling.is_empty(), "round {round}: a live deployment reads through a deleted credential");
        // Deployments left reading through the old credential are revoked, so the next round can delete.
        if deleted.is_err() {
            for live in deployments::list(&db.db, &actor.read(), nightly).await.unwrap() {
                if live.revoked_at.is_none() {
                    deployments::revoke_token(&db.db, &actor, live.id).await.unwrap();
                }
            }
            secret_providers::delete(&db.db, &credentials, current).await.unwrap();
        }
        current = next;
    }
}

#[tokio::test]
async fn id_tokens_name_the_running_automation_and_are_rate_limited_per_deployment() {
    let db = TestDatabase::new().await;
    let mut offline = Offline::new().await;
    offline.issuer = service::testing::pinned_issuer("https://wisp.example.com");
    let (org, user) = organization_with_owner(&db.db, "acme").await;
    let actor: Manager = AccessControl::new().await.unwrap().authorize(&db.db, user, org).await.unwrap();
    let nightly = an_automation(&db, &actor, "nightly").await;
    let token = deployments::deploy(&db.db, offline.aws(), &actor, nightly).await.unwrap().token;
    let worker = deployments::authenticate(&db.db, &token).await.unwrap();
    let tokens = IdTokens::default();
    let minted = tokens.issue(&db.db, &offline.issuer, &worker, "https://vault.example.com").await.unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            minted.token.split('.').nth(1).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["sub"], json!(format!("organization:{org}:automation:{nightly}")));
    assert_eq!(claims["aud"], json!("https://vault.example.com"));
    assert_eq!(claims["automation_id"], json!(nightly.to_string()));
    assert_eq!(claims["deployment"], json!(1));
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 900);
    let refused = tokens.issue(&db.db, &offline.issuer, &worker, "").await.unwrap_err();
    assert!(matches!(refused, ServiceError::Invalid(_)), "an audience is required");
    let mut answers = Vec::new();
    for _ in 0..40 {
        answers.push(tokens.issue(&db.db, &offline.issuer, &worker, "aud").await);
    }
    assert!(answers.iter().any(|a| matches!(a, Err(ServiceError::TooManyRequests { .. }))), "rate-limited");
}

fn failure_of<'a>(error: &'a ServiceError, variable: &str) -> &'a SecretFailure {
    match error {
        ServiceError::SecretsUnresolved { failures } => {
            failures.iter().find(|f| f.variable == variable).unwrap_or_else(|| panic!("{variable} in {failures:?}"))
        }
        other => panic!("expected unresolved secrets, got {other:?}"),
    }
}

async fn put(world: &AwsWorld, name: &str, value: &str) {
    world.admin_client().put_secret_value().secret_id(name).secret_string(value).send().await.unwrap();
}

async fn create(world: &AwsWorld, name: &str, value: &str) {
    world.admin_client().create_secret().name(name).secret_string(value).send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn a_rotated_secret_reaches_the_next_kickoff_without_a_redeploy_when_read_through_workload_identity() {
    let world = AwsWorld::new().await;
    create(&world, "app/wi", "wi-v1").await;
    create(&world, "app/static", "static-v1").await;
    create(&world, "app/json", r#"{"password":"pw-v1","user":"app"}"#).await;
    let (wi, fixed) = (world.workload_identity.id, world.static_keys.id);
    let nightly = an_automation(&world.db, &world.actor, "nightly").await;
    for form in [
        secret("WI_SECRET", wi, "app/wi", ""),
        secret("STATIC_SECRET", fixed, "app/static", ""),
        secret("DB_PASSWORD", wi, "app/json", "password"),
        plain("MODE", "batch"),
    ] {
        add(&world.db, &world.key, &world.actor, nightly, form).await;
    }
    let first = deployments::deploy(&world.db.db, world.aws(), &world.actor, nightly).await.unwrap();
    let worker = deployments::authenticate(&world.db.db, &first.token).await.unwrap();
    let kickoff = || kickoffs::kickoff(&world.db.db, world.providers(), &worker, None);
    let env = kickoff().await.unwrap().env;
    assert_eq!(
        (env["WI_SECRET"].as_str(), env["STATIC_SECRET"].as_str(), env["DB_PASSWORD"].as_str(), env["MODE"].as_str()),
        ("wi-v1", "static-v1", "pw-v1", "batch")
    );

    put(&world, "app/wi", "wi-v2").await;
    put(&world, "app/static", "static-v2").await;
    put(&world, "app/json", r#"{"password":"pw-v2"}"#).await;
    let env = kickoff().await.unwrap().env;
    assert_eq!(env["WI_SECRET"], "wi-v2", "read fresh at every kickoff");
    assert_eq!(env["DB_PASSWORD"], "pw-v2");
    assert_eq!(env["STATIC_SECRET"], "static-v1", "baked at deploy");
    let history = kickoffs::history(&world.db.db, &world.actor.read(), nightly, None, 2).await.unwrap();
    let print = |i: usize, key: &str| {
        history.kickoffs[i].variables.iter().find(|v| v.key.as_str() == key).unwrap().fingerprint.clone().unwrap()
    };
    assert_ne!(print(0, "WI_SECRET"), print(1, "WI_SECRET"), "the fingerprint shows the rotation");
    assert_eq!(print(0, "STATIC_SECRET"), print(1, "STATIC_SECRET"));

    let second = deployments::deploy(&world.db.db, world.aws(), &world.actor, nightly).await.unwrap();
    let worker2 = deployments::authenticate(&world.db.db, &second.token).await.unwrap();
    let env = kickoffs::kickoff(&world.db.db, world.providers(), &worker2, None).await.unwrap().env;
    assert_eq!((env["WI_SECRET"].as_str(), env["STATIC_SECRET"].as_str()), ("wi-v2", "static-v2"));
    assert_eq!(world.aws.calls("AssumeRoleWithWebIdentity").await, 1, "one STS session for every kickoff");
    // Two secrets through one credential: one batch a kickoff; the static one alone at each deploy.
    assert_eq!(world.aws.calls("GetSecretValue").await, 2);
    assert_eq!(world.aws.calls("BatchGetSecretValue").await, 3);

    // A deleted secret fails the kickoff, naming the variable; nothing partial comes back.
    world.admin_client().delete_secret().secret_id("app/wi").force_delete_without_recovery(true).send().await.unwrap();
    let error = kickoffs::kickoff(&world.db.db, world.providers(), &worker2, None).await.unwrap_err();
    let failure = failure_of(&error, "WI_SECRET");
    assert_eq!(failure.code.as_deref(), Some("ResourceNotFoundException"));
    assert!(failure.hint.contains("'app/wi'"), "{failure:?}");
    assert_eq!(failure.credential, "wi");
    let last = kickoffs::history(&world.db.db, &world.actor.read(), nightly, None, 1).await.unwrap();
    assert_eq!(last.kickoffs[0].outcome, KickoffOutcome::Failed);
    assert!(last.kickoffs[0].variables.iter().all(|v| v.fingerprint.is_none()), "no fingerprint of a failed kickoff");
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn access_denied_on_one_secret_fails_the_whole_kickoff_and_returns_no_value() {
    let world = AwsWorld::new().await;
    let wi = world.workload_identity.id;
    let nightly = an_automation(&world.db, &world.actor, "nightly").await;
    for n in 0..6 {
        let name = format!("svc/{n}");
        create(&world, &name, "value").await;
        let key = format!("SECRET_{n}");
        add(&world.db, &world.key, &world.actor, nightly, secret(&key, wi, &name, "")).await;
    }
    let token = deployments::deploy(&world.db.db, world.aws(), &world.actor, nightly).await.unwrap().token;
    let worker = deployments::authenticate(&world.db.db, &token).await.unwrap();
    // The role may not batch (one refused call, then one GetSecretValue each), and may not read svc/3.
    world.aws.inject(json!({"action": "BatchGetSecretValue", "code": "AccessDeniedException"})).await;
    world.aws.inject(json!({"action": "GetSecretValue", "code": "AccessDeniedException", "contains": "svc/3"})).await;
    let error = kickoffs::kickoff(&world.db.db, world.providers(), &worker, None).await.unwrap_err();
    assert_eq!(world.aws.calls("BatchGetSecretValue").await, 1);
    assert_eq!(world.aws.calls("GetSecretValue").await, 6);
    kickoffs::kickoff(&world.db.db, world.providers(), &worker, None).await.unwrap_err();
    assert_eq!(world.aws.calls("BatchGetSecretValue").await, 1, "a refused batch is not asked again at once");
    let ServiceError::SecretsUnresolved { failures } = &error else { panic!("{error:?}") };
    assert_eq!(failures.len(), 1, "{failures:?}");
    let failure = failure_of(&error, "SECRET_3");
    assert_eq!(failure.code.as_deref(), Some("AccessDeniedException"));
    assert!(
        failure.hint.contains("arn:aws:secretsmanager:us-east-1:123456789012:secret:svc/3-??????"),
        "{}",
        failure.hint
    );
    assert!(!format!("{error:?}").contains("value\""), "no value in the refusal");

    // AWS too slow: the kickoff still answers, with the variables it could not read.
    world.aws.clear().await;
    world.aws.inject(json!({"action": "GetSecretValue", "delay": 6, "contains": "svc/5"})).await;
    let error = kickoffs::kickoff(&world.db.db, world.providers(), &worker, None).await.unwrap_err();
    let failure = failure_of(&error, "SECRET_5");
    assert!(failure.message.contains("did not answer"), "{failure:?}");
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn a_deploy_that_cannot_read_a_static_secret_lists_it_and_creates_nothing() {
    let world = AwsWorld::new().await;
    create(&world, "present", "here").await;
    let fixed = world.static_keys.id;
    let nightly = an_automation(&world.db, &world.actor, "nightly").await;
    add(&world.db, &world.key, &world.actor, nightly, secret("PRESENT", fixed, "present", "")).await;
    add(&world.db, &world.key, &world.actor, nightly, secret("MISSING", fixed, "missing", "")).await;
    add(&world.db, &world.key, &world.actor, nightly, secret("NOT_JSON", fixed, "present", "password")).await;
    let error = deployments::deploy(&world.db.db, world.aws(), &world.actor, nightly).await.unwrap_err();
    assert_eq!(failure_of(&error, "MISSING").code.as_deref(), Some("ResourceNotFoundException"));
    assert!(failure_of(&error, "NOT_JSON").message.contains("not JSON"));
    let ServiceError::SecretsUnresolved { failures } = &error else { unreachable!() };
    assert_eq!(failures.len(), 2);
    assert!(deployments::list(&world.db.db, &world.actor.read(), nightly).await.unwrap().is_empty());
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn aws_throttling_or_unreachable_fails_the_kickoff_closed_with_the_reason() {
    let world = AwsWorld::new().await;
    let wi = world.workload_identity.id;
    let nightly = an_automation(&world.db, &world.actor, "nightly").await;
    for n in 0..3 {
        let name = format!("svc/{n}");
        create(&world, &name, "value").await;
        add(&world.db, &world.key, &world.actor, nightly, secret(&format!("SECRET_{n}"), wi, &name, "")).await;
    }
    let token = deployments::deploy(&world.db.db, world.aws(), &world.actor, nightly).await.unwrap().token;
    let worker = deployments::authenticate(&world.db.db, &token).await.unwrap();

    // Throttled: the batch and every single read (after the SDK's own retry).
    for action in ["BatchGetSecretValue", "GetSecretValue"] {
        world.aws.inject(json!({"action": action, "code": "ThrottlingException", "message": "Rate exceeded"})).await;
    }
    let error = kickoffs::kickoff(&world.db.db, world.providers(), &worker, None).await.unwrap_err();
    for n in 0..3 {
        let failure = failure_of(&error, &format!("SECRET_{n}"));
        assert_eq!(failure.code.as_deref(), Some("ThrottlingException"));
        assert!(failure.message.contains("throttling") && failure.message.contains("Rate exceeded"), "{failure:?}");
    }
    world.aws.clear().await;

    // AWS unreachable (a fresh Wisp whose endpoint nobody listens on): said, not hung.
    let dead = AwsSdk::with_endpoint(&format!("http://127.0.0.1:{}", service::testing::free_port())).await;
    let aws = Aws { issuer: &world.issuer, sdk: &dead, master_key: &world.key };
    let error =
        kickoffs::kickoff(&world.db.db, Providers { aws, vault: &world.vault }, &worker, None).await.unwrap_err();
    let failure = failure_of(&error, "SECRET_0");
    assert!(failure.message.contains("could not connect"), "{failure:?}");
    assert!(kickoffs::kickoff(&world.db.db, world.providers(), &worker, None).await.is_ok(), "and back when AWS is");
}
