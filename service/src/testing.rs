//! Fresh, migrated databases for tests: PostgreSQL when `WISP_TEST_POSTGRES_URL` names a server
//! (one new database per test), otherwise a SQLite file in a temporary folder.
use std::path::PathBuf;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use vocabulary::{
    access::Role,
    audit::AuditAction,
    ids::{OrgId, UserId},
};

use crate::{
    access::{Authorized, Read, resource},
    accounts, audit, db,
    workload_identity::WorkloadIdentityConfig,
};

mod openbao;
pub use openbao::{OpenBao, ROOT_TOKEN, Trust};

pub struct TestDatabase {
    pub url: String,
    pub db: DatabaseConnection,
    folder: Option<PathBuf>,
}

impl TestDatabase {
    pub async fn new() -> Self {
        let test = Self::empty().await;
        db::migrate(&test.db).await.expect("migrate the test database");
        test
    }

    /// A database with no schema yet, for tests of the migrations themselves.
    pub async fn empty() -> Self {
        let (url, folder) = match std::env::var("WISP_TEST_POSTGRES_URL") {
            Ok(server) if !server.is_empty() => (create_postgres_database(&server).await, None),
            _ => {
                let folder = std::env::temp_dir().join(format!("wisp-test-{}", uuid::Uuid::new_v4().simple()));
                std::fs::create_dir_all(&folder).expect("create a temporary folder");
                (format!("sqlite://{}?mode=rwc", folder.join("wisp.db").display()), Some(folder))
            }
        };
        let db = db::connect(&url).await.expect("connect to the test database");
        Self { url, db, folder }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }

    /// Makes the database disappear under a running server (PostgreSQL only), for outage tests.
    pub async fn drop_database(&self) {
        let (server, name) = self.url.rsplit_once('/').expect("a PostgreSQL URL ends with /<database>");
        let admin = db::connect(&format!("{server}/postgres")).await.expect("connect to the PostgreSQL test server");
        admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.expect("drop the test database");
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(folder) = &self.folder {
            let _ = std::fs::remove_dir_all(folder);
        }
    }
}

async fn create_postgres_database(server: &str) -> String {
    let name = format!("wisp_test_{}", uuid::Uuid::new_v4().simple());
    let admin = db::connect(server).await.expect("connect to the PostgreSQL test server");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create a test database");
    let (base, _) = server.rsplit_once('/').expect("WISP_TEST_POSTGRES_URL ends with /<database>");
    format!("{base}/{name}")
}

/// moto's server with the fault-injecting proxy in front (tests/aws/fault_proxy.py), each on a
/// free loopback port, stopped on drop. Needs WISP_TEST_PYTHON: the test command's virtualenv.
pub struct LocalAws {
    moto: std::process::Child,
    proxy: std::process::Child,
    /// Where AWS clients should send requests: the proxy.
    pub endpoint: String,
}

impl LocalAws {
    pub async fn start() -> Self {
        let python = std::env::var("WISP_TEST_PYTHON").expect("WISP_TEST_PYTHON: run through scripts/test.sh");
        let quiet = || std::process::Stdio::null();
        let moto_port = free_port();
        let moto = std::process::Command::new(&python)
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &moto_port.to_string()])
            .stdout(quiet())
            .stderr(quiet())
            .spawn()
            .expect("start moto's server");
        let proxy_port = free_port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/aws/fault_proxy.py");
        let proxy = std::process::Command::new(&python)
            .args([script, &proxy_port.to_string(), &format!("http://127.0.0.1:{moto_port}")])
            .stdout(quiet())
            .spawn()
            .expect("start the fault proxy");
        let aws = Self { moto, proxy, endpoint: format!("http://127.0.0.1:{proxy_port}") };
        wait_until_ok(&format!("{}/moto-api/", aws.endpoint), "moto and the fault proxy").await;
        aws
    }

    /// Makes every `action` call fail with AWS's `code` (or stall for `delay` seconds first).
    pub async fn inject(&self, fault: serde_json::Value) {
        let response = reqwest::Client::new().post(format!("{}/__faults", self.endpoint)).json(&fault).send().await;
        assert!(response.is_ok_and(|r| r.status().is_success()), "inject {fault}");
    }

    /// How many calls of each action reached the proxy, faulted or not.
    pub async fn calls(&self, action: &str) -> u64 {
        let url = format!("{}/__faults/calls", self.endpoint);
        let counts: serde_json::Value =
            reqwest::get(url).await.expect("read the call counts").json().await.expect("JSON");
        counts[action].as_u64().unwrap_or(0)
    }

    pub async fn clear(&self) {
        reqwest::Client::new().delete(format!("{}/__faults", self.endpoint)).send().await.expect("clear faults");
    }
}

impl Drop for LocalAws {
    fn drop(&mut self) {
        for child in [&mut self.proxy, &mut self.moto] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Waits until `url` answers with success, for a server a test just started; panics after 30 s.
pub async fn wait_until_ok(url: &str, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !reqwest::get(url).await.is_ok_and(|r| r.status().is_success()) {
        assert!(std::time::Instant::now() < deadline, "{what} did not start");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A loopback port no other server listens on, for a server a test starts.
///
/// The port is free when asked but released before the caller's server binds it, so the kernel may
/// hand it out again meanwhile: tests running in parallel in one process would then share a server
/// (one test's moto answering another's). A port is therefore never handed out twice per process.
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // Ports already given stay bound until one is found, so the kernel cannot offer them again.
    let mut held = Vec::new();
    loop {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = listener.local_addr().expect("a bound port").port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
        held.push(listener);
    }
}

/// An issuer at `url` signing with a new ES256 key pinned in its configuration, hour-long tokens.
pub fn pinned_issuer(url: &str) -> crate::issuer::IssuerState {
    issuer_with_key(url, &crate::issuer::keys::generate(crate::issuer::keys::SigningAlgorithm::ES256))
}

/// An issuer at `url` signing with `private_key_pem`, pinned, hour-long tokens.
pub fn issuer_with_key(url: &str, private_key_pem: &str) -> crate::issuer::IssuerState {
    use crate::issuer::{IssuerConfig, IssuerState};
    IssuerState::load(&IssuerConfig {
        issuer: Some(url.to_owned()),
        private_key_pem: Some(private_key_pem.to_owned()),
        published_keys_pem: None,
        token_lifetime_seconds: 3600,
        ..IssuerConfig::default()
    })
    .expect("a pinned test issuer")
}

/// The public half of an ES256 `private_key_pem`, as PEM: what a relying party given keys holds.
pub fn es256_public_pem(private_key_pem: &str) -> String {
    use p256::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
    let key = p256::SecretKey::from_pkcs8_pem(private_key_pem).expect("an ES256 private key");
    key.public_key().to_public_key_pem(LineEnding::LF).expect("a PEM public key")
}

/// An AWS workload identity config of `org` as the service holds one, for tests that need no row.
pub fn aws_config(org: OrgId, role_arn: &str, region: &str, session_tags: bool) -> WorkloadIdentityConfig {
    use vocabulary::providers::{AwsRole, IdentityTarget};
    WorkloadIdentityConfig {
        id: uuid::Uuid::new_v4().into(),
        org_id: org,
        name: "aws".to_owned(),
        is_default: true,
        target: IdentityTarget::Aws(AwsRole {
            role_arn: role_arn.parse().expect("a role ARN"),
            region: region.parse().expect("a region"),
            session_tags,
        }),
        saved_at: chrono::Utc::now(),
    }
}

/// A new organization and its owner, created as the operator does.
pub async fn organization_with_owner(db: &DatabaseConnection, name: &str) -> (OrgId, UserId) {
    let email = format!("owner@{}.test", name.to_lowercase().replace(' ', "-")).parse().expect("a valid e-mail");
    let created = accounts::create_organization(db, name, &email, None).await.expect("create an organization");
    (created.organization.id, created.owner.user_id)
}

/// The newest `count` audited actions of `org`, newest first.
pub async fn recent_actions(db: &DatabaseConnection, org: OrgId, count: u64) -> Vec<AuditAction> {
    let reader = Authorized::<Read<resource::AuditLog>>::for_tests(UserId::new(), org, Role::Owner);
    assert!(count <= audit::PAGE, "the newest page of the log holds {} entries", audit::PAGE);
    let page = audit::page(db, &reader, audit::Filter::default(), None).await.expect("read the audit log");
    page.entries.into_iter().take(usize::try_from(count).unwrap_or(usize::MAX)).map(|e| e.action).collect()
}

/// A plain variable's form, as a developer fills it in; tests change what they need with `..`.
pub fn plain_variable<'a>(key: &'a str, value: &'a str) -> crate::automations::variables::VariableForm<'a> {
    crate::automations::variables::VariableForm {
        key,
        source: vocabulary::env::SourceKind::Plain,
        value,
        sensitive: false,
        credential: None,
        secret_name: "",
        json_key: "",
    }
}

/// A static-key credential's form, as an admin would fill it in: the key AWS documents as its
/// example, in the default region. Tests change what they need with `..`.
pub fn static_key_form(name: &str) -> crate::secret_providers::CredentialForm<'_> {
    crate::secret_providers::CredentialForm {
        name,
        provider: vocabulary::providers::SecretProvider::AwsSecretsManager,
        auth_method: vocabulary::providers::AuthMethod::StaticKeys,
        workload_identity_config: None,
        access_key_id: "AKIAIOSFODNN7EXAMPLE",
        secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        role_arn: "",
        external_id: "",
        region: vocabulary::aws::Region::DEFAULT,
        kv_mount: "",
    }
}

/// An organization whose owner acts, with a credential of each kind against the local AWS: a
/// static key (the default) and one signing in through a workload identity config, an issuer
/// and a master key. The tests of everything that reads secrets start here.
pub struct AwsWorld {
    pub aws: LocalAws,
    pub sdk: crate::aws::sdk::AwsSdk,
    pub issuer: crate::issuer::IssuerState,
    pub key: crate::master_key::MasterKey,
    pub db: TestDatabase,
    pub org: OrgId,
    pub actor: Authorized<crate::access::Manage<resource::Automations>>,
    pub static_keys: crate::secret_providers::Credential,
    pub workload_identity: crate::secret_providers::Credential,
    pub vault: crate::vault::client::VaultSdk,
}

impl AwsWorld {
    pub async fn new() -> Self {
        use crate::{
            access::{AccessControl, Manage},
            issuer::{
                IssuerConfig, IssuerState,
                keys::{SigningAlgorithm, generate},
            },
            secret_providers::{self as credentials, CredentialForm, CredentialInput, DefaultChoice},
            workload_identity::{self as wi, ConfigForm, ConfigInput},
        };
        use vocabulary::{aws::Region, providers::AuthMethod};

        let aws = LocalAws::start().await;
        let sdk = crate::aws::sdk::AwsSdk::with_endpoint(&aws.endpoint).await;
        let db = TestDatabase::new().await;
        let (org, user) = organization_with_owner(&db.db, "acme").await;
        let access = AccessControl::new().await.expect("load the policy");
        let actor: Authorized<Manage<resource::Automations>> =
            access.authorize(&db.db, user, org).await.expect("the owner may");
        let configs: Authorized<Manage<resource::WorkloadIdentityConfigs>> = access.also(&actor).expect("owner");
        let creds: Authorized<Manage<resource::SecretProviders>> = access.also(&actor).expect("owner");
        let key = crate::master_key::MasterKey::generate();
        let role = "arn:aws:iam::123456789012:role/wisp-reader";
        let config = ConfigInput::parse(ConfigForm::aws("aws", role, Region::DEFAULT)).expect("a config");
        let config = wi::create(&db.db, &configs, config, DefaultChoice::Automatic).await.expect("create a config");
        let form = static_key_form("static");
        let input = CredentialInput::parse(form).expect("a credential");
        let static_keys =
            credentials::create(&db.db, &key, &creds, input, DefaultChoice::Yes).await.expect("create a credential");
        let by_config = CredentialForm {
            name: "wi",
            auth_method: AuthMethod::WorkloadIdentity,
            workload_identity_config: Some(config.id),
            ..form
        };
        let input = CredentialInput::parse(by_config).expect("a credential");
        let workload_identity =
            credentials::create(&db.db, &key, &creds, input, DefaultChoice::No).await.expect("create a credential");
        let issuer = IssuerState::load(&IssuerConfig {
            issuer: Some(format!("http://127.0.0.1:{}", free_port())),
            private_key_pem: Some(generate(SigningAlgorithm::ES256)),
            published_keys_pem: None,
            token_lifetime_seconds: 3600,
            ..IssuerConfig::default()
        })
        .expect("an issuer");
        let vault = crate::vault::client::VaultSdk::default();
        Self { aws, sdk, issuer, key, db, org, actor, static_keys, workload_identity, vault }
    }

    pub fn aws(&self) -> crate::aws::Aws<'_> {
        crate::aws::Aws { issuer: &self.issuer, sdk: &self.sdk, master_key: &self.key }
    }

    pub fn providers(&self) -> crate::providers::Providers<'_> {
        crate::providers::Providers { aws: self.aws(), vault: &self.vault }
    }

    /// A Secrets Manager client straight to the local AWS, to seed and rotate secrets as an
    /// administrator would in AWS.
    pub fn admin_client(&self) -> aws_sdk_secretsmanager::Client {
        let admin = crate::aws::sdk::AwsCredentials {
            access_key_id: "admin".to_owned(),
            secret_access_key: "admin".to_owned(),
            session_token: None,
            expires_at: None,
        };
        self.sdk.secrets_manager_with(vocabulary::aws::Region::DEFAULT, &admin)
    }
}
