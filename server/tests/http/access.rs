//! Access control: who may call what, in which organization.
use std::{net::TcpListener, process::Command};

use reqwest::StatusCode;
use serde_json::Value;
use service::testing::TestDatabase;

use crate::common::{PASSWORD, Server, acme_with_viewer_and_other, code, create_org, free_port};

fn member_id(members: &Value, email: &str) -> String {
    members.as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["user_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn manage_calls_are_refused_to_viewers_and_to_other_organizations() {
    let (_db, acme, server) = acme_with_viewer_and_other().await;

    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let (status, members) = server.call(&owner, "members/list", &[]).await;
    assert_eq!(status, StatusCode::OK, "{members}");
    let viewer_id = member_id(&members, "viewer@acme.test");
    let owner_id = member_id(&members, "owner@acme.test");

    // A viewer of Acme: refused, with the permission named.
    let viewer = server.signed_in("viewer@acme.test", PASSWORD).await;
    let (status, body) =
        server.call(&viewer, "members/change_role", &[("user_id", &owner_id), ("role", "viewer")]).await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "permission_denied"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("members: manage"), "the permission is named: {body}");
    let (status, body) = server.call(&viewer, "members/remove", &[("user_id", &owner_id)]).await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "permission_denied"));

    // The owner of another organization: Acme's member does not exist for it, nor does Acme.
    let outsider = server.signed_in("owner@other.test", PASSWORD).await;
    let (status, body) =
        server.call(&outsider, "members/change_role", &[("user_id", &viewer_id), ("role", "admin")]).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{body}");
    let (status, body) = server.call(&outsider, "members/remove", &[("user_id", &viewer_id)]).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let (status, body) = server.call(&outsider, "switch_organization", &[("org_id", &acme)]).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));

    // Nothing changed; and the owner can do what the others could not.
    let (_, members) = server.call(&owner, "members/list", &[]).await;
    assert_eq!(
        members.as_array().unwrap().iter().find(|m| m["email"] == "viewer@acme.test").unwrap()["role"],
        "viewer"
    );
    let (status, body) =
        server.call(&owner, "members/change_role", &[("user_id", &viewer_id), ("role", "developer")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn unauthenticated_and_cross_site_calls_are_refused() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;

    for endpoint in ["members/list", "organization", "session", "members/remove"] {
        let (status, body) =
            server.call(&server.client(), endpoint, &[("user_id", &uuid::Uuid::new_v4().to_string())]).await;
        assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, "unauthenticated"), "{endpoint}: {body}");
    }

    let (status, body) =
        server.call(&server.client(), "login", &[("email", "owner@acme.test"), ("password", "wrong-password!")]).await;
    assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, "invalid_credentials"), "{body}");

    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let forged = owner
        .post(format!("{}/api/members/list", server.base))
        .header("Origin", "http://evil.test")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let body: Value = forged.json().await.unwrap();
    assert_eq!(code(&body), "cross_site_request");

    let (status, _) = server.call(&owner, "logout", &[]).await;
    assert!(status.is_success());
    let (status, _) = server.call(&owner, "members/list", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a signed-out session is gone");
}

#[tokio::test]
async fn probes_report_process_and_database() {
    let db = TestDatabase::new().await;
    let server = Server::start(&db).await;
    let healthz = server.get("/healthz").await;
    assert_eq!(healthz.status(), StatusCode::OK);
    let readyz = server.get("/readyz").await;
    assert_eq!(readyz.status(), StatusCode::OK);
    if db.is_postgres() {
        db.drop_database().await;
        let readyz = server.get("/readyz").await;
        assert_eq!(readyz.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(server.get("/healthz").await.status(), StatusCode::OK, "the process is still up");
    }
}

#[test]
fn serve_without_a_master_key_says_what_to_set() {
    let out = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["serve"])
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/wisp-{}.db?mode=rwc", std::env::temp_dir().display(), std::process::id()),
        )
        .env_remove("WISP_MASTER_KEY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("WISP_MASTER_KEY is not set"), "{stderr}");
}

#[test]
fn logs_are_json_lines_when_asked() {
    let dir = std::env::temp_dir().join(format!("wisp-json-log-{}", std::process::id()));
    // Held by this test, so serving stops right after start-up has logged.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["serve", "--demo"])
        .env("DATABASE_URL", format!("sqlite://{}/wisp.db?mode=rwc", dir.display()))
        .env("WISP_DATA_DIR", &dir)
        .env("WISP_LOG_FORMAT", "json")
        .env("WISP_LISTEN", taken.local_addr().unwrap().to_string())
        .env_remove("WISP_MASTER_KEY")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap_or_else(|| panic!("nothing logged: {stderr}"));
    let line: Value = serde_json::from_str(first).unwrap_or_else(|e| panic!("not JSON ({e}): {first}"));
    assert_eq!(line["level"], "WARN", "{line}");
    assert!(line["message"].as_str().unwrap().contains("development master key"), "{line}");
}

#[tokio::test]
async fn the_origin_must_be_the_configured_public_origin_whatever_the_host_header_says() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let server = Server::start_on(&db, port, &[("OIDC_ISSUER", &issuer)]).await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    for (host, origin) in
        [("evil.example", "http://evil.example"), (&format!("127.0.0.1:{port}")[..], "foo://127.0.0.1")]
    {
        let forged = owner
            .post(format!("{}/api/members/list", server.base))
            .header("Host", host)
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{host} {origin}");
        assert_eq!(code(&forged.json().await.unwrap()), "cross_site_request");
    }
    let (status, _) = server.call(&owner, "members/list", &[]).await;
    assert_eq!(status, StatusCode::OK, "the real origin still works");
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_of_the_user() {
    let (_db, _, server) = acme_with_viewer_and_other().await;
    let laptop = server.signed_in("owner@acme.test", PASSWORD).await;
    let phone = server.signed_in("owner@acme.test", PASSWORD).await;
    let viewer = server.signed_in("viewer@acme.test", PASSWORD).await;
    let (status, _) = server.call(&laptop, "logout_everywhere", &[]).await;
    assert!(status.is_success(), "{status}");
    for client in [&laptop, &phone] {
        let (status, body) = server.call(client, "members/list", &[]).await;
        assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    }
    let (status, _) = server.call(&viewer, "session", &[]).await;
    assert_eq!(status, StatusCode::OK, "another user's session goes on");
}

#[tokio::test]
async fn a_session_ends_seven_days_after_sign_in_however_active() {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    use service::entity::session;

    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let (status, _) = server.call(&owner, "members/list", &[]).await;
    assert_eq!(status, StatusCode::OK);

    // Eight days ago, as far as the session knows.
    let row = session::Entity::find().one(&db.db).await.unwrap().unwrap();
    let mut data: serde_json::Value = serde_json::from_str(&row.data).unwrap();
    let signed_in_at = data["signed_in_at"].as_i64().expect("sign-in time recorded");
    data["signed_in_at"] = (signed_in_at - 8 * 24 * 3600).into();
    let mut active: session::ActiveModel = row.into();
    active.data = Set(data.to_string());
    active.update(&db.db).await.unwrap();

    let (status, body) = server.call(&owner, "members/list", &[]).await;
    assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    assert!(session::Entity::find().one(&db.db).await.unwrap().is_none(), "the session is gone");
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_refused_for_a_while_with_retry_after() {
    let db = TestDatabase::new().await;
    create_org(&db, "acme");
    let server = Server::start(&db).await;
    let client = server.client();
    let form = |password| [("email", "owner@acme.test"), ("password", password)];
    for _ in 0..5 {
        let (status, body) = server.call(&client, "login", &form("not the password")).await;
        assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, "invalid_credentials"));
    }
    let refused = server.post(&client, "login").form(&form(PASSWORD)).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(code(&refused.json().await.unwrap()), "rate_limited");
}
