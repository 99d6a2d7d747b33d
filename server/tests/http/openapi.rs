//! The worker API's OpenAPI 3.1 document (`/api/v1/openapi.json`) against the running server:
//! schemathesis, from the test command's virtualenv, drives both operations from the document
//! with a deployment token, valid requests and broken ones, and every answer must be one the
//! document describes: no 5xx, a documented status, content type, headers and body.
use std::{collections::BTreeMap, path::Path, process::Command};

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use service::testing::TestDatabase;

use crate::common::{PASSWORD, Server, create_org, free_port};

#[tokio::test]
async fn the_worker_api_is_published_as_openapi_3_1_with_its_error_envelope() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;
    let response = server.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK, "anyone may read it");
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");

    let kickoffs = &document["paths"]["/api/v1/kickoffs"]["post"];
    let id_tokens = &document["paths"]["/api/v1/id-tokens"]["post"];
    assert_eq!(document["paths"].as_object().unwrap().len(), 2, "the worker API only: {document:#}");
    assert_eq!(kickoffs["security"], json!([{ "deployment_token": [] }]), "a run token never kicks off");
    assert_eq!(id_tokens["security"], json!([{ "deployment_token": [] }, { "run_token": [] }]));
    for scheme in ["deployment_token", "run_token"] {
        assert_eq!(document["components"]["securitySchemes"][scheme]["scheme"], "bearer", "{scheme}");
    }
    assert_ne!(kickoffs["requestBody"]["required"], true, "an empty body kicks off the token's automation");
    assert_eq!(id_tokens["requestBody"]["required"], true);
    assert_eq!(
        kickoffs["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/KickoffResponse"
    );
    // Every refusal is the one envelope, `secrets_unresolved`'s failures included.
    for (operation, name) in [(kickoffs, "kickoffs"), (id_tokens, "id-tokens")] {
        for (status, answer) in operation["responses"].as_object().unwrap() {
            if status != "200" {
                let schema = &answer["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/ApiError", "{name} {status}");
            }
        }
    }
    assert!(kickoffs["responses"]["422"]["description"].as_str().unwrap().contains("secrets_unresolved"));
    let schemas = &document["components"]["schemas"];
    assert_eq!(schemas["ApiError"]["properties"]["error"]["$ref"], "#/components/schemas/ErrorBody");
    assert_eq!(schemas["ErrorBody"]["required"], json!(["code", "message", "hint", "fields"]));
    let failures = &schemas["ErrorBody"]["properties"]["failures"]["items"]["$ref"];
    assert_eq!(failures, "#/components/schemas/SecretFailure");
    let codes = schemas["ErrorCode"]["enum"].as_array().unwrap();
    assert!(codes.contains(&json!("secrets_unresolved")) && codes.contains(&json!("rate_limited")));
    assert_eq!(schemas["KickoffRequest"]["additionalProperties"], false);
}

#[tokio::test]
#[ignore = "needs schemathesis from the test command's virtualenv"]
async fn schemathesis_finds_every_answer_of_the_worker_api_in_its_document() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    // The tests' AWS endpoint has nobody listening: a secret read through Workload Identity fails.
    let server = Server::start_on(&db, port, &[("OIDC_ISSUER", issuer.as_str())]).await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let (runs, unreadable) = fuzzed_deployments(&server, &owner).await;
    let document = format!("{}/api/v1/openapi.json", server.base);

    // Both operations with a deployment whose kickoffs succeed and carry an AWS role for runs.
    let everything = schemathesis(&document, &runs, &["--max-examples", "100"]);
    println!("deployment that kicks off: {everything}");
    for (operation, status) in [("kickoffs", 200), ("id-tokens", 200), ("kickoffs", 400), ("id-tokens", 422)] {
        assert!(everything.saw(operation, status), "no {status} from {operation}: {everything}");
    }
    for operation in ["kickoffs", "id-tokens"] {
        assert!(everything.saw(operation, 401), "ignored_auth sends no token: {everything}");
    }

    // Kickoffs with a deployment whose secret cannot be read: `secrets_unresolved`, as
    // documented. Valid requests are refused here by the secret's state, not their shape, so the
    // check that valid requests succeed does not apply.
    let refused = schemathesis(
        &document,
        &unreadable,
        &["--include-operation-id", "kickoff", "--max-examples", "20", "--exclude-checks", "positive_data_acceptance"],
    );
    println!("deployment whose secret cannot be read: {refused}");
    assert!(refused.saw("kickoffs", 422), "no secrets_unresolved: {refused}");
    assert!(refused.bodies.iter().any(|body| body.contains("\"secrets_unresolved\"")), "{refused}");
    assert!(!refused.saw("kickoffs", 200), "{refused}");
}

/// Two deployments of Acme: `runs` (a plain variable and an AWS role for runs) and `unreadable`
/// (a secret through Workload Identity, read at every kickoff). Their tokens.
async fn fuzzed_deployments(server: &Server, owner: &reqwest::Client) -> (String, String) {
    let config = json!({ "name": "runs", "provider": "aws", "role_arn": "arn:aws:iam::123456789012:role/runs", "region": "us-east-1" });
    let (status, config) = server.call_json(owner, "workload_identity/create", config).await;
    assert_eq!(status, StatusCode::OK, "{config}");
    let config = config["id"].as_str().unwrap();
    let credential = json!({
        "name": "wi", "provider": "aws_secrets_manager", "auth_method": "workload_identity",
        "workload_identity_config": config, "access_key_id": "", "secret_access_key": "", "role_arn": "",
        "external_id": "", "region": "us-east-1",
    });
    let (status, credential) = server.call_json(owner, "secret_providers/create", credential).await;
    assert_eq!(status, StatusCode::OK, "{credential}");

    let mut tokens = Vec::new();
    for (name, variable) in [
        ("runs", json!({ "key": "GREETING", "source": "plain", "value": "hello", "sensitive": false })),
        (
            "unreadable",
            json!({ "key": "DB_PASSWORD", "source": "secret", "credential": credential["id"], "secret_name": "prod/db", "json_key": "" }),
        ),
    ] {
        let (_, automation) = server.call(owner, "automations/create", &[("name", name)]).await;
        let automation = automation.as_str().unwrap().to_owned();
        let mut variable = variable;
        variable["automation"] = json!(automation);
        let (status, added) = server.call_json(owner, "automations/variables/add", variable).await;
        assert_eq!(status, StatusCode::OK, "{added}");
        if name == "runs" {
            let role = json!({ "automation": automation, "config": config });
            let (status, body) = server.call_json(owner, "automations/run_role", role).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let (status, deployed) = server.call(owner, "automations/deploy", &[("automation", &automation)]).await;
        assert_eq!(status, StatusCode::OK, "{deployed}");
        tokens.push(deployed["token"].as_str().unwrap().to_owned());
    }
    let unreadable = tokens.pop().unwrap();
    (tokens.pop().unwrap(), unreadable)
}

/// What one schemathesis run sent and checked, from its HAR and NDJSON reports.
struct Run {
    requests: usize,
    checks: usize,
    /// (operation, status) → answers.
    statuses: BTreeMap<(String, u16), usize>,
    bodies: Vec<String>,
}

impl Run {
    fn saw(&self, operation: &str, status: u16) -> bool {
        self.statuses.contains_key(&(operation.to_owned(), status))
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} requests, {} checks passed;", self.requests, self.checks)?;
        for ((operation, status), count) in &self.statuses {
            write!(f, " {operation} {status}×{count}")?;
        }
        Ok(())
    }
}

/// Runs schemathesis with every check against the document with `token`; panics with its report
/// when it finds anything.
fn schemathesis(document: &str, token: &str, options: &[&str]) -> Run {
    let python = std::env::var("WISP_TEST_PYTHON").expect("WISP_TEST_PYTHON: run through scripts/test.sh");
    let program = Path::new(&python).with_file_name("schemathesis");
    let reports = tempfile::tempdir().unwrap();
    let output = Command::new(&program)
        .args(["run", document, "--checks", "all", "--report", "har,ndjson", "--report-dir"])
        .arg(reports.path())
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(options)
        .env("NO_COLOR", "1")
        // Its cache of crashes goes with the reports, not into the source tree.
        .current_dir(reports.path())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "schemathesis found answers outside the document:\n{said}");

    let report = |extension: &str| {
        let entry = std::fs::read_dir(reports.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .find(|path| path.to_string_lossy().ends_with(extension))
            .unwrap_or_else(|| panic!("no {extension} report:\n{said}"));
        std::fs::read_to_string(entry).unwrap()
    };
    let har: Value = serde_json::from_str(&report(".json")).unwrap();
    let entries = har["log"]["entries"].as_array().unwrap();
    let mut statuses = BTreeMap::new();
    let mut bodies = Vec::new();
    for entry in entries {
        let url = entry["request"]["url"].as_str().unwrap();
        let operation = url.rsplit('/').next().unwrap().to_owned();
        let status = entry["response"]["status"].as_u64().unwrap() as u16;
        *statuses.entry((operation, status)).or_default() += 1;
        bodies.push(entry["response"]["content"]["text"].as_str().unwrap_or_default().to_owned());
    }
    let mut checks = 0;
    for line in report(".ndjson").lines() {
        let event: Value = serde_json::from_str(line).unwrap();
        for results in event["ScenarioFinished"]["recorder"]["checks"].as_object().into_iter().flat_map(|c| c.values())
        {
            for result in results.as_array().unwrap() {
                assert_eq!(result["status"], "success", "{result}");
                checks += 1;
            }
        }
    }
    Run { requests: entries.len(), checks, statuses, bodies }
}
