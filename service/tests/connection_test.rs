//! Test Connection against moto's server, with AWS's failures injected by the fault proxy.
//! Ignored by default: they need the test command's virtualenv (scripts/test.sh runs them).
use serde_json::json;
use service::{
    aws::{
        connection_test::{Signer, check_credential, check_workload_identity},
        guidance::Diagnosis,
        sdk::AwsSdk,
    },
    connection_test::{CheckStep, ConnectionReport, StepOutcome},
    issuer::{IssuerConfig, IssuerState},
    testing::{LocalAws, free_port, wait_until_ok},
    workload_identity::WorkloadIdentityConfig,
};
use vocabulary::{
    aws::{AccessKeyId, ExternalId, Region, RoleArn},
    ids::OrgId,
};

const ROLE: &str = "arn:aws:iam::123456789012:role/wisp-reader";

fn issuer() -> IssuerState {
    // Nothing listens there: the self-check warns and the test goes on, as with a Wisp whose host
    // cannot reach its own public address.
    service::testing::pinned_issuer(&format!("http://127.0.0.1:{}", free_port()))
}

fn config(org_id: OrgId) -> WorkloadIdentityConfig {
    service::testing::aws_config(org_id, ROLE, "eu-west-1", false)
}

async fn run(endpoint: &str) -> ConnectionReport {
    let sdk = AwsSdk::with_endpoint(endpoint).await;
    check_workload_identity(&issuer(), &sdk, &config(OrgId::new())).await
}

fn failure(report: &ConnectionReport, step: CheckStep) -> &Diagnosis {
    let found = report.steps.iter().find(|s| s.step == step).unwrap_or_else(|| panic!("no {step:?} in {report:?}"));
    match &found.outcome {
        StepOutcome::Failed(diagnosis) => diagnosis,
        other => panic!("{step:?} did not fail: {other:?}"),
    }
}

/// Any member may run Test Connection: an unreachable endpoint is described, but the connector's
/// words (which name internal addresses such as AWS_ENDPOINT_URL's) stay in the server log.
#[tokio::test]
async fn an_unreachable_aws_is_explained_without_internal_addresses() {
    let report = run("http://127.0.0.2:9").await;
    let diagnosis = failure(&report, CheckStep::AssumeRoleWithWebIdentity);
    assert!(diagnosis.cause.contains("could not connect to AWS STS"), "{diagnosis:?}");
    assert!(!format!("{report:?}").contains("127.0.0.2"), "{report:#?}");
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn a_working_setup_passes_every_step_and_shows_the_assumed_role() {
    let aws = LocalAws::start().await;
    let report = run(&aws.endpoint).await;
    assert!(report.passed(), "{report:#?}");
    let steps: Vec<CheckStep> = report.steps.iter().map(|s| s.step).collect();
    assert_eq!(steps, CheckStep::WORKLOAD_IDENTITY);
    let arn = report.assumed_role_arn.as_deref().unwrap();
    assert_eq!(arn, "arn:aws:sts::123456789012:assumed-role/wisp-reader/wisp");
    let StepOutcome::Passed { warnings, .. } = &report.steps[0].outcome else { panic!() };
    assert!(warnings.iter().any(|w| w.contains("could not fetch its own discovery document")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("not https")), "{warnings:?}");
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn each_sts_error_fails_its_step_with_its_own_guidance() {
    let aws = LocalAws::start().await;
    let cases = [
        (
            "AssumeRoleWithWebIdentity",
            "InvalidIdentityToken",
            400,
            CheckStep::AssumeRoleWithWebIdentity,
            "could not verify Wisp's token",
        ),
        ("AssumeRoleWithWebIdentity", "AccessDenied", 403, CheckStep::AssumeRoleWithWebIdentity, "trust policy"),
        ("AssumeRoleWithWebIdentity", "ExpiredTokenException", 400, CheckStep::AssumeRoleWithWebIdentity, "clock"),
        ("AssumeRoleWithWebIdentity", "IDPRejectedClaim", 403, CheckStep::AssumeRoleWithWebIdentity, "audience list"),
        (
            "AssumeRoleWithWebIdentity",
            "IDPCommunicationError",
            400,
            CheckStep::AssumeRoleWithWebIdentity,
            "could not reach Wisp's issuer",
        ),
        (
            "AssumeRoleWithWebIdentity",
            "RegionDisabledException",
            403,
            CheckStep::AssumeRoleWithWebIdentity,
            "not activated for region eu-west-1",
        ),
        ("GetCallerIdentity", "ExpiredToken", 400, CheckStep::CallerIdentity, "clock"),
        ("GetCallerIdentity", "InvalidClientTokenId", 403, CheckStep::CallerIdentity, "not accepted by STS"),
    ];
    for (action, code, status, step, cause) in cases {
        aws.clear().await;
        aws.inject(json!({ "action": action, "code": code, "status": status, "message": format!("injected {code}") }))
            .await;
        let report = run(&aws.endpoint).await;
        let diagnosis = failure(&report, step);
        assert_eq!(diagnosis.code.as_deref(), Some(code));
        assert_eq!(diagnosis.provider_message.as_deref(), Some(format!("injected {code}").as_str()));
        assert!(diagnosis.cause.contains(cause), "{code}: {}", diagnosis.cause);
        let after: Vec<&StepOutcome> =
            report.steps.iter().skip_while(|s| s.step != step).skip(1).map(|s| &s.outcome).collect();
        assert!(after.iter().all(|o| matches!(o, StepOutcome::Skipped)), "{code}: later steps must be skipped");
        assert_eq!(report.assumed_role_arn, None);
    }
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn a_stalled_or_absent_endpoint_fails_with_network_guidance() {
    let aws = LocalAws::start().await;
    aws.inject(json!({ "action": "AssumeRoleWithWebIdentity", "delay": 30 })).await;
    let stalled = run(&aws.endpoint).await;
    let diagnosis = failure(&stalled, CheckStep::AssumeRoleWithWebIdentity);
    assert_eq!(diagnosis.code, None);
    assert!(diagnosis.cause.contains("did not answer within 10 seconds"), "{}", diagnosis.cause);

    let nobody = run(&format!("http://127.0.0.1:{}", free_port())).await;
    let diagnosis = failure(&nobody, CheckStep::AssumeRoleWithWebIdentity);
    assert!(diagnosis.cause.contains("could not connect to AWS STS in eu-west-1"), "{}", diagnosis.cause);
}

#[tokio::test]
async fn without_a_signing_key_yet_the_first_step_fails_and_nothing_reaches_aws() {
    let state = IssuerState::load(&IssuerConfig {
        issuer: Some("https://wisp.example.com".to_owned()),
        token_lifetime_seconds: 3600,
        ..Default::default()
    })
    .unwrap();
    // Nothing listens at this endpoint: reaching it would fail differently.
    let sdk = AwsSdk::with_endpoint(&format!("http://127.0.0.1:{}", free_port())).await;
    let report = check_workload_identity(&state, &sdk, &config(OrgId::new())).await;
    let diagnosis = failure(&report, CheckStep::Issuer);
    assert!(diagnosis.cause.contains("no signing key yet"), "{}", diagnosis.cause);
    assert!(report.steps[1..].iter().all(|s| s.outcome == StepOutcome::Skipped));
}

/// Serves `files` (path → body) over plain HTTP on `port`, as a stand-in for what answers at the
/// issuer's public address.
struct StaticSite {
    child: std::process::Child,
    dir: std::path::PathBuf,
}

impl StaticSite {
    async fn start(port: u16, files: &[(&str, String)]) -> Self {
        let python = std::env::var("WISP_TEST_PYTHON").expect("WISP_TEST_PYTHON: run through scripts/test.sh");
        let dir = std::env::temp_dir().join(format!("wisp-site-{port}"));
        for (path, body) in files {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, body).unwrap();
        }
        let child = std::process::Command::new(python)
            .args(["-m", "http.server", &port.to_string(), "--bind", "127.0.0.1", "--directory"])
            .arg(&dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let site = Self { child, dir };
        wait_until_ok(&format!("http://127.0.0.1:{port}/{}", files[0].0), "the static site").await;
        site
    }
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
#[ignore = "needs the test virtualenv's Python: scripts/test.sh runs it"]
async fn an_issuer_address_serving_other_documents_fails_the_first_step() {
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let state = service::testing::pinned_issuer(&issuer);
    let sdk = AwsSdk::with_endpoint(&format!("http://127.0.0.1:{}", free_port())).await;
    let discovery = |iss: &str| json!({ "issuer": iss, "jwks_uri": format!("{issuer}/oauth2/jwks") }).to_string();

    // Another issuer answers at this address (a proxy or an old replica).
    let site =
        StaticSite::start(port, &[(".well-known/openid-configuration", discovery("https://elsewhere.example"))]).await;
    let report = check_workload_identity(&state, &sdk, &config(OrgId::new())).await;
    let diagnosis = failure(&report, CheckStep::Issuer);
    assert!(diagnosis.cause.contains("announces the issuer \"https://elsewhere.example\""), "{}", diagnosis.cause);
    drop(site);

    // The right issuer, but its JWKS lacks the key this Wisp signs with.
    let _site = StaticSite::start(
        port,
        &[(".well-known/openid-configuration", discovery(&issuer)), ("oauth2/jwks", json!({ "keys": [] }).to_string())],
    )
    .await;
    let report = check_workload_identity(&state, &sdk, &config(OrgId::new())).await;
    let diagnosis = failure(&report, CheckStep::Issuer);
    assert!(diagnosis.cause.contains("does not publish the signing key"), "{}", diagnosis.cause);
}

// Credentials: the same chains, then ListSecrets; static keys sign in with a stored access key.

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

async fn static_key(endpoint: &str, role: Option<&str>, external_id: Option<&str>) -> ConnectionReport {
    let sdk = AwsSdk::with_endpoint(endpoint).await;
    let key: AccessKeyId = ACCESS_KEY.parse().unwrap();
    let role: Option<RoleArn> = role.map(|r| r.parse().unwrap());
    let external_id: Option<ExternalId> = external_id.map(|e| e.parse().unwrap());
    let signer = Signer::AccessKey {
        access_key_id: &key,
        secret_access_key: Some(SECRET_KEY),
        role: role.as_ref(),
        external_id: external_id.as_ref(),
    };
    check_credential(&issuer(), &sdk, OrgId::new(), signer, Region::DEFAULT).await
}

fn steps(report: &ConnectionReport) -> Vec<CheckStep> {
    report.steps.iter().map(|s| s.step).collect()
}

#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn every_kind_of_credential_passes_through_list_secrets() {
    let aws = LocalAws::start().await;
    let sdk = AwsSdk::with_endpoint(&aws.endpoint).await;
    let org = OrgId::new();
    let config = config(org);
    let wi = check_credential(&issuer(), &sdk, org, Signer::WebIdentity(config.aws().unwrap()), Region::DEFAULT).await;
    assert!(wi.passed(), "{wi:#?}");
    assert_eq!(steps(&wi), CheckStep::WORKLOAD_IDENTITY_CREDENTIAL);

    let plain = static_key(&aws.endpoint, None, None).await;
    assert!(plain.passed(), "{plain:#?}");
    assert_eq!(steps(&plain), CheckStep::STATIC_KEYS);

    let assumed = static_key(&aws.endpoint, Some(ROLE), Some("partner-42")).await;
    assert!(assumed.passed(), "{assumed:#?}");
    assert_eq!(steps(&assumed), CheckStep::STATIC_KEYS_WITH_ROLE);
    assert!(assumed.assumed_role_arn.as_deref().unwrap().contains("assumed-role/wisp-reader"), "{assumed:#?}");
}

/// Each AWS error the credential page explains, answered the way AWS does by the fault proxy.
#[tokio::test]
#[ignore = "needs moto: scripts/test.sh runs it"]
async fn each_credential_error_fails_its_step_with_its_own_guidance() {
    let aws = LocalAws::start().await;
    let cases = [
        ("ListSecrets", "AccessDeniedException", 400, Some(ROLE), CheckStep::ListSecrets, "\"Resource\": \"*\""),
        (
            "ListSecrets",
            "UnrecognizedClientException",
            400,
            None,
            CheckStep::ListSecrets,
            "does not accept the access key AKIA…MPLE",
        ),
        ("ListSecrets", "ThrottlingException", 400, None, CheckStep::ListSecrets, "throttling"),
        (
            "GetCallerIdentity",
            "InvalidClientTokenId",
            403,
            None,
            CheckStep::CallerIdentity,
            "does not accept the access key",
        ),
        (
            "GetCallerIdentity",
            "SignatureDoesNotMatch",
            403,
            None,
            CheckStep::CallerIdentity,
            "does not belong to AKIA…MPLE",
        ),
        ("AssumeRole", "AccessDenied", 403, Some(ROLE), CheckStep::AssumeRole, "External ID differs"),
        (
            "AssumeRole",
            "RegionDisabledException",
            403,
            Some(ROLE),
            CheckStep::AssumeRole,
            "not activated for region us-east-1",
        ),
        ("AssumeRole", "ExpiredToken", 400, Some(ROLE), CheckStep::AssumeRole, "clock"),
    ];
    for (action, code, status, role, step, cause) in cases {
        aws.clear().await;
        aws.inject(json!({ "action": action, "code": code, "status": status, "message": format!("injected {code}") }))
            .await;
        let report = static_key(&aws.endpoint, role, role.map(|_| "partner-42")).await;
        let diagnosis = failure(&report, step);
        assert_eq!(diagnosis.code.as_deref(), Some(code), "{code}");
        assert!(diagnosis.cause.contains(cause), "{code}: {}", diagnosis.cause);
        assert!(!format!("{report:?}").contains(SECRET_KEY), "{code}: the secret never shows");
        let after: Vec<&StepOutcome> =
            report.steps.iter().skip_while(|s| s.step != step).skip(1).map(|s| &s.outcome).collect();
        assert!(after.iter().all(|o| matches!(o, StepOutcome::Skipped)), "{code}: later steps are skipped");
    }

    aws.clear().await;
    aws.inject(json!({ "action": "ListSecrets", "delay": 30 })).await;
    let stalled = static_key(&aws.endpoint, None, None).await;
    let diagnosis = failure(&stalled, CheckStep::ListSecrets);
    assert!(
        diagnosis.cause.contains("Secrets Manager in us-east-1 did not answer within 10 seconds"),
        "{}",
        diagnosis.cause
    );
    assert!(diagnosis.fix.contains("https://secretsmanager.us-east-1.amazonaws.com"), "{}", diagnosis.fix);
}

#[tokio::test]
async fn a_key_that_cannot_be_opened_fails_the_first_step_before_aws() {
    let sdk = AwsSdk::with_endpoint(&format!("http://127.0.0.1:{}", free_port())).await;
    let key: AccessKeyId = ACCESS_KEY.parse().unwrap();
    let signer = Signer::AccessKey { access_key_id: &key, secret_access_key: None, role: None, external_id: None };
    let report = check_credential(&issuer(), &sdk, OrgId::new(), signer, Region::DEFAULT).await;
    let diagnosis = failure(&report, CheckStep::CallerIdentity);
    assert!(diagnosis.cause.contains("cannot be decrypted"), "{}", diagnosis.cause);
    assert!(diagnosis.fix.contains("WISP_MASTER_KEY"), "{}", diagnosis.fix);
}
