//! SeaweedFS as a real, token-validating STS: it fetches the issuer's JWKS, checks signature,
//! issuer, audience and expiry, then evaluates the role's trust policy. It keeps the JWKS for an
//! hour and fetches it again once when a token names a kid it does not hold.
//!
//! Its configuration dialect differs from AWS in two places: the trust policy's federated
//! principal is the provider's name, and the subject condition key is `oidc:sub` where AWS uses
//! `<issuer host and path>:sub`.
use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::common::free_port;

pub const PROVIDER: &str = "wisp";
pub const AUDIENCE: &str = "sts.amazonaws.com";

/// A role that `sub` (and only `sub`) may assume.
pub struct TrustedRole<'a> {
    pub arn: &'a str,
    pub sub: &'a str,
}

pub struct SeaweedSts {
    child: Child,
    dir: PathBuf,
    pub endpoint: String,
}

#[derive(Debug)]
pub enum StsAnswer {
    Credentials { access_key_id: String },
    Refused { code: String, message: String },
}

impl SeaweedSts {
    /// Starts `weed mini` (binary from WISP_TEST_WEED) trusting `issuer` for the given roles.
    /// The JWKS address comes from the issuer's discovery document, as AWS finds it.
    pub async fn start(issuer: &str, roles: &[TrustedRole<'_>]) -> Self {
        Self::start_on(free_port(), issuer, roles).await
    }

    /// As [`Self::start`], with the STS (S3 gateway) on `s3_port`, for a Wisp that must know it first.
    pub async fn start_on(s3_port: u16, issuer: &str, roles: &[TrustedRole<'_>]) -> Self {
        let discovery: Value =
            reqwest::get(format!("{issuer}/.well-known/openid-configuration")).await.unwrap().json().await.unwrap();
        let jwks_uri = discovery["jwks_uri"].as_str().expect("discovery has jwks_uri");
        let weed = std::env::var("WISP_TEST_WEED").expect("WISP_TEST_WEED: run through scripts/test.sh");
        let dir = std::env::temp_dir().join(format!("wisp-seaweed-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let config = dir.join("iam.json");
        std::fs::write(&config, iam_config(issuer, jwks_uri, roles).to_string()).unwrap();

        let mut command = Command::new(weed);
        command.arg("mini").arg(format!("-dir={}", dir.join("data").display()));
        command.args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-admin.ui=false", "-webdav=false"]);
        command.arg(format!("-s3.iam.config={}", config.display()));
        command.arg(format!("-s3.port={s3_port}"));
        // Every listener on its own free port, so parallel tests and other services never collide.
        for flag in [
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port.grpc",
            "s3.port.iceberg",
            "s3.port.lance",
            "admin.port",
            "admin.port.grpc",
        ] {
            command.arg(format!("-{flag}={}", free_port()));
        }
        let log = std::fs::File::create(dir.join("weed.log")).unwrap();
        let child = command.stdout(Stdio::null()).stderr(log).spawn().unwrap();
        let sts = Self { child, dir, endpoint: format!("http://127.0.0.1:{s3_port}") };
        sts.wait_until_ready().await;
        sts
    }

    async fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            // An unsigned call answers with an STS error once the STS service is up.
            let answer = reqwest::Client::new()
                .post(&self.endpoint)
                .form(&[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")])
                .send()
                .await;
            if answer.is_ok_and(|r| r.status().is_client_error()) {
                return;
            }
            assert!(Instant::now() < deadline, "SeaweedFS did not start: {}", self.log());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn assume_role_with_web_identity(&self, role_arn: &str, token: &str) -> StsAnswer {
        let response = reqwest::Client::new()
            .post(&self.endpoint)
            .form(&[
                ("Action", "AssumeRoleWithWebIdentity"),
                ("Version", "2011-06-15"),
                ("RoleArn", role_arn),
                ("RoleSessionName", "wisp-test"),
                ("WebIdentityToken", token.trim()),
            ])
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        match element(&body, "AccessKeyId") {
            Some(access_key_id) if status.is_success() => StsAnswer::Credentials { access_key_id },
            _ => StsAnswer::Refused {
                code: element(&body, "Code").unwrap_or_else(|| format!("HTTP {status}: {body}")),
                message: element(&body, "Message").unwrap_or_default(),
            },
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("weed.log")).unwrap_or_default()
    }
}

impl Drop for SeaweedSts {
    fn drop(&mut self) {
        // weed waits on SIGTERM for in-flight work; nothing here needs a graceful stop.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn iam_config(issuer: &str, jwks_uri: &str, roles: &[TrustedRole<'_>]) -> Value {
    let roles: Vec<Value> = roles
        .iter()
        .map(|role| {
            json!({
                "roleName": role.arn.rsplit('/').next().unwrap(),
                "roleArn": role.arn,
                "trustPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": { "Federated": PROVIDER },
                        "Action": ["sts:AssumeRoleWithWebIdentity"],
                        "Condition": { "StringEquals": { "oidc:sub": role.sub } }
                    }]
                },
                "attachedPolicies": ["Objects"]
            })
        })
        .collect();
    json!({
        "sts": {
            // Sessions shorter than botocore's mandatory refresh window (10 minutes): a boto3 client
            // assumes the role again before every call, reading the web identity token file anew.
            "tokenDuration": "5m",
            "maxSessionLength": "12h",
            "issuer": "seaweedfs-sts",
            // SeaweedFS signs its own session tokens with this; it is not a Wisp secret.
            "signingKey": "d2lzcC10ZXN0LXNlYXdlZWQtc2lnbmluZy1rZXktMzI="
        },
        "providers": [{
            "name": PROVIDER,
            "type": "oidc",
            "enabled": true,
            "config": { "issuer": issuer, "clientId": AUDIENCE, "jwksUri": jwks_uri }
        }],
        "policy": { "defaultEffect": "Deny", "storeType": "memory" },
        "roles": roles,
        "policies": [{
            "name": "Objects",
            "document": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": ["s3:CreateBucket", "s3:ListBucket", "s3:PutObject", "s3:GetObject", "sts:ValidateSession"],
                    "Resource": ["*"]
                }]
            }
        }]
    })
}

/// The text of the first `<name>…</name>` in an AWS XML answer.
fn element(xml: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    Some(xml[start..end].to_owned())
}
