//! AWS roles for runs, end to end: a Python job with boto3 and no key, run by `wisp run`,
//! assumes the automation's role at SeaweedFS's STS (which validates Wisp's token and the trust
//! policy's `sub`) and writes and reads an object in SeaweedFS's S3 for several token lifetimes,
//! across a Wisp outage, while `wisp run` keeps the token file fresh.
use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{Value, json};
use service::testing::TestDatabase;

use crate::{
    common::{PASSWORD, Server, create_org, free_port},
    issuer::keygen,
    seaweed::{SeaweedSts, StsAnswer, TrustedRole},
};

/// Tokens live this long in the test (debug builds only; production tokens live 15 minutes).
const LIFETIME: u64 = 30;
const ROLE: &str = "arn:aws:iam::123456789012:role/uploads";

/// The Workload Identity config `uploads` for [`ROLE`]; its id.
async fn uploads_config(server: &Server, owner: &reqwest::Client) -> String {
    let body = json!({ "name": "uploads", "provider": "aws", "role_arn": ROLE, "region": "us-east-1" });
    let (status, config) = server.call_json(owner, "workload_identity/create", body).await;
    assert_eq!(status, StatusCode::OK, "{config}");
    config["id"].as_str().unwrap().to_owned()
}

/// An automation named `name` whose runs assume `config`, deployed; its id and deployment token.
async fn deployed(server: &Server, owner: &reqwest::Client, name: &str, config: &str) -> (String, String) {
    let (_, id) = server.call(owner, "automations/create", &[("name", name)]).await;
    let id = id.as_str().unwrap().to_owned();
    let (status, body) =
        server.call_json(owner, "automations/run_role", json!({ "automation": id, "config": config })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, deployed) = server.call(owner, "automations/deploy", &[("automation", &id)]).await;
    assert_eq!(status, StatusCode::OK, "{deployed}");
    (id, deployed["token"].as_str().unwrap().to_owned())
}

async fn kickoff(server: &Server, token: &str) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/kickoffs", server.base))
        .bearer_auth(token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
#[ignore = "needs SeaweedFS and boto3 from the test command's virtualenv; runs for two minutes"]
async fn a_job_with_no_key_uses_its_automations_role_for_several_token_lifetimes_and_across_an_outage() {
    let db = TestDatabase::new().await;
    let org = create_org(&db, "acme");
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    // SeaweedFS verifies RS256 only.
    let key = keygen(&db, "rs256");
    let lifetime = LIFETIME.to_string();
    let env = [
        ("OIDC_ISSUER", issuer.as_str()),
        ("OIDC_PRIVATE_KEY", key.as_str()),
        ("WISP_TEST_TOKEN_LIFETIME_SECONDS", lifetime.as_str()),
    ];
    let mut server = Server::start_on(&db, port, &env).await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let config = uploads_config(&server, &owner).await;
    let (uploader, token) = deployed(&server, &owner, "uploader", &config).await;
    let (_, intruder_token) = deployed(&server, &owner, "intruder", &config).await;

    let sub = format!("organization:{org}:automation:{uploader}");
    let sts = SeaweedSts::start(&issuer, &[TrustedRole { arn: ROLE, sub: &sub }]).await;

    // Another automation of the same organization, through the same config: refused by the role.
    let theirs = kickoff(&server, &intruder_token).await;
    let refused = sts.assume_role_with_web_identity(ROLE, theirs["aws"]["web_identity_token"].as_str().unwrap()).await;
    assert!(matches!(&refused, StsAnswer::Refused { code, .. } if code == "AccessDenied"), "{refused:?}");

    let folder = std::env::temp_dir().join(format!("wisp-run-roles-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&folder).unwrap();
    let token_file = folder.join("token");
    std::fs::write(&token_file, &token).unwrap();
    let summary = folder.join("summary.json");
    let python = std::env::var("WISP_TEST_PYTHON").expect("WISP_TEST_PYTHON: run through scripts/test.sh");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/aws/run_child.py");
    let duration = (LIFETIME * 3 + 10).to_string();
    let started = Instant::now();
    let run = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["run", "--server", &server.base, "--token-file", token_file.to_str().unwrap(), "--"])
        .args([python.as_str(), script, &duration, summary.to_str().unwrap(), env!("CARGO_BIN_EXE_wisp")])
        // No key anywhere in the job's environment: only the endpoint of the local AWS.
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_ENDPOINT_URL", &sts.endpoint)
        .env("AWS_CONFIG_FILE", folder.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", folder.join("no-credentials"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Wisp goes away before the first refresh (at 80 % of the token's life) and is back before
    // the token expires: the refresh retries through the outage and the job never notices.
    let down_at = Duration::from_secs(LIFETIME * 6 / 10);
    tokio::time::sleep(down_at.saturating_sub(started.elapsed())).await;
    drop(server);
    let outage = Instant::now();
    tokio::time::sleep(Duration::from_secs(LIFETIME / 5)).await;
    server = Server::start_on(&db, port, &env).await;
    let outage = outage.elapsed();

    let output = tokio::task::spawn_blocking(move || run.wait_with_output()).await.unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{output:?}\n{}", sts.log());
    let seen: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    println!(
        "wisp was unreachable for {:.1} s, from {:.1} s after the run started; what the job saw: {seen:#}",
        outage.as_secs_f64(),
        down_at.as_secs_f64()
    );

    assert_eq!(seen["failures"], json!([]), "{seen:#}\n{stderr}\n{}", sts.log());
    assert!(seen["calls"].as_u64().unwrap() >= LIFETIME * 3 / 2, "{seen:#}");
    // Each call assumed the role afresh from the file, which held a new token every refresh.
    assert!(seen["tokens_read"].as_u64().unwrap() >= 4, "the file was replaced: {seen:#}");
    assert!(seen["access_keys"].as_u64().unwrap() >= 4, "STS was called again and again: {seen:#}");
    assert!(!stderr.contains("expired"), "the outage ended before the token expired: {stderr}");
    assert_eq!(seen["role_arn"], ROLE);
    assert_eq!((&seen["region"], &seen["default_region"]), (&json!("us-east-1"), &json!("us-east-1")));
    assert!(seen["session_name"].as_str().unwrap().starts_with("wisp-uploader-"), "{seen:#}");
    assert_eq!((&seen["file_mode"], &seen["folder_mode"]), (&json!("0o600"), &json!("0o700")));
    let env: Vec<&str> = seen["env"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    for key in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "WISP_DEPLOYMENT_TOKEN"] {
        assert!(!env.contains(&key), "{key} in the job's environment: {env:?}");
    }
    for key in
        ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "WISP_ID_TOKEN_REQUEST_URL", "WISP_ID_TOKEN_REQUEST_TOKEN"]
    {
        assert!(env.contains(&key), "{key} missing: {env:?}");
    }
    assert_eq!((&seen["id_token_sub"], &seen["id_token_aud"]), (&json!(sub), &json!("vault")));
    let token_folder = std::path::Path::new(seen["token_file"].as_str().unwrap()).parent().unwrap().to_owned();
    assert!(!token_folder.exists(), "the token's folder is gone when the run ends");
    drop(server);
    std::fs::remove_dir_all(folder).ok();
}

#[tokio::test]
async fn when_wisp_stays_away_past_the_tokens_expiry_wisp_run_says_so_and_the_command_goes_on() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let key = keygen(&db, "es256");
    let env = [
        ("OIDC_ISSUER", issuer.as_str()),
        ("OIDC_PRIVATE_KEY", key.as_str()),
        ("WISP_TEST_TOKEN_LIFETIME_SECONDS", "4"),
    ];
    let server = Server::start_on(&db, port, &env).await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let config = uploads_config(&server, &owner).await;
    let (_, token) = deployed(&server, &owner, "uploader", &config).await;
    let started = std::env::temp_dir().join(format!("wisp-run-started-{}", uuid::Uuid::new_v4().simple()));
    let script = format!("touch {}; sleep 12; exit 3", started.display());
    let run = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["run", "--server", &server.base, "--token", &token, "--", "sh", "-c", &script])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the command runs, Wisp goes away for good: a refresh (every 80 % of 4 s) fails from then on.
    let waited = Instant::now();
    while !started.exists() {
        assert!(waited.elapsed() < Duration::from_secs(20), "the command never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(server);
    std::fs::remove_file(&started).ok();
    let output = tokio::task::spawn_blocking(move || run.wait_with_output()).await.unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "the command's own status: {stderr}");
    assert_eq!(stderr.matches("the AWS web identity token expired at").count(), 1, "said once: {stderr}");
    assert!(stderr.contains("Still trying"), "{stderr}");
}
