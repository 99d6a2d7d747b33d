//! Two `wisp` processes sharing one database, as replicas behind a load balancer: a session made
//! on one works on the other, a role change is seen by both at once, and the rules that span rows
//! hold when hammered through both, with no 500. The test command runs it on PostgreSQL too.
use reqwest::StatusCode;
use serde_json::Value;
use service::testing::TestDatabase;

use crate::common::{PASSWORD, Server, add_member, code, create_org};

fn member_id(members: &Value, email: &str) -> String {
    members.as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["user_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn two_replicas_share_sessions_roles_and_invariants() {
    let db = TestDatabase::new().await;
    let acme = create_org(&db, "acme");
    add_member(&db, &acme, "second@acme.test", "owner");
    add_member(&db, &acme, "dev@acme.test", "viewer");
    let (a, b) = (Server::start(&db).await, Server::start(&db).await);

    // Signed in on A, the same cookie works on B (cookies do not care about the port).
    let owner = a.signed_in("owner@acme.test", PASSWORD).await;
    let (status, members) = b.call(&owner, "members/list", &[]).await;
    assert_eq!(status, StatusCode::OK, "{members}");

    // A promotion made through A is in force on B at once.
    let dev = b.signed_in("dev@acme.test", PASSWORD).await;
    let config = [
        ("name", "aws-0"),
        ("provider", "aws"),
        ("role_arn", "arn:aws:iam::123456789012:role/r"),
        ("region", "us-east-1"),
    ];
    let (status, _) = b.call(&dev, "workload_identity/create", &config).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let dev_id = member_id(&members, "dev@acme.test");
    let (status, _) = a.call(&owner, "members/change_role", &[("user_id", &dev_id), ("role", "admin")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = b.call(&dev, "workload_identity/create", &config).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Make-default, hammered through both: every call succeeds and one default is left.
    let mut ids = vec![body["id"].as_str().unwrap().to_owned()];
    for n in 1..5 {
        let named = format!("aws-{n}");
        let form = [
            ("name", named.as_str()),
            ("provider", "aws"),
            ("role_arn", "arn:aws:iam::123456789012:role/r"),
            ("region", "us-east-1"),
        ];
        let (_, created) = a.call(&owner, "workload_identity/create", &form).await;
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let calls = (0..40).map(|n| {
        let (server, id) = (if n % 2 == 0 { &a } else { &b }, ids[n % ids.len()].clone());
        let client = owner.clone();
        async move { server.call(&client, "workload_identity/make_default", &[("id", &id)]).await }
    });
    for (status, body) in futures::future::join_all(calls).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, configs) = a.call(&owner, "workload_identity/list", &[]).await;
    assert_eq!(configs.as_array().unwrap().iter().filter(|c| c["is_default"] == true).count(), 1, "{configs}");

    // Two owners demote each other at once, one through each replica: one owner is left.
    let second = a.signed_in("second@acme.test", PASSWORD).await;
    let (owner_id, second_id) = (member_id(&members, "owner@acme.test"), member_id(&members, "second@acme.test"));
    let demote_second = [("user_id", second_id.as_str()), ("role", "admin")];
    let demote_owner = [("user_id", owner_id.as_str()), ("role", "admin")];
    let (first, other) = tokio::join!(
        a.call(&owner, "members/change_role", &demote_second),
        b.call(&second, "members/change_role", &demote_owner),
    );
    for (status, body) in [&first, &other] {
        assert!(status.is_success() || ["last_owner", "owner_only"].contains(&code(body)), "{status} {body}");
    }
    let (_, members) = b.call(&dev, "members/list", &[]).await;
    let owners = members.as_array().unwrap().iter().filter(|m| m["role"] == "owner").count();
    assert_eq!(owners, 1, "{members}");
}
