//! The Audit Log over HTTP: owners and admins read it, developers and viewers are told which
//! permission they lack, anonymous callers are sent to sign in, filters are checked.
use reqwest::StatusCode;
use service::testing::TestDatabase;

use crate::common::{PASSWORD, Server, add_member, code, create_org};

#[tokio::test]
async fn owners_and_admins_read_the_audit_log_and_others_are_refused() {
    let db = TestDatabase::new().await;
    let acme = create_org(&db, "acme");
    for role in ["admin", "developer", "viewer"] {
        add_member(&db, &acme, &format!("{role}@acme.test"), role);
    }
    let server = Server::start(&db).await;
    for (email, allowed) in [
        ("owner@acme.test", true),
        ("admin@acme.test", true),
        ("developer@acme.test", false),
        ("viewer@acme.test", false),
    ] {
        let client = server.signed_in(email, PASSWORD).await;
        let (status, body) = server.call(&client, "audit_log/list", &[]).await;
        if allowed {
            assert_eq!(status, StatusCode::OK, "{email}: {body}");
            let actions: Vec<&str> =
                body["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
            assert!(actions.contains(&"member.add") && actions.contains(&"organization.create"), "{actions:?}");
        } else {
            assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "permission_denied"), "{email}: {body}");
            assert!(body["error"]["message"].as_str().unwrap().contains("audit_log: read"), "{body}");
        }
    }
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let (status, body) = server.call(&owner, "audit_log/list", &[("action", "member.add")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["entries"].as_array().unwrap().iter().all(|e| e["action"] == "member.add"));
    let (status, body) =
        server.call(&owner, "audit_log/list", &[("action", "member.promote"), ("actor", "nobody")]).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"), "{body}");
    assert_eq!(crate::common::fields(&body), ["actor", "action"]);

    let anonymous = server.client();
    let (status, body) = server.call(&anonymous, "audit_log/list", &[]).await;
    assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    let page = anonymous.get(format!("{}/settings/audit-log", server.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
}
