//! Settings → Workload Identity over HTTP: who may do what, and Test Connection against a real
//! token-validating STS (SeaweedFS).
use reqwest::StatusCode;
use serde_json::Value;
use service::testing::TestDatabase;

use crate::{
    common::{PASSWORD, Server, acme_with_viewer_and_other, code, create_org, fields, free_port, run},
    seaweed::{SeaweedSts, TrustedRole},
};

const ROLE: &str = "arn:aws:iam::123456789012:role/acme-secrets";

fn config_form<'a>(name: &'a str, role: &'a str) -> [(&'a str, &'a str); 4] {
    [("name", name), ("provider", "aws"), ("role_arn", role), ("region", "us-east-1")]
}

#[tokio::test]
async fn viewers_read_but_cannot_change_and_other_organizations_see_nothing() {
    let (_db, _, server) = acme_with_viewer_and_other().await;

    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let (status, created) = server.call(&owner, "workload_identity/create", &config_form("aws-prod", ROLE)).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["is_default"], true);
    let id = created["id"].as_str().unwrap().to_owned();

    let viewer = server.signed_in("viewer@acme.test", PASSWORD).await;
    let (status, configs) = server.call(&viewer, "workload_identity/list", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(configs[0]["name"], "aws-prod");
    let mut update = vec![("id", id.as_str()), ("set_default", "true")];
    update.extend(config_form("renamed", ROLE));
    for (endpoint, form) in [
        ("workload_identity/create", config_form("sneaky", ROLE).to_vec()),
        ("workload_identity/update", update.clone()),
        ("workload_identity/make_default", vec![("id", id.as_str())]),
        ("workload_identity/delete", vec![("id", id.as_str())]),
    ] {
        let (status, body) = server.call(&viewer, endpoint, &form).await;
        assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "permission_denied"), "{endpoint}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("workload_identity_configs: manage"), "{body}");
    }

    // Reading is enough to test a connection (this server has no issuer: it stops before AWS).
    let (status, report) = server.call(&viewer, "workload_identity/test_connection", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (&report["steps"][0]["step"], &report["steps"][0]["status"]),
        (&"issuer".into(), &"failed".into()),
        "{report}"
    );
    assert!(report["steps"][0]["cause"].as_str().unwrap().contains("set OIDC_ISSUER"), "{report}");

    let outsider = server.signed_in("owner@other.test", PASSWORD).await;
    let (_, configs) = server.call(&outsider, "workload_identity/list", &[]).await;
    assert_eq!(configs, Value::Array(vec![]));
    for (endpoint, form) in [
        ("workload_identity/update", update.clone()),
        ("workload_identity/delete", vec![("id", id.as_str())]),
        ("workload_identity/test_connection", vec![("id", id.as_str())]),
    ] {
        let (status, body) = server.call(&outsider, endpoint, &form).await;
        assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{endpoint}: {body}");
    }

    let (status, _) = server.call(&server.client(), "workload_identity/list", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, configs) = server.call(&owner, "workload_identity/list", &[]).await;
    assert_eq!(configs[0]["name"], "aws-prod", "nothing changed");
}

#[tokio::test]
async fn invalid_forms_come_back_with_a_message_for_each_field() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let (status, body) = server
        .call(
            &owner,
            "workload_identity/create",
            &[("name", ""), ("provider", "aws"), ("role_arn", "my-role"), ("region", "us-east-1")],
        )
        .await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "{body}");
    assert_eq!(fields(&body), ["name", "role_arn"], "{body}");

    // A region comes from a picker: one that is not a region is a malformed request.
    let (status, body) = server
        .call(
            &owner,
            "workload_identity/create",
            &[("name", "x"), ("provider", "aws"), ("role_arn", ROLE), ("region", "moon-1")],
        )
        .await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"), "{body}");
    assert_eq!(fields(&body), ["region"], "{body}");

    let (status, body) = server.call(&owner, "workload_identity/create", &config_form("aws-prod", ROLE)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = server.call(&owner, "workload_identity/create", &config_form("aws-prod", ROLE)).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "name_taken"), "{body}");
    assert_eq!(fields(&body), ["name"], "the form shows it next to the name: {body}");
}

#[tokio::test]
#[ignore = "needs SeaweedFS: scripts/test.sh runs it"]
async fn against_a_real_sts_the_trust_policy_admits_only_its_organization() {
    let db = TestDatabase::new().await;
    let acme = create_org(&db, "acme");
    create_org(&db, "other");
    let key = run(&db, &[], &["keys", "generate", "--alg", "rs256"], "");
    let (wisp_port, sts_port) = (free_port(), free_port());
    let issuer = format!("http://127.0.0.1:{wisp_port}");
    let sts_endpoint = format!("http://127.0.0.1:{sts_port}");
    let env = [
        ("OIDC_ISSUER", issuer.as_str()),
        ("OIDC_PRIVATE_KEY", key.as_str()),
        ("AWS_ENDPOINT_URL_STS", sts_endpoint.as_str()),
    ];
    let server = Server::start_on(&db, wisp_port, &env).await;
    let acme_sub = format!("organization:{acme}");
    let sts = SeaweedSts::start_on(sts_port, &issuer, &[TrustedRole { arn: ROLE, sub: &acme_sub }]).await;

    let test_connection = async |email: &str| {
        let client = server.signed_in(email, PASSWORD).await;
        let (status, created) = server.call(&client, "workload_identity/create", &config_form("aws", ROLE)).await;
        assert_eq!(status, StatusCode::OK, "{created}");
        let id = created["id"].as_str().unwrap().to_owned();
        let (status, report) = server.call(&client, "workload_identity/test_connection", &[("id", &id)]).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        report
    };

    let trusted = test_connection("owner@acme.test").await;
    assert_eq!(trusted["passed"], true, "{trusted:#}\n{}", sts.log());
    let arn = trusted["assumed_role_arn"].as_str().unwrap();
    assert!(arn.contains("acme-secrets"), "{arn}");

    let refused = test_connection("owner@other.test").await;
    assert_eq!(refused["passed"], false);
    let failed = refused["steps"].as_array().unwrap().iter().find(|s| s["status"] == "failed").unwrap();
    assert_eq!(failed["step"], "assume_role_with_web_identity");
    assert_eq!(failed["code"], "AccessDenied", "{failed:#}");
    assert!(failed["cause"].as_str().unwrap().contains("trust policy"), "{failed:#}");
}
