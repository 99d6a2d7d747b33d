//! The IAM assistant against moto's IAM (behind the fault proxy): Diagnose finds each kind of
//! mismatch, Set up in AWS plans, applies and then has nothing left to change, and refused IAM
//! calls are said with what to allow. Ignored by default: scripts/test.sh runs them.
use serde_json::json;
use service::{
    aws::{
        sdk::{AwsCredentials, AwsSdk},
        trust_setup::TrustFor,
    },
    issuer::url::IssuerUrl,
    testing::LocalAws,
    workload_identity::{
        WorkloadIdentityConfig,
        assistant::{AdminKeys, Assistant},
    },
};
use vocabulary::{
    dto::workload_identity::{FindingSeverity, IamFinding},
    ids::OrgId,
};

const ISSUER: &str = "https://wisp.example.com";
const PROVIDER_ARN: &str = "arn:aws:iam::123456789012:oidc-provider/wisp.example.com";

fn config_for(org: OrgId, role: &str) -> WorkloadIdentityConfig {
    service::testing::aws_config(org, &format!("arn:aws:iam::123456789012:role/{role}"), "us-east-1", false)
}

fn keys() -> AdminKeys {
    AdminKeys::parse("ASIAIOSFODNN7EXAMPLE", "admin-secret", "admin-session-token").unwrap()
}

fn subjects(findings: &[IamFinding]) -> Vec<(&str, FindingSeverity)> {
    findings.iter().map(|f| (f.subject.as_str(), f.severity)).collect()
}

/// IAM as the account's own admin, to arrange what the assistant then finds.
fn admin_iam(sdk: &AwsSdk) -> aws_sdk_iam::Client {
    let admin = AwsCredentials {
        access_key_id: "admin".to_owned(),
        secret_access_key: "admin".to_owned(),
        session_token: None,
        expires_at: None,
    };
    sdk.iam_with(vocabulary::aws::Partition::Aws, &admin)
}

async fn create_role(sdk: &AwsSdk, name: &str, trust: serde_json::Value) {
    admin_iam(sdk).create_role().role_name(name).assume_role_policy_document(trust.to_string()).send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn set_up_creates_what_is_missing_once_and_diagnose_then_finds_nothing() {
    let aws = LocalAws::start().await;
    let sdk = AwsSdk::with_endpoint(&aws.endpoint).await;
    let issuer = IssuerUrl::parse(ISSUER).unwrap();
    let org = OrgId::new();
    let config = config_for(org, "wisp-reader");
    let assistant = Assistant::new(&sdk, &keys(), &issuer, TrustFor::organization(org), &config).unwrap();

    let findings = assistant.diagnose().await.unwrap();
    assert_eq!(
        subjects(&findings),
        [("OIDC provider", FindingSeverity::Mismatch), ("role", FindingSeverity::Mismatch)]
    );
    assert!(findings[0].expected.contains(PROVIDER_ARN), "{findings:?}");

    let plan = assistant.plan().await.unwrap();
    assert_eq!(plan.len(), 3, "provider, role, permissions: {plan:?}");
    assert_eq!(aws.calls("CreateRole").await, 0, "a plan writes nothing");
    let applied = assistant.apply().await.unwrap();
    assert_eq!(applied.len(), 3);
    assert!(applied[1].diff.as_deref().unwrap().contains(&format!("organization:{org}")), "{applied:?}");
    assert_eq!(assistant.apply().await.unwrap(), [], "a second Apply changes nothing");
    assert_eq!(assistant.diagnose().await.unwrap(), [], "the account now holds what this organization needs");
    assert_eq!(aws.calls("CreateOpenIDConnectProvider").await, 1);

    // Another organization's role in the same account: the provider is shared and kept.
    let other_org = OrgId::new();
    let other = config_for(other_org, "other-reader");
    let second = Assistant::new(&sdk, &keys(), &issuer, TrustFor::organization(other_org), &other).unwrap();
    let plan = second.plan().await.unwrap();
    assert_eq!(plan.len(), 2, "the provider exists: {plan:?}");
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn diagnose_flags_a_missing_or_wildcard_sub_and_a_foreign_provider() {
    let aws = LocalAws::start().await;
    let sdk = AwsSdk::with_endpoint(&aws.endpoint).await;
    let issuer = IssuerUrl::parse(ISSUER).unwrap();
    let org = OrgId::new();
    let statement = |principal: &str, condition: serde_json::Value| {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": principal},
            "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}]})
    };
    let aud = json!({"wisp.example.com:aud": "sts.amazonaws.com"});
    create_role(&sdk, "no-sub", statement(PROVIDER_ARN, json!({"StringEquals": aud}))).await;
    create_role(
        &sdk,
        "wildcard",
        statement(PROVIDER_ARN, json!({"StringEquals": aud, "StringLike": {"wisp.example.com:sub": "organization:*"}})),
    )
    .await;
    let github = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    create_role(&sdk, "foreign", statement(github, json!({}))).await;

    let diagnose = async |role: &str| {
        let config = config_for(org, role);
        Assistant::new(&sdk, &keys(), &issuer, TrustFor::organization(org), &config).unwrap().diagnose().await.unwrap()
    };
    // A provider for this host under another path, and one for another host: only the first is named.
    for url in ["https://wisp.example.com/tenant", "https://token.actions.githubusercontent.com"] {
        admin_iam(&sdk)
            .create_open_id_connect_provider()
            .url(url)
            .client_id_list("sts.amazonaws.com")
            .send()
            .await
            .unwrap();
    }
    let no_sub = diagnose("no-sub").await;
    let provider = no_sub.iter().find(|f| f.subject == "OIDC provider").unwrap();
    assert_eq!(provider.found.as_deref(), Some("arn:aws:iam::123456789012:oidc-provider/wisp.example.com/tenant"));
    assert!(provider.fix.contains("under another URL") && provider.fix.contains(ISSUER), "{provider:?}");
    assert!(subjects(&no_sub).contains(&("trust policy: sub condition", FindingSeverity::Security)), "{no_sub:?}");
    let wildcard = diagnose("wildcard").await;
    let finding = wildcard.iter().find(|f| f.subject == "trust policy: sub condition").unwrap();
    assert_eq!(
        (finding.severity, finding.found.as_deref()),
        (FindingSeverity::Security, Some("StringLike organization:*"))
    );
    assert!(finding.expected.ends_with(&format!("organization:{org}")));
    let foreign = diagnose("foreign").await;
    let finding = foreign.iter().find(|f| f.subject == "trust policy: federated principal").unwrap();
    assert_eq!((finding.found.as_deref(), finding.expected.as_str()), (Some(github), PROVIDER_ARN));

    // Set up shows the trust policy's change before replacing it.
    let config = config_for(org, "no-sub");
    let plan =
        Assistant::new(&sdk, &keys(), &issuer, TrustFor::organization(org), &config).unwrap().plan().await.unwrap();
    let replace = plan.iter().find(|c| c.summary.starts_with("Replace the trust policy")).unwrap();
    assert!(
        replace
            .diff
            .as_deref()
            .unwrap()
            .contains(&format!("+          \"wisp.example.com:sub\": \"organization:{org}\"")),
        "{}",
        replace.diff.as_deref().unwrap()
    );
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn refused_iam_calls_say_what_to_allow() {
    let aws = LocalAws::start().await;
    let sdk = AwsSdk::with_endpoint(&aws.endpoint).await;
    let issuer = IssuerUrl::parse(ISSUER).unwrap();
    let org = OrgId::new();
    aws.inject(json!({"action": "GetRole", "code": "AccessDenied", "status": 403})).await;
    let config = config_for(org, "wisp-reader");
    let assistant = Assistant::new(&sdk, &keys(), &issuer, TrustFor::organization(org), &config).unwrap();
    let problem = assistant.diagnose().await.unwrap_err();
    assert_eq!(problem.code.as_deref(), Some("AccessDenied"));
    assert!(problem.message.contains("GetRole"), "{problem:?}");
    assert!(problem.hint.contains("iam:GetRole") && problem.hint.contains("iam:UpdateAssumeRolePolicy"), "{problem:?}");
    assert!(
        !format!("{problem:?}").contains("admin-secret") && !format!("{problem:?}").contains("admin-session-token")
    );
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn applying_is_audited_as_what_changed_in_which_account_without_the_credentials() {
    use service::{
        access::{AccessControl, Authorized, Manage, Read, resource},
        audit::{self, Filter},
        secret_providers::DefaultChoice,
        testing::{TestDatabase, organization_with_owner},
        workload_identity::{self as wi, ConfigForm, ConfigInput, assistant},
    };
    use vocabulary::{audit::AuditAction, aws::Region};

    let aws = LocalAws::start().await;
    let sdk = AwsSdk::with_endpoint(&aws.endpoint).await;
    let db = TestDatabase::new().await;
    let (org, owner) = organization_with_owner(&db.db, "acme").await;
    let access = AccessControl::new().await.unwrap();
    let actor: Authorized<Manage<resource::WorkloadIdentityConfigs>> =
        access.authorize(&db.db, owner, org).await.unwrap();
    let reader: Authorized<Read<resource::AuditLog>> = access.also(&actor).unwrap();
    let role = "arn:aws:iam::123456789012:role/audited";
    let input = ConfigInput::parse(ConfigForm::aws("aws", role, Region::DEFAULT)).unwrap();
    let config = wi::create(&db.db, &actor, input, DefaultChoice::Automatic).await.unwrap();
    let issuer = service::testing::pinned_issuer(ISSUER);

    let plan = assistant::set_up(&db.db, &sdk, &issuer, &actor, config.id, None, &keys(), false).await.unwrap();
    assert_eq!((plan.applied, plan.changes.len(), plan.account.as_str()), (false, 3, "123456789012"), "{plan:?}");
    let applied = assistant::set_up(&db.db, &sdk, &issuer, &actor, config.id, None, &keys(), true).await.unwrap();
    assert_eq!((applied.applied, applied.changes.len()), (true, 3), "{applied:?}");
    let again = assistant::set_up(&db.db, &sdk, &issuer, &actor, config.id, None, &keys(), true).await.unwrap();
    assert_eq!(again.changes, [], "nothing left to change, and nothing audited");

    let filter = Filter { actor: None, action: Some(AuditAction::WorkloadIdentityAwsSetup) };
    let entries = audit::page(&db.db, &reader, filter, None).await.unwrap().entries;
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry.object, "Workload Identity config aws");
    let account = entry.changes.iter().find(|c| c.field == "account").unwrap();
    assert_eq!(account.value, "123456789012");
    let changes = entry.changes.iter().find(|c| c.field == "changes").unwrap();
    assert!(changes.value.contains("Create the OIDC provider"), "{changes:?}");
    // The same role for the runs of one automation, whose tokens carry session tags: the trust
    // policy is replaced with one pinning the automation and allowing sts:TagSession; Diagnose
    // for the organization then says whose tokens the role trusts now.
    let tagged =
        ConfigInput::parse(ConfigForm { session_tags: true, ..ConfigForm::aws("aws", role, Region::DEFAULT) }).unwrap();
    wi::update(&db.db, &actor, config.id, tagged, true).await.unwrap();
    let automations: service::automations::Manager = access.authorize(&db.db, owner, org).await.unwrap();
    let nightly =
        service::automations::create(&db.db, &automations, service::automations::parse_name("nightly").unwrap())
            .await
            .unwrap()
            .id;
    let for_runs =
        assistant::set_up(&db.db, &sdk, &issuer, &actor, config.id, Some(nightly), &keys(), true).await.unwrap();
    assert_eq!(for_runs.changes.len(), 1, "only the trust policy: {for_runs:?}");
    let diff = for_runs.changes[0].diff.as_deref().unwrap();
    assert!(diff.contains(&format!(":automation:{nightly}")) && diff.contains("sts:TagSession"), "{diff}");
    let runs_ok = assistant::diagnose(&db.db, &sdk, &issuer, &actor, config.id, Some(nightly), &keys()).await.unwrap();
    assert_eq!(runs_ok.findings, [], "{runs_ok:?}");
    let org_view = assistant::diagnose(&db.db, &sdk, &issuer, &actor, config.id, None, &keys()).await.unwrap();
    let sub = org_view.findings.iter().find(|f| f.subject == "trust policy: sub condition").unwrap();
    assert!(sub.fix.contains("trusts the runs of automation 'nightly'"), "{org_view:?}");

    let everything = format!("{entries:?}");
    assert!(
        !everything.contains("admin-secret")
            && !everything.contains("admin-session-token")
            && !everything.contains("ASIAIOSFODNN7EXAMPLE")
    );
}
