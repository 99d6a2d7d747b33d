//! One error envelope for every server function and API route, with the status its code implies;
//! JSON bodies as well as forms; bad input is a 4xx naming the argument, never a 500.
use reqwest::{StatusCode, header};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use service::testing::TestDatabase;

use crate::common::{PASSWORD, Server, add_member, answer, code, create_org, fields};

#[tokio::test]
async fn server_functions_take_json_as_well_as_forms() {
    let db = TestDatabase::new().await;
    let acme = create_org(&db, "acme");
    add_member(&db, &acme, "dev@acme.test", "developer");
    let server = Server::start(&db).await;

    let client = server.client();
    let (status, body) =
        server.call_json(&client, "login", json!({ "email": "owner@acme.test", "password": PASSWORD })).await;
    assert!(status.is_success(), "{status} {body}");
    let (status, members) = server.call_json(&client, "members/list", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{members}");
    let dev = members.as_array().unwrap().iter().find(|m| m["email"] == "dev@acme.test").unwrap();
    assert_eq!(dev["role"], "developer");
    let (status, body) =
        server.call_json(&client, "members/change_role", json!({ "user_id": dev["user_id"], "role": "viewer" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, members) = server.call_json(&client, "members/list", json!({})).await;
    assert!(members.as_array().unwrap().iter().any(|m| m["email"] == "dev@acme.test" && m["role"] == "viewer"));
}

#[tokio::test]
async fn malformed_missing_repeated_or_undecodable_arguments_are_named() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let id = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f";

    for (form, field) in [
        (vec![("user_id", "acme"), ("role", "viewer")], "user_id"),
        (vec![("user_id", id)], "role"),
        (vec![("user_id", id), ("role", "superuser")], "role"),
        (vec![("user_id", id), ("user_id", id), ("role", "viewer")], "user_id"),
    ] {
        let (status, body) = server.call(&owner, "members/change_role", &form).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{form:?}: {body}");
        assert_eq!(fields(&body), [field], "{form:?}: {body}");
    }

    let (status, body) =
        server.call_json(&owner, "members/change_role", json!({ "user_id": 7, "role": "viewer" })).await;
    assert_eq!(
        (status, code(&body), fields(&body)),
        (StatusCode::BAD_REQUEST, "bad_request", vec!["user_id"]),
        "{body}"
    );

    const FORM: &str = "application/x-www-form-urlencoded";
    let remove = async |content_type: &str, body: Vec<u8>| {
        let request = server.post(&owner, "members/remove").header(header::CONTENT_TYPE, content_type).body(body);
        answer(request.send().await.unwrap()).await
    };
    let (status, body) = remove(FORM, b"user_id=\xff\xfe".to_vec()).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "invalid UTF-8: {body}");
    let (status, body) = remove(FORM, b"user_id=%C3%28".to_vec()).await;
    assert_eq!((status, code(&body), fields(&body)), (StatusCode::BAD_REQUEST, "bad_request", vec!["user_id"]));
    let (status, body) = remove("application/json", b"{\"user_id\":".to_vec()).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "broken JSON: {body}");
    let huge = format!("user_id={id}&padding={}", "x".repeat(200 * 1024));
    let (status, body) = remove(FORM, huge.into_bytes()).await;
    assert_eq!((status, code(&body)), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"), "{body}");
    let (status, body) = remove("text/plain", b"user_id".to_vec()).await;
    assert_eq!((status, code(&body)), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"), "{body}");

    // Nothing was changed by any of it.
    let (_, members) = server.call(&owner, "members/list", &[]).await;
    assert_eq!(members.as_array().unwrap().len(), 1, "{members}");
}

#[tokio::test]
async fn unknown_calls_and_wrong_methods_answer_in_the_envelope() {
    let db = TestDatabase::new().await;
    let server = Server::start(&db).await;
    let client = server.client();
    let (status, body) = server.call(&client, "no/such/function", &[]).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{body}");
    let (status, body) = answer(client.get(format!("{}/api/members/list", server.base)).send().await.unwrap()).await;
    assert_eq!((status, code(&body)), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"), "{body}");
}

#[tokio::test]
async fn a_damaged_row_is_a_corrupt_record_answered_with_a_reference_not_the_value() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let form = [
        ("name", "aws-prod"),
        ("provider", "aws"),
        ("role_arn", "arn:aws:iam::123456789012:role/r"),
        ("region", "us-east-1"),
    ];
    let (status, created) = server.call(&owner, "workload_identity/create", &form).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let sql = "UPDATE workload_identity_configs SET region = 'mars-1'";
    db.db.execute_raw(Statement::from_string(db.db.get_database_backend(), sql)).await.unwrap();

    let (status, body) = server.call(&owner, "workload_identity/list", &[]).await;
    assert_eq!((status, code(&body)), (StatusCode::INTERNAL_SERVER_ERROR, "corrupt_record"), "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("reference") && !message.contains("mars-1"), "{message}");
}
