//! Automations over HTTP: who may do what, bad variables named per field, a sensitive value
//! that goes in and never comes out, and a credential that cannot go while variables use it.
use reqwest::StatusCode;
use serde_json::{Value, json};
use service::testing::TestDatabase;

use crate::common::{PASSWORD, Server, acme_with_viewer_and_other, code, create_org, fields};

const SENSITIVE: &str = "sensitive-value-3c9e1f-never-shown";

fn plain(automation: &str, key: &str, value: &str, sensitive: bool) -> Value {
    json!({ "automation": automation, "key": key, "source": "plain", "value": value, "sensitive": sensitive })
}

#[tokio::test]
async fn viewers_read_developers_change_and_other_organizations_see_nothing() {
    let (_db, _, server) = acme_with_viewer_and_other().await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let (status, id) = server.call(&owner, "automations/create", &[("name", "nightly")]).await;
    assert_eq!(status, StatusCode::OK, "{id}");
    let id = id.as_str().unwrap().to_owned();
    let (status, added) =
        server.call_json(&owner, "automations/variables/add", plain(&id, "LOG_LEVEL", "debug", false)).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    let variable = added["id"].as_str().unwrap().to_owned();
    let mut update = plain(&id, "LOG_LEVEL", "info", false);
    update["id"] = variable.clone().into();
    let credential = json!({
        "name": "ci", "provider": "aws_secrets_manager", "auth_method": "static_keys",
        "access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "role_arn": "", "external_id": "", "region": "us-east-1",
    });
    let (_, credential) = server.call_json(&owner, "secret_providers/create", credential).await;
    let credential = credential["id"].as_str().unwrap().to_owned();

    let viewer = server.signed_in("viewer@acme.test", PASSWORD).await;
    let (status, page) = server.call(&viewer, "automations/get", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["variables"][0]["key"], "LOG_LEVEL");
    assert_eq!(page["variables"][0]["source"], json!({ "kind": "plain", "value": "debug", "sensitive": false }));
    let (_, list) = server.call(&viewer, "automations/list", &[]).await;
    assert_eq!((&list[0]["name"], &list[0]["variables"]), (&json!("nightly"), &json!(1)));
    for (endpoint, body) in [
        ("automations/create", json!({ "name": "sneaky" })),
        ("automations/rename", json!({ "id": id, "name": "x" })),
        ("automations/delete", json!({ "id": id })),
        ("automations/variables/add", plain(&id, "X", "1", false)),
        ("automations/variables/update", update.clone()),
        ("automations/variables/delete", json!({ "id": variable })),
        ("automations/variables/import", json!({ "automation": id, "text": "A=1" })),
        ("automations/secret_names", json!({ "credential": credential, "query": "a" })),
    ] {
        let (status, body) = server.call_json(&viewer, endpoint, body).await;
        assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "permission_denied"), "{endpoint}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("automations: manage"), "{body}");
    }

    let outsider = server.signed_in("owner@other.test", PASSWORD).await;
    let (_, list) = server.call(&outsider, "automations/list", &[]).await;
    assert_eq!(list, json!([]));
    for (endpoint, body) in [
        ("automations/get", json!({ "id": id })),
        ("automations/rename", json!({ "id": id, "name": "mine" })),
        ("automations/delete", json!({ "id": id })),
        ("automations/variables/add", plain(&id, "X", "1", false)),
        ("automations/variables/update", update),
        ("automations/variables/delete", json!({ "id": variable })),
        ("automations/variables/import", json!({ "automation": id, "text": "A=1" })),
        ("automations/secret_names", json!({ "credential": credential, "query": "a" })),
    ] {
        let (status, body) = server.call_json(&outsider, endpoint, body).await;
        assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{endpoint}: {body}");
    }
}

#[tokio::test]
async fn bad_variables_name_each_field_and_a_sensitive_value_never_comes_back() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let (_, id) = server.call(&owner, "automations/create", &[("name", "deploy")]).await;
    let id = id.as_str().unwrap().to_owned();

    let bad =
        json!({ "automation": id, "key": "1-BAD", "source": "secret", "secret_name": "has space", "json_key": "" });
    let (status, body) = server.call_json(&owner, "automations/variables/add", bad).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "{body}");
    assert_eq!(fields(&body), ["key", "credential", "secret_name"], "{body}");
    let (status, body) = server
        .call_json(&owner, "automations/variables/add", json!({ "automation": id, "key": "A", "source": "vault" }))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("'vault' is not a variable source"), "{body}");

    let mut answers = Vec::new();
    let (status, added) =
        server.call_json(&owner, "automations/variables/add", plain(&id, "TOKEN", SENSITIVE, true)).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(added["source"], json!({ "kind": "plain", "value": null, "sensitive": true }));
    answers.push(added.to_string());
    let mut kept = plain(&id, "TOKEN", "", true);
    kept["id"] = added["id"].clone();
    let (status, updated) = server.call_json(&owner, "automations/variables/update", kept).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    answers.push(updated.to_string());
    let (_, page) = server.call(&owner, "automations/get", &[("id", &id)]).await;
    answers.push(page.to_string());
    let html = owner.get(format!("{}/automations/{id}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("TOKEN"), "the page rendered the variable");
    answers.push(html);
    for answer in &answers {
        assert!(!answer.contains(SENSITIVE), "the sensitive value came back: {answer}");
    }
    if !db.is_postgres() {
        let path = db.url.trim_start_matches("sqlite://").split('?').next().unwrap().to_owned();
        for file in [path.clone(), format!("{path}-wal"), format!("{path}-shm")] {
            if let Ok(bytes) = std::fs::read(&file) {
                assert!(!bytes.windows(SENSITIVE.len()).any(|w| w == SENSITIVE.as_bytes()), "readable in {file}");
            }
        }
    }
}

#[tokio::test]
async fn a_credential_used_by_variables_is_refused_by_name_and_pages_need_sign_in() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;
    let anonymous = server.client().get(format!("{}/automations", server.base)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(anonymous.headers()["location"], "/login?next=/automations");

    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let credential = json!({
        "name": "ci", "provider": "aws_secrets_manager", "auth_method": "static_keys",
        "access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "role_arn": "", "external_id": "", "region": "us-east-1",
    });
    let (_, credential) = server.call_json(&owner, "secret_providers/create", credential).await;
    let credential = credential["id"].as_str().unwrap().to_owned();
    let (_, id) = server.call(&owner, "automations/create", &[("name", "billing")]).await;
    let secret = json!({
        "automation": id, "key": "DB_PASSWORD", "source": "secret", "credential": credential,
        "secret_name": "prod/db", "json_key": "password",
    });
    let (status, added) = server.call_json(&owner, "automations/variables/add", secret).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(added["source"]["delivery"], "baked_at_deploy");
    assert_eq!(added["source"]["credential_name"], "ci");

    let (_, page) = server.call(&owner, "secret_providers/list", &[]).await;
    let used_by = json!([{"kind": "automations", "names": ["billing"]}]);
    assert_eq!(page["credentials"][0]["used_by"], used_by, "the page knows before anyone tries");
    let (status, body) = server.call(&owner, "secret_providers/delete", &[("id", &credential)]).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "in_use"), "{body}");
    assert_eq!(body["error"]["message"], "The credential is used by automations billing.");
}
