//! `/metrics` as Prometheus scrapes it: the families of DESIGN §13 with low-cardinality labels
//! (route patterns, outcomes, kinds; never an organization, a user, a path's id or a token), off
//! with `WISP_METRICS=off`, on another address with `WISP_METRICS_LISTEN`, and clean for
//! `promtool check metrics`.
use std::io::Write;

use reqwest::StatusCode;
use serde_json::json;
use service::testing::TestDatabase;

use crate::common::{PASSWORD, Server, create_org, free_port};

/// A served Wisp that has done a little of everything: a refused sign-in, a page, a deploy, a
/// kickoff and an ID token. Returns the scrape and what must not appear in it.
async fn busy_scrape() -> (String, Vec<String>) {
    let db = TestDatabase::new().await;
    let org = create_org(&db, "acme");
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let server = Server::start_on(&db, port, &[("OIDC_ISSUER", issuer.as_str())]).await;
    let client = server.client();
    let (status, _) =
        server.call(&client, "login", &[("email", "owner@acme.test"), ("password", "wrong-password!")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let (_, automation) = server.call(&owner, "automations/create", &[("name", "nightly")]).await;
    let automation = automation.as_str().unwrap().to_owned();
    let page = owner.get(format!("{}/automations/{automation}", server.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let (_, deployed) = server.call(&owner, "automations/deploy", &[("automation", &automation)]).await;
    let token = deployed["token"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let kicked = http.post(format!("{}/api/v1/kickoffs", server.base)).bearer_auth(&token).json(&json!({})).send();
    let kicked: serde_json::Value = kicked.await.unwrap().json().await.unwrap();
    let run_token = kicked["id_token_request_token"].as_str().unwrap().to_owned();
    let id_token = http
        .post(format!("{}/api/v1/id-tokens", server.base))
        .bearer_auth(&run_token)
        .json(&json!({ "audience": "vault" }))
        .send()
        .await
        .unwrap();
    assert_eq!(id_token.status(), StatusCode::OK);

    let scrape = server.get("/metrics").await;
    assert_eq!(scrape.status(), StatusCode::OK);
    assert!(scrape.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = scrape.text().await.unwrap();
    (text, vec![org, automation, token, run_token, "owner@acme.test".to_owned()])
}

fn value(scrape: &str, series: &str) -> f64 {
    let line = scrape.lines().find(|l| l.starts_with(series)).unwrap_or_else(|| panic!("no {series} in\n{scrape}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn every_family_is_there_with_patterns_for_routes_and_nothing_that_names_who() {
    let (scrape, never) = busy_scrape().await;
    for family in [
        "wisp_kickoffs_total",
        "wisp_kickoff_duration_seconds",
        "wisp_tokens_issued_total",
        "wisp_signing_key_state",
        "wisp_signing_key_next_rotation_timestamp_seconds",
        "wisp_sign_in_failures_total",
        "wisp_http_requests_total",
        "wisp_http_request_duration_seconds",
        "wisp_db_pool_connections",
        "wisp_db_pool_max_connections",
    ] {
        assert!(scrape.contains(&format!("# TYPE {family} ")), "{family} has no TYPE line:\n{scrape}");
        assert!(scrape.contains(&format!("# HELP {family} ")), "{family} has no HELP line");
    }
    assert_eq!(value(&scrape, r#"wisp_kickoffs_total{outcome="succeeded"}"#), 1.0);
    assert_eq!(value(&scrape, "wisp_kickoff_duration_seconds_count"), 1.0);
    assert_eq!(value(&scrape, r#"wisp_sign_in_failures_total{reason="bad_credentials"}"#), 1.0);
    assert_eq!(value(&scrape, r#"wisp_tokens_issued_total{kind="automation"}"#), 1.0);
    assert_eq!(value(&scrape, r#"wisp_signing_key_state{state="active"}"#), 1.0);
    assert_eq!(value(&scrape, r#"wisp_signing_key_state{state="next"}"#), 1.0);
    assert!(value(&scrape, "wisp_signing_key_next_rotation_timestamp_seconds") > 1.7e9);
    let kickoffs = r#"wisp_http_requests_total{route="/api/v1/kickoffs",method="POST",status="200"}"#;
    assert_eq!(value(&scrape, kickoffs), 1.0);
    // The automation's page, counted under its pattern.
    assert!(scrape.contains(r#"route="/automations/{id}""#), "{scrape}");
    for secret in never {
        assert!(!scrape.contains(&secret), "{secret} in the metrics");
    }
}

#[tokio::test]
async fn metrics_can_be_turned_off_or_moved_to_an_address_of_their_own() {
    let db = TestDatabase::new().await;
    let off = Server::start_on(&db, free_port(), &[("WISP_METRICS", "off")]).await;
    assert_eq!(off.get("/metrics").await.status(), StatusCode::NOT_FOUND);
    drop(off);
    let apart = free_port();
    let address = format!("127.0.0.1:{apart}");
    let moved = Server::start_on(&db, free_port(), &[("WISP_METRICS_LISTEN", address.as_str())]).await;
    assert_eq!(moved.get("/metrics").await.status(), StatusCode::NOT_FOUND, "not on the main address");
    moved.get("/healthz").await;
    let scrape = reqwest::get(format!("http://{address}/metrics")).await.unwrap().text().await.unwrap();
    assert!(scrape.contains(r#"wisp_http_requests_total{route="/healthz",method="GET",status="200"}"#), "{scrape}");
}

#[tokio::test]
#[ignore = "needs promtool (Debian's prometheus package): scripts/test.sh installs it"]
async fn promtool_finds_nothing_to_fix() {
    let (scrape, _) = busy_scrape().await;
    let mut promtool = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool on PATH");
    promtool.stdin.take().unwrap().write_all(scrape.as_bytes()).unwrap();
    let checked = promtool.wait_with_output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&checked.stdout), String::from_utf8_lossy(&checked.stderr));
    assert!(checked.status.success() && said.trim().is_empty(), "promtool: {said}\n{scrape}");
}
