//! Vault's side of the trust, with a real OpenBao and a served Wisp as the issuer it discovers: the
//! trust helper's commands, run verbatim by `bao`, let this organization's tokens (its own and its
//! automations' runs) log in and read the policy's prefix, and refuse another organization's; then
//! the served Wisp's own Vault path over HTTP: config, credential, a kickoff, its log line and metrics.
use std::process::Command;

use serde_json::json;
use service::{
    issuer::url::IssuerUrl,
    testing::{OpenBao, ROOT_TOKEN, TestDatabase},
    vault::{
        client::{Vault, VaultSdk},
        guidance::{VaultCall, VaultContext, diagnose},
        trust::VaultTrust,
    },
};
use vocabulary::vault::{KvMount, VaultAddress, VaultLogin};

use crate::common::{PASSWORD, Server, create_org, free_port, run};

#[tokio::test]
#[ignore = "needs OpenBao from the test command's virtualenv"]
async fn the_trust_helpers_commands_let_this_organization_in_and_keep_another_out() {
    let db = TestDatabase::new().await;
    let acme = create_org(&db, "acme");
    let other = create_org(&db, "other");
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let env = [("OIDC_ISSUER", issuer.as_str()), ("RUST_LOG", "info")];
    let log_dir = tempfile::tempdir().unwrap();
    let log_path = log_dir.path().join("wisp.log");
    let server = Server::start_logging(&db, port, &env, std::fs::File::create(&log_path).unwrap()).await;
    let bao = OpenBao::start().await;
    bao.kv_put("secret", "teams/payments/db", json!({ "password": "pay-s3cret" })).await;
    bao.kv_put("secret", "teams/hr/db", json!({ "password": "hr-s3cret" })).await;

    let issuer_url = IssuerUrl::parse(&issuer).unwrap();
    let address: VaultAddress = bao.base.parse().unwrap();
    let login = VaultLogin {
        address: address.clone(),
        auth_mount: "jwt".parse().unwrap(),
        role: "wisp-acme".parse().unwrap(),
        audience: bao.base.parse().unwrap(),
        namespace: None,
    };
    let (auth_mount, role, audience) = (&login.auth_mount, &login.role, &login.audience);
    let kv: KvMount = "secret".parse().unwrap();
    let trust = VaultTrust {
        issuer: &issuer_url,
        org: acme.parse().unwrap(),
        login: &login,
        kv_mount: &kv,
        prefix: "teams/payments",
    };
    let commands = trust.commands();
    let python = std::env::var("WISP_TEST_PYTHON").expect("WISP_TEST_PYTHON: run through scripts/test.sh");
    let bin = std::path::Path::new(&python).parent().unwrap().to_owned();
    let home = tempfile::tempdir().unwrap();
    let applied = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &commands])
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
        .env("BAO_TOKEN", ROOT_TOKEN)
        .env("HOME", home.path())
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&applied.stdout), String::from_utf8_lossy(&applied.stderr));
    assert!(applied.status.success(), "the commands failed:\n{commands}\n{said}");

    let http = VaultSdk::default();
    let vault = Vault { http: &http, address: &address, namespace: None };
    let mint = |org: &str| run(&db, &env, &["token", "mint", "--org", org, "--audience", audience.as_str()], "");

    // The organization's own token: Wisp reading secrets at kickoff.
    let logged_in = vault.login(auth_mount, role, mint(&acme).trim()).await.expect("acme's token logs in");
    assert!(logged_in.policies.contains(&"wisp-acme-read".to_owned()), "{logged_in:?}");
    let fields = vault.read(&logged_in.token, &kv, "teams/payments/db").await.unwrap();
    assert_eq!(fields["password"], "pay-s3cret");
    assert_eq!(vault.list(&logged_in.token, &kv, "").await.unwrap(), ["teams/"]);
    assert_eq!(vault.list(&logged_in.token, &kv, "teams/").await.unwrap(), ["hr/", "payments/"]);
    assert_eq!(vault.list(&logged_in.token, &kv, "teams/payments/").await.unwrap(), ["db"]);
    let outside = vault.read(&logged_in.token, &kv, "teams/hr/db").await.unwrap_err();
    assert!(format!("{outside:?}").contains("403"), "outside the prefix: {outside:?}");

    // Another organization's token is refused by the role's bound claims, and said so.
    let refused = vault.login(auth_mount, role, mint(&other).trim()).await.unwrap_err();
    let subject = format!("organization:{other}");
    let ctx = VaultContext { login: &login, issuer: &issuer_url, subject: &subject };
    let diagnosis = diagnose(VaultCall::Login, &refused, &ctx, None);
    assert_eq!(diagnosis.code.as_deref(), Some("subject_not_bound"), "{diagnosis:?}");

    // A run of one of the organization's automations logs in with the ID token it asks for.
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let (_, automation) = server.call(&owner, "automations/create", &[("name", "payroll")]).await;
    let http_client = reqwest::Client::new();
    let kicked = deploy_and_kick_off(&server, &owner, &automation).await;
    let minted: serde_json::Value = http_client
        .post(format!("{}/api/v1/id-tokens", server.base))
        .bearer_auth(kicked["id_token_request_token"].as_str().unwrap())
        .json(&json!({ "audience": audience.as_str() }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let run_login = vault.login(auth_mount, role, minted["token"].as_str().unwrap()).await;
    assert!(run_login.is_ok(), "a run's token logs in through the automation glob: {run_login:?}\n{}", bao.log());

    // The served Wisp's own path: a Vault config and KV credential through the server functions,
    // a secret variable, a deploy, and a kickoff over the worker API.
    let (status, config) = server
        .call_json(
            &owner,
            "workload_identity/create",
            json!({
                "name": "vault", "provider": "vault", "vault_address": bao.base, "vault_role": "wisp-acme",
            }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{config}");
    assert_eq!(config["target"]["provider"], "vault", "{config}");
    assert_eq!(config["target"]["audience"], bao.base.as_str(), "the audience defaults to the address");
    let (status, report) =
        server.call(&owner, "workload_identity/test_connection", &[("id", config["id"].as_str().unwrap())]).await;
    assert_eq!((status, report["passed"].as_bool()), (reqwest::StatusCode::OK, Some(true)), "{report}");
    let (status, credential) = server
        .call_json(
            &owner,
            "secret_providers/create",
            json!({
                "name": "vault-kv", "provider": "vault_kv2", "auth_method": "workload_identity",
                "workload_identity_config": config["id"], "access_key_id": "", "secret_access_key": "",
                "role_arn": "", "external_id": "",
            }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{credential}");
    assert_eq!(credential["store"], json!({ "provider": "vault_kv2", "kv_mount": "secret" }));
    let (_, automation) = server.call(&owner, "automations/create", &[("name", "payments")]).await;
    let variable = json!({
        "automation": automation, "key": "DB_PASSWORD", "source": "secret", "credential": credential["id"],
        "secret_name": "teams/payments/db", "json_key": "password",
    });
    let (status, added) = server.call_json(&owner, "automations/variables/add", variable).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{added}");
    let kicked = deploy_and_kick_off(&server, &owner, &automation).await;
    assert_eq!(kicked["env"]["DB_PASSWORD"], "pay-s3cret", "{kicked}");
    let scrape = server.get("/metrics").await.text().await.unwrap();
    assert!(
        scrape.contains(r#"wisp_secret_reads_total{provider="vault_kv2",outcome="success",code="none"} 1"#),
        "{scrape}"
    );
    let config_id = config["id"].as_str().unwrap();
    let logged = std::fs::read_to_string(&log_path).unwrap();
    let line = format!("Workload identity config '{config_id}' (vault): 1 secret(s) resolved");
    assert!(logged.contains(&line), "{logged}");
    assert!(!logged.contains("pay-s3cret"), "no value in the log");
}

/// Deploys `automation` as `owner`, then kicks off with the new deployment's token, as a worker.
async fn deploy_and_kick_off(
    server: &Server,
    owner: &reqwest::Client,
    automation: &serde_json::Value,
) -> serde_json::Value {
    let (_, deployed) = server.call(owner, "automations/deploy", &[("automation", automation.as_str().unwrap())]).await;
    reqwest::Client::new()
        .post(format!("{}/api/v1/kickoffs", server.base))
        .bearer_auth(deployed["token"].as_str().unwrap())
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
