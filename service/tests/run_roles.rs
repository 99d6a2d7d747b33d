//! AWS roles for runs on a real database (SQLite, or PostgreSQL with WISP_TEST_POSTGRES_URL): an
//! automation names one of its organization's workload identity configs, a deployment freezes it,
//! a kickoff hands the run a token for the role and a run token that asks for ID tokens only.
use base64::Engine;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use service::{
    ServiceError,
    access::{AccessControl, Authorized, Manage, resource},
    automations::{self, Manager},
    aws::{Aws, sdk::AwsSdk},
    deployments::{self, TokenKind, id_tokens::IdTokens, kickoffs},
    issuer::IssuerState,
    master_key::MasterKey,
    testing::{TestDatabase, organization_with_owner, recent_actions},
    workload_identity::{self as wi, ConfigForm, ConfigInput, DefaultChoice},
};
use vocabulary::{
    audit::AuditAction,
    aws::Region,
    ids::{AutomationId, OrgId, WorkloadIdentityConfigId},
};

struct World {
    db: TestDatabase,
    sdk: AwsSdk,
    issuer: IssuerState,
    key: MasterKey,
    org: OrgId,
    automations: Manager,
    configs: Authorized<Manage<resource::WorkloadIdentityConfigs>>,
    vault: service::vault::client::VaultSdk,
}

impl World {
    async fn new() -> Self {
        let db = TestDatabase::new().await;
        let (org, owner) = organization_with_owner(&db.db, "acme").await;
        let access = AccessControl::new().await.unwrap();
        let automations = access.authorize(&db.db, owner, org).await.unwrap();
        let configs = access.authorize(&db.db, owner, org).await.unwrap();
        let issuer = service::testing::pinned_issuer("https://wisp.example.com");
        // No secret is read through AWS here: an endpoint nobody listens on.
        let sdk = AwsSdk::with_endpoint("http://127.0.0.1:9").await;
        Self { db, sdk, issuer, key: MasterKey::generate(), org, automations, configs, vault: Default::default() }
    }

    fn providers(&self) -> service::providers::Providers<'_> {
        let aws = Aws { issuer: &self.issuer, sdk: &self.sdk, master_key: &self.key };
        service::providers::Providers { aws, vault: &self.vault }
    }

    async fn config(&self, name: &str, role: &str, session_tags: bool) -> WorkloadIdentityConfigId {
        let role_arn = format!("arn:aws:iam::123456789012:role/{role}");
        let input =
            ConfigInput::parse(ConfigForm { session_tags, ..ConfigForm::aws(name, &role_arn, Region::DEFAULT) })
                .unwrap();
        wi::create(&self.db.db, &self.configs, input, DefaultChoice::Automatic).await.unwrap().id
    }

    async fn automation(&self, name: &str) -> AutomationId {
        automations::create(&self.db.db, &self.automations, automations::parse_name(name).unwrap()).await.unwrap().id
    }

    /// An automation named `name` whose runs assume `config`.
    async fn running_as(&self, name: &str, config: WorkloadIdentityConfigId) -> AutomationId {
        let automation = self.automation(name).await;
        automations::set_run_role(&self.db.db, &self.automations, automation, Some(config)).await.unwrap();
        automation
    }

    /// Revokes the token of the automation's newest deployment.
    async fn revoke_newest(&self, automation: AutomationId) {
        let newest = deployments::list(&self.db.db, &self.automations.read(), automation).await.unwrap()[0].id;
        deployments::revoke_token(&self.db.db, &self.automations, newest).await.unwrap();
    }

    async fn deploy(&self, automation: AutomationId) -> String {
        deployments::deploy(&self.db.db, self.providers().aws, &self.automations, automation).await.unwrap().token
    }

    async fn kickoff(&self, token: &str) -> vocabulary::dto::deployments::KickoffResponse {
        let worker = deployments::authenticate(&self.db.db, token).await.unwrap();
        kickoffs::kickoff(&self.db.db, self.providers(), &worker, None).await.unwrap()
    }
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn a_kickoff_hands_the_run_a_token_for_its_role_and_a_deployment_keeps_the_role_it_was_deployed_with() {
    let world = World::new().await;
    let uploads = world.config("uploads", "wisp-uploads", false).await;
    let reports = world.config("reports", "wisp-reports", true).await;
    let nightly = world.automation("nightly backup").await;

    // None by default: no aws object, but ID tokens all the same.
    let plain = world.kickoff(&world.deploy(nightly).await).await;
    assert!(plain.aws.is_none());
    assert!(plain.id_token_request_token.starts_with("wisp_rt_"));

    automations::set_run_role(&world.db.db, &world.automations, nightly, Some(uploads)).await.unwrap();
    let first = world.deploy(nightly).await;
    automations::set_run_role(&world.db.db, &world.automations, nightly, Some(reports)).await.unwrap();
    let second = world.deploy(nightly).await;

    let answer = world.kickoff(&first).await;
    let aws = answer.aws.as_ref().expect("an aws object");
    assert_eq!(aws.role_arn, "arn:aws:iam::123456789012:role/wisp-uploads", "deployment 2 froze uploads");
    assert_eq!(aws.region, Region::DEFAULT.as_str());
    assert_eq!(aws.session_name, format!("wisp-nightly-backup-{}", &answer.kickoff.to_string()[..8]));
    let token = claims(&aws.web_identity_token);
    assert_eq!(token["sub"], json!(format!("organization:{}:automation:{nightly}", world.org)));
    assert_eq!(token["aud"], json!("sts.amazonaws.com"));
    assert_eq!(token["deployment"], json!(2));
    assert!(token.get("https://aws.amazon.com/tags").is_none(), "uploads has no session tags");
    let expires = chrono::DateTime::parse_from_rfc3339(&aws.expires_at).unwrap().timestamp();
    assert_eq!(expires, token["exp"].as_i64().unwrap());

    let tagged = world.kickoff(&second).await;
    let tagged = claims(&tagged.aws.unwrap().web_identity_token);
    assert_eq!(
        tagged["https://aws.amazon.com/tags"],
        json!({
            "principal_tags": { "wisp-automation": [nightly.to_string()], "wisp-org": [world.org.to_string()] },
            "transitive_tag_keys": []
        })
    );

    let audited = recent_actions(&world.db.db, world.org, 4).await;
    assert_eq!(audited.iter().filter(|a| **a == AuditAction::AutomationRunRole).count(), 2, "{audited:?}");
    // Setting the same role again changes nothing and says nothing.
    automations::set_run_role(&world.db.db, &world.automations, nightly, Some(reports)).await.unwrap();
    assert_eq!(recent_actions(&world.db.db, world.org, 1).await, [AuditAction::DeploymentCreate]);
}

#[tokio::test]
async fn a_run_token_asks_for_id_tokens_only_and_stops_with_its_deployment_or_when_left_unused() {
    let world = World::new().await;
    let reports = world.config("reports", "wisp-reports", true).await;
    let nightly = world.running_as("nightly", reports).await;
    let deployment_token = world.deploy(nightly).await;
    let answer = world.kickoff(&deployment_token).await;
    let run_token = answer.id_token_request_token.clone();

    let run = deployments::authenticate_run(&world.db.db, &run_token).await.unwrap();
    assert_eq!((run.token(), run.automation()), (TokenKind::Run, nightly));
    let tokens = IdTokens::default();
    let sts = tokens.issue(&world.db.db, &world.issuer, &run, "sts.amazonaws.com").await.unwrap();
    assert!(claims(&sts.token).get("https://aws.amazon.com/tags").is_some(), "a refreshed token keeps the tags");
    let vault = tokens.issue(&world.db.db, &world.issuer, &run, "vault").await.unwrap();
    assert!(claims(&vault.token).get("https://aws.amazon.com/tags").is_none(), "tags are for AWS only");

    // Never a kickoff, and never taken for a deployment token (nor the other way round).
    let refused = kickoffs::kickoff(&world.db.db, world.providers(), &run, None).await.unwrap_err();
    assert!(matches!(refused, ServiceError::TokenScope { .. }), "{refused:?}");
    assert!(deployments::authenticate(&world.db.db, &run_token).await.is_err());
    assert!(deployments::authenticate_run(&world.db.db, &deployment_token).await.is_err());

    // Left unused for more than a day, it stops.
    let stale = chrono::Utc::now() - chrono::Duration::hours(25);
    let backend = world.db.db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => "UPDATE kickoffs SET run_token_used_at = $1 WHERE id = $2",
        _ => "UPDATE kickoffs SET run_token_used_at = ? WHERE id = ?",
    };
    world
        .db
        .db
        .execute_raw(Statement::from_sql_and_values(backend, sql, [stale.into(), answer.kickoff.as_uuid().into()]))
        .await
        .unwrap();
    let expired = deployments::authenticate_run(&world.db.db, &run_token).await.unwrap_err();
    assert!(expired.to_string().contains("expired"), "{expired}");

    // Revoking the deployment's token ends its runs' tokens too.
    let fresh = world.kickoff(&deployment_token).await.id_token_request_token;
    deployments::authenticate_run(&world.db.db, &fresh).await.unwrap();
    world.revoke_newest(nightly).await;
    let revoked = deployments::authenticate_run(&world.db.db, &fresh).await.unwrap_err();
    assert!(revoked.to_string().contains("revoked"), "{revoked}");
}

#[tokio::test]
async fn a_config_runs_assume_is_not_deleted_from_under_them_and_another_organizations_is_refused() {
    let world = World::new().await;
    let uploads = world.config("uploads", "wisp-uploads", false).await;
    let nightly = world.running_as("nightly", uploads).await;
    world.deploy(nightly).await;

    let in_use = wi::delete(&world.db.db, &world.configs, uploads).await.unwrap_err();
    let text = in_use.to_string();
    assert!(text.contains("nightly") && text.contains("nightly #1"), "names the automation and the deployment: {text}");
    // Cleared on the automation, the active deployment still holds it.
    automations::set_run_role(&world.db.db, &world.automations, nightly, None).await.unwrap();
    assert!(wi::delete(&world.db.db, &world.configs, uploads).await.unwrap_err().to_string().contains("nightly #1"));
    world.revoke_newest(nightly).await;
    wi::delete(&world.db.db, &world.configs, uploads).await.unwrap();

    // A config of another organization is not one to choose.
    let (other_org, other_owner) = organization_with_owner(&world.db.db, "other").await;
    let access = AccessControl::new().await.unwrap();
    let theirs: Authorized<Manage<resource::WorkloadIdentityConfigs>> =
        access.authorize(&world.db.db, other_owner, other_org).await.unwrap();
    let input =
        ConfigInput::parse(ConfigForm::aws("theirs", "arn:aws:iam::210987654321:role/x", Region::DEFAULT)).unwrap();
    let foreign = wi::create(&world.db.db, &theirs, input, DefaultChoice::Automatic).await.unwrap().id;
    let refused =
        automations::set_run_role(&world.db.db, &world.automations, nightly, Some(foreign)).await.unwrap_err();
    assert_eq!(refused.field_errors()[0].field, "run_role", "{refused:?}");

    // Runs assume an AWS role: a Vault config is not one.
    let vault = ConfigForm {
        name: "vault",
        provider: Some(vocabulary::aws::CloudProvider::Vault),
        vault_address: "https://vault.example.com:8200",
        vault_role: "wisp",
        ..ConfigForm::default()
    };
    let vault = wi::create(&world.db.db, &world.configs, ConfigInput::parse(vault).unwrap(), DefaultChoice::Automatic)
        .await
        .unwrap()
        .id;
    let refused = automations::set_run_role(&world.db.db, &world.automations, nightly, Some(vault)).await.unwrap_err();
    assert_eq!(refused.field_errors()[0].field, "run_role", "{refused:?}");
    assert!(refused.field_errors()[0].message.contains("choose an AWS config"), "{refused:?}");
}
