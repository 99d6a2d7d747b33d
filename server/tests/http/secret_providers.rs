//! Settings → Secret Provider Credentials over HTTP: who may do what, a secret that goes in and
//! never comes out (not in the database file, a page or any answer), references, and rotating
//! the master key with the CLI.
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use service::testing::TestDatabase;

use crate::common::{PASSWORD, Server, acme_with_viewer_and_other, code, create_org, fields, output, run};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfi-unique-8c1f";
const ROLE: &str = "arn:aws:iam::123456789012:role/acme-secrets";

fn static_key(name: &str) -> Value {
    json!({
        "name": name, "provider": "aws_secrets_manager", "auth_method": "static_keys",
        "access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": SECRET,
        "role_arn": ROLE, "external_id": "partner-42", "region": "eu-west-1",
    })
}

async fn create(server: &Server, client: &Client, body: Value) -> Value {
    let (status, created) = server.call_json(client, "secret_providers/create", body).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    created
}

#[tokio::test]
async fn viewers_read_and_test_but_cannot_change_and_other_organizations_see_nothing() {
    let (_db, _, server) = acme_with_viewer_and_other().await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let created = create(&server, &owner, static_key("ci")).await;
    assert_eq!(created["is_default"], true, "the first credential of a provider is the default");
    let id = created["id"].as_str().unwrap().to_owned();

    let viewer = server.signed_in("viewer@acme.test", PASSWORD).await;
    let (status, page) = server.call(&viewer, "secret_providers/list", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["credentials"][0]["name"], "ci");
    let (status, report) = server.call(&viewer, "secret_providers/test_connection", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::OK, "reading is enough to test: {report}");
    let mut update = static_key("renamed");
    update["id"] = id.clone().into();
    update["set_default"] = true.into();
    for (endpoint, body) in [
        ("secret_providers/create", static_key("sneaky")),
        ("secret_providers/update", update.clone()),
        ("secret_providers/make_default", json!({ "id": id })),
        ("secret_providers/delete", json!({ "id": id })),
    ] {
        let (status, body) = server.call_json(&viewer, endpoint, body).await;
        assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "permission_denied"), "{endpoint}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("secret_providers: manage"), "{body}");
    }

    let outsider = server.signed_in("owner@other.test", PASSWORD).await;
    let (_, page) = server.call(&outsider, "secret_providers/list", &[]).await;
    assert_eq!(page["credentials"], json!([]));
    for (endpoint, body) in [
        ("secret_providers/update", update),
        ("secret_providers/delete", json!({ "id": id })),
        ("secret_providers/test_connection", json!({ "id": id })),
    ] {
        let (status, body) = server.call_json(&outsider, endpoint, body).await;
        assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{endpoint}: {body}");
    }
}

#[tokio::test]
async fn the_secret_access_key_is_nowhere_but_sealed() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let mut answers = Vec::new();
    let created = create(&server, &owner, static_key("ci")).await;
    let id = created["id"].as_str().unwrap().to_owned();
    answers.push(created.to_string());
    assert_eq!(created["auth"]["access_key_id"], "AKIAIOSFODNN7EXAMPLE");

    // Editing leaves the field empty; empty keeps the stored key.
    let mut kept = static_key("ci");
    kept["id"] = id.clone().into();
    kept["secret_access_key"] = "".into();
    kept["set_default"] = true.into();
    let (status, updated) = server.call_json(&owner, "secret_providers/update", kept).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    answers.push(updated.to_string());
    for (endpoint, form) in [
        ("secret_providers/list", vec![]),
        ("secret_providers/test_connection", vec![("id", id.as_str())]),
        ("organization", vec![]),
        ("session", vec![]),
    ] {
        let (status, body) = server.call(&owner, endpoint, &form).await;
        assert_eq!(status, StatusCode::OK, "{endpoint}: {body}");
        answers.push(body.to_string());
    }
    let (_, report) = server.call(&owner, "secret_providers/test_connection", &[("id", &id)]).await;
    let first = &report["steps"][0];
    assert_eq!((&first["step"], &first["status"]), (&json!("assume_role"), &json!("failed")), "{report}");
    assert!(!first["cause"].as_str().unwrap().contains("cannot be decrypted"), "the kept key still opens: {report}");
    for page in ["/settings/secret-providers", "/settings/organization"] {
        let html = owner.get(format!("{}{page}", server.base)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("ci") || page != "/settings/secret-providers", "{page} rendered the list");
        answers.push(html);
    }
    for answer in &answers {
        assert!(!answer.contains(SECRET), "the secret came back: {answer}");
    }
    if !db.is_postgres() {
        let path = db.url.trim_start_matches("sqlite://").split('?').next().unwrap().to_owned();
        for file in [path.clone(), format!("{path}-wal"), format!("{path}-shm")] {
            if let Ok(bytes) = std::fs::read(&file) {
                let found = bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes());
                assert!(!found, "the secret is readable in {file}");
            }
        }
    }
}

#[tokio::test]
async fn bad_forms_name_each_field_and_a_config_in_use_is_not_deleted() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let bad = json!({
        "name": "", "provider": "aws_secrets_manager", "auth_method": "static_keys",
        "access_key_id": "AKIA123", "secret_access_key": "", "role_arn": "", "external_id": "partner-42",
        "region": "us-east-1",
    });
    let (status, body) = server.call_json(&owner, "secret_providers/create", bad).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "{body}");
    assert_eq!(fields(&body), ["name", "access_key_id", "external_id"], "{body}");

    let config = [("name", "aws-prod"), ("provider", "aws"), ("role_arn", ROLE), ("region", "us-east-1")];
    let (_, config) = server.call(&owner, "workload_identity/create", &config).await;
    let config_id = config["id"].as_str().unwrap().to_owned();
    let by_config = json!({
        "name": "via-role", "provider": "aws_secrets_manager", "auth_method": "workload_identity",
        "workload_identity_config": config_id, "access_key_id": "", "secret_access_key": "", "role_arn": "",
        "external_id": "", "region": "us-east-1",
    });
    let created = create(&server, &owner, by_config).await;
    assert_eq!(created["auth"]["method"], "workload_identity");
    assert_eq!(created["auth"]["config_name"], "aws-prod");
    let (_, configs) = server.call(&owner, "workload_identity/list", &[]).await;
    let used_by = json!([{"kind": "credentials", "names": ["via-role"]}]);
    assert_eq!(configs[0]["used_by"], used_by, "the page knows before anyone tries");
    let (status, body) = server.call(&owner, "workload_identity/delete", &[("id", &config_id)]).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "in_use"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("via-role"), "{body}");
}

#[tokio::test]
async fn the_cli_rotates_the_master_key_and_only_the_new_key_opens_the_secrets() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let id = {
        let server = Server::start(&db).await;
        let owner = server.signed_in("owner@acme.test", PASSWORD).await;
        let created = create(&server, &owner, static_key("ci")).await;
        created["id"].as_str().unwrap().to_owned()
    };
    let new_key = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    let printed = run(&db, &[], &["master-key", "rotate"], new_key);
    assert!(printed.contains("Re-sealed 3 secret(s)"), "the credential's key and the two signing keys: {printed}");
    let new_id = crate::common::master_key_id(&printed);
    assert!(
        run(&db, &[], &["master-key", "rotate"], new_key).contains("Re-sealed 0"),
        "a second run has nothing to do"
    );
    let third_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let stale = output(&db, &[], &["master-key", "rotate"], third_key);
    assert!(!stale.status.success(), "WISP_MASTER_KEY (the old key) no longer opens the secrets");
    assert!(String::from_utf8_lossy(&stale.stderr).contains("WISP_MASTER_KEY"), "{stale:?}");

    let first_step = async |key: &str| {
        let server = Server::start_on(&db, crate::common::free_port(), &[("WISP_MASTER_KEY", key)]).await;
        let owner = server.signed_in("owner@acme.test", PASSWORD).await;
        let (_, report) = server.call(&owner, "secret_providers/test_connection", &[("id", &id)]).await;
        report["steps"][0]["cause"].as_str().unwrap_or_default().to_owned()
    };
    assert!(!first_step(new_key).await.contains("cannot be decrypted"));
    // A Wisp holding only the old key refuses to start, naming the key it lacks.
    let refused = output(&db, &[("WISP_LISTEN", &format!("127.0.0.1:{}", crate::common::free_port()))], &["serve"], "");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains(&format!("master key {new_id}")), "{refused:?}");
}
