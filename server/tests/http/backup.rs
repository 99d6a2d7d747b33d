//! `wisp backup` while Wisp serves and kickoffs write: the copy, served by a new Wisp with the
//! same master key, publishes the same JWKS, opens every sealed value (signing keys, deployment
//! values), takes the deployment's token, and holds no session.
use reqwest::StatusCode;
use serde_json::json;
use service::testing::TestDatabase;

use crate::common::{PASSWORD, Server, create_org, free_port, output};

#[tokio::test]
async fn a_copy_made_while_wisp_serves_is_a_working_wisp_without_its_sessions() {
    let db = TestDatabase::new().await;
    let folder = std::env::temp_dir().join(format!("wisp-backup-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&folder).unwrap();
    let copy = folder.join("copy.db");
    if db.is_postgres() {
        let refused = output(&db, &[], &["backup", copy.to_str().unwrap()], "");
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("pg_dump"), "{refused:?}");
        return;
    }
    create_org(&db, "acme");
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let env = [("OIDC_ISSUER", issuer.as_str())];
    let server = Server::start_on(&db, port, &env).await;
    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let (_, automation) = server.call(&owner, "automations/create", &[("name", "nightly")]).await;
    let automation = automation.as_str().unwrap().to_owned();
    let body = json!({ "automation": automation, "key": "API_TOKEN", "source": "plain", "value": "sealed-3f9a", "sensitive": true });
    server.call_json(&owner, "automations/variables/add", body).await;
    let (_, deployed) = server.call(&owner, "automations/deploy", &[("automation", &automation)]).await;
    let token = deployed["token"].as_str().unwrap().to_owned();
    let jwks = server.get("/oauth2/jwks").await.text().await.unwrap();

    // Kickoffs write while the copy is made.
    let kickoff = |base: String, token: String| async move {
        let response = reqwest::Client::new()
            .post(format!("{base}/api/v1/kickoffs"))
            .bearer_auth(token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        (response.status(), response.json::<serde_json::Value>().await.unwrap())
    };
    let writers: Vec<_> = (0..20).map(|_| tokio::spawn(kickoff(server.base.clone(), token.clone()))).collect();
    let made = output(&db, &[], &["backup", copy.to_str().unwrap()], "");
    assert!(made.status.success(), "{made:?}");
    assert!(String::from_utf8_lossy(&made.stdout).contains("without sessions"), "{made:?}");
    for writer in writers {
        assert_eq!(writer.await.unwrap().0, StatusCode::OK);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let again = output(&db, &[], &["backup", copy.to_str().unwrap()], "");
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already exists"));
    drop(server);

    // A new Wisp on the copy, with the same master key.
    let url = format!("sqlite://{}?mode=rwc", copy.display());
    let restored_port = free_port();
    let restored_issuer = format!("http://127.0.0.1:{restored_port}");
    let restored = Server::start_on(
        &db,
        restored_port,
        &[("DATABASE_URL", url.as_str()), ("OIDC_ISSUER", restored_issuer.as_str())],
    )
    .await;
    assert_eq!(restored.get("/oauth2/jwks").await.text().await.unwrap(), jwks, "the same keys");
    let (status, answer) = kickoff(restored.base.clone(), token.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["env"]["API_TOKEN"], "sealed-3f9a", "the deployment's sealed value opens");
    let session = owner.post(format!("{}/api/automations/list", restored.base)).header("Origin", &restored.base);
    let session = session.json(&json!({})).send().await.unwrap();
    assert_eq!(session.status(), StatusCode::UNAUTHORIZED, "sessions are not in the copy");
    let again = restored.signed_in("owner@acme.test", PASSWORD).await;
    let (status, listed) = restored.call_json(&again, "automations/list", json!({})).await;
    assert_eq!((status, listed[0]["name"].as_str()), (StatusCode::OK, Some("nightly")));
    std::fs::remove_dir_all(folder).ok();
}
