//! Running the real `wisp` binary in tests: commands, and a server on a free loopback port.
use std::{
    io::Write,
    process::{Child, Command, Stdio},
};

use reqwest::{Client, StatusCode};
use serde_json::Value;
use service::testing::TestDatabase;
pub use service::testing::free_port;

pub const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
pub const PASSWORD: &str = "a-long-test-password";

pub fn wisp(db: &TestDatabase, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wisp"));
    command.env("DATABASE_URL", &db.url).env("WISP_MASTER_KEY", MASTER_KEY).env("RUST_LOG", "error");
    // Nothing listens there: no test reaches real AWS, even by mistake. Tests that want an AWS
    // set their own endpoint.
    command.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// Runs a `wisp` command with `stdin` piped in; returns what it printed, or panics with its error.
pub fn run(db: &TestDatabase, env: &[(&str, &str)], args: &[&str], stdin: &str) -> String {
    let output = output(db, env, args, stdin);
    assert!(output.status.success(), "wisp {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

pub fn output(db: &TestDatabase, env: &[(&str, &str)], args: &[&str], stdin: &str) -> std::process::Output {
    let mut child =
        wisp(db, env).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A new organization with `owner@<name>.test` as its owner; returns its UUID.
pub fn create_org(db: &TestDatabase, name: &str) -> String {
    let out = run(db, &[], &["admin", "create", "--org", name, "--email", &format!("owner@{name}.test")], PASSWORD);
    printed(&out, "Organization UUID:")
}

/// Adds `email` to `org` with `role` (a new user gets [`PASSWORD`]).
pub fn add_member(db: &TestDatabase, org: &str, email: &str, role: &str) {
    run(db, &[], &["member", "add", "--org", org, "--email", email, "--role", role], PASSWORD);
}

/// The usual cast of access tests, served: Acme with its owner and `viewer@acme.test`, and
/// another organization with its owner. Returns Acme's UUID.
pub async fn acme_with_viewer_and_other() -> (TestDatabase, String, Server) {
    let db = TestDatabase::new().await;
    let acme = create_org(&db, "acme");
    add_member(&db, &acme, "viewer@acme.test", "viewer");
    create_org(&db, "other");
    let server = Server::start(&db).await;
    (db, acme, server)
}

/// The master key id `wisp master-key rotate` says it re-sealed under.
pub fn master_key_id(rotate_output: &str) -> String {
    let after =
        rotate_output.split("under master key ").nth(1).unwrap_or_else(|| panic!("no key id in {rotate_output}"));
    after.split(|c: char| !c.is_ascii_hexdigit()).next().unwrap_or_default().to_owned()
}

pub fn printed(output: &str, label: &str) -> String {
    output
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no '{label}' in {output}"))
        .trim()
        .to_owned()
}

pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub async fn start(db: &TestDatabase) -> Self {
        Self::start_on(db, free_port(), &[]).await
    }

    pub async fn start_on(db: &TestDatabase, port: u16, env: &[(&str, &str)]) -> Self {
        Self::start_logging(db, port, env, Stdio::inherit()).await
    }

    /// As [`Self::start_on`], with the server's log (its stderr) sent to `log`.
    pub async fn start_logging(db: &TestDatabase, port: u16, env: &[(&str, &str)], log: impl Into<Stdio>) -> Self {
        let no_site = std::env::temp_dir().join("wisp-no-site");
        let child = wisp(db, &[("LEPTOS_SITE_ROOT", no_site.to_str().unwrap())])
            .envs(env.iter().copied())
            .args(["serve"])
            .env("WISP_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let server = Self { child, base: format!("http://127.0.0.1:{port}") };
        service::testing::wait_until_ok(&format!("{}/readyz", server.base), "wisp").await;
        server
    }

    /// A browser-like client: cookies kept, redirects not followed. An answer that never comes
    /// fails the test after two minutes instead of hanging the run.
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        reqwest::get(format!("{}{path}", self.base)).await.unwrap()
    }

    /// Calls a server function the way the browser does: a same-site form POST.
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        answer(self.post(client, endpoint).form(form).send().await.unwrap()).await
    }

    /// Calls a server function as an API client might: a JSON object.
    pub async fn call_json(&self, client: &Client, endpoint: &str, body: Value) -> (StatusCode, Value) {
        answer(self.post(client, endpoint).json(&body).send().await.unwrap()).await
    }

    /// A same-site POST to a server function, for tests that build the body themselves.
    pub fn post(&self, client: &Client, endpoint: &str) -> reqwest::RequestBuilder {
        client.post(format!("{}/api/{endpoint}", self.base)).header("Origin", &self.base)
    }

    pub async fn signed_in(&self, email: &str, password: &str) -> Client {
        let client = self.client();
        let (status, body) = self.call(&client, "login", &[("email", email), ("password", password)]).await;
        assert!(status.is_success(), "sign-in as {email}: {status} {body}");
        client
    }
}

pub async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The error code of an envelope, after checking it has every part the README's envelope names.
pub fn code(body: &Value) -> &str {
    let error = &body["error"];
    for part in ["message", "hint"] {
        assert!(error[part].as_str().is_some_and(|s| !s.is_empty()), "no {part} in {body}");
    }
    assert!(error["fields"].is_array(), "no fields in {body}");
    error["code"].as_str().unwrap_or_else(|| panic!("not an error envelope: {body}"))
}

/// The fields an error names, in order.
pub fn fields(body: &Value) -> Vec<&str> {
    body["error"]["fields"].as_array().map_or_else(Vec::new, |f| f.iter().filter_map(|f| f["field"].as_str()).collect())
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
