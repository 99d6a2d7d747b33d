//! Access control over HTTP, against the real `wisp` binary and a real database
//! (SQLite, or PostgreSQL when WISP_TEST_POSTGRES_URL is set).
use std::{
    io::Write,
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::{Client, StatusCode};
use serde_json::Value;
use service::testing::TestDatabase;

const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn wisp(db: &TestDatabase) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wisp"));
    command.env("DATABASE_URL", &db.url).env("WISP_MASTER_KEY", MASTER_KEY).env("RUST_LOG", "error");
    command
}

/// Runs a `wisp` command with `password` on standard input; returns what it printed.
fn run(db: &TestDatabase, args: &[&str], password: &str) -> String {
    let mut child =
        wisp(db).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "wisp {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn printed(output: &str, label: &str) -> String {
    output
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no '{label}' in {output}"))
        .trim()
        .to_owned()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(db: &TestDatabase) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = wisp(db)
            .args(["serve"])
            .env("WISP_LISTEN", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", std::env::temp_dir().join("wisp-no-site"))
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self { child, base: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(format!("{}/readyz", server.base)).await.map(|r| r.status()).ok() != Some(StatusCode::OK) {
            assert!(Instant::now() < deadline, "wisp did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    fn client(&self) -> Client {
        Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    /// Calls a server function the way the browser does: a same-site form POST.
    async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Origin", &self.base)
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn signed_in(&self, email: &str, password: &str) -> Client {
        let client = self.client();
        let (status, body) = self.call(&client, "login", &[("email", email), ("password", password)]).await;
        assert!(status.is_success(), "sign-in as {email}: {status} {body}");
        client
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PASSWORD: &str = "a-long-test-password";

fn member_id(members: &Value, email: &str) -> String {
    members.as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["user_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn manage_calls_are_refused_to_viewers_and_to_other_organizations() {
    let db = TestDatabase::new().await;
    let acme = printed(
        &run(&db, &["admin", "create", "--org", "Acme", "--email", "owner@acme.test"], PASSWORD),
        "Organization UUID:",
    );
    run(&db, &["member", "add", "--org", &acme, "--email", "viewer@acme.test", "--role", "viewer"], PASSWORD);
    run(&db, &["admin", "create", "--org", "Other", "--email", "owner@other.test"], PASSWORD);
    let server = Server::start(&db).await;

    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let (status, members) = server.call(&owner, "members/list", &[]).await;
    assert_eq!(status, StatusCode::OK, "{members}");
    let viewer_id = member_id(&members, "viewer@acme.test");
    let owner_id = member_id(&members, "owner@acme.test");

    // A viewer of Acme: refused, with the permission named.
    let viewer = server.signed_in("viewer@acme.test", PASSWORD).await;
    let (status, body) =
        server.call(&viewer, "members/change_role", &[("user_id", &owner_id), ("role", "viewer")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["Forbidden"].as_str().unwrap().contains("members: manage"), "{body}");
    let (status, _) = server.call(&viewer, "members/remove", &[("user_id", &owner_id)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The owner of another organization: Acme's member does not exist for it, nor does Acme.
    let outsider = server.signed_in("owner@other.test", PASSWORD).await;
    let (status, body) =
        server.call(&outsider, "members/change_role", &[("user_id", &viewer_id), ("role", "admin")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = server.call(&outsider, "members/remove", &[("user_id", &viewer_id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = server.call(&outsider, "switch_organization", &[("org_id", &acme)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

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
    run(&db, &["admin", "create", "--org", "Acme", "--email", "owner@acme.test"], PASSWORD);
    let server = Server::start(&db).await;

    let (status, body) = server.call(&server.client(), "members/list", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    let (status, body) =
        server.call(&server.client(), "login", &[("email", "owner@acme.test"), ("password", "wrong-password!")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let owner = server.signed_in("owner@acme.test", PASSWORD).await;
    let forged = owner
        .post(format!("{}/api/members/list", server.base))
        .header("Origin", "http://evil.test")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let body: Value = forged.json().await.unwrap();
    assert_eq!(body["error"]["code"], "cross_site_request");

    let (status, _) = server.call(&owner, "logout", &[]).await;
    assert!(status.is_success());
    let (status, _) = server.call(&owner, "members/list", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a signed-out session is gone");
}

#[tokio::test]
async fn probes_report_process_and_database() {
    let db = TestDatabase::new().await;
    let server = Server::start(&db).await;
    let healthz = reqwest::get(format!("{}/healthz", server.base)).await.unwrap();
    assert_eq!(healthz.status(), StatusCode::OK);
    let readyz = reqwest::get(format!("{}/readyz", server.base)).await.unwrap();
    assert_eq!(readyz.status(), StatusCode::OK);
    if db.is_postgres() {
        db.drop_database().await;
        let readyz = reqwest::get(format!("{}/readyz", server.base)).await.unwrap();
        assert_eq!(readyz.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(healthz_status(&server).await, StatusCode::OK, "the process is still up");
    }
}

async fn healthz_status(server: &Server) -> StatusCode {
    reqwest::get(format!("{}/healthz", server.base)).await.unwrap().status()
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
