//! The four Vault calls Wisp makes, over one shared HTTP client: log in with a JWT, read a KV v2
//! secret, list a KV v2 folder, and ask what a token may do. By hand rather than through a Vault
//! client crate: those read `VAULT_ADDR`, `VAULT_TOKEN`, `VAULT_SKIP_VERIFY` and `VAULT_CACERT`
//! from the host as defaults, which a server speaking for many organizations must not do, and
//! build an HTTP client per Vault client. The calls are plain JSON.
use std::{
    collections::BTreeMap,
    fmt,
    time::{Duration, SystemTime},
};

use reqwest::{Method, StatusCode, header::HeaderValue};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use vocabulary::{
    ids::WorkloadIdentityConfigId,
    vault::{AuthMount, KvMount, Namespace, VaultAddress, VaultLogin, VaultRole},
};

use crate::expiring::{Expiring, Lasting};

/// A dead address is reported within about ten seconds, like AWS's.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(9);
/// Vault's answers are small; a larger one is not Vault's.
const MAX_ERROR_TEXT: usize = 300;

/// What every Vault call starts from: one HTTP client, whose connections are kept across
/// kickoffs, and the Vault tokens logins gave, kept until shortly before they expire.
#[derive(Clone, Debug)]
pub struct VaultSdk {
    client: reqwest::Client,
    logins: Logins,
}

impl VaultSdk {
    pub fn logins(&self) -> &Logins {
        &self.logins
    }
}

impl Default for VaultSdk {
    fn default() -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            // A standby node redirects to the active one, and reqwest would carry the token
            // header to whatever host a redirect names: Wisp says so instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client with rustls");
        Self { client, logins: Logins::default() }
    }
}

/// A Vault token from a login; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct VaultToken(String);

impl fmt::Debug for VaultToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VaultToken(***)")
    }
}

/// What a login gave.
#[derive(Clone, Debug)]
pub struct Login {
    pub token: VaultToken,
    /// How long the token lives; zero for a token that does not expire.
    pub lease: Duration,
    pub policies: Vec<String>,
    obtained: SystemTime,
}

/// A token is not handed out closer than this to its end: a kickoff's reads take seconds.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(60);
/// A token that does not expire is logged in again after this, to follow the role's changes.
const KEEP_UNENDING: Duration = Duration::from_secs(600);

impl Lasting for Login {
    fn usable_for(&self) -> Duration {
        let lasts = if self.lease.is_zero() { KEEP_UNENDING } else { self.lease.saturating_sub(REFRESH_BEFORE_EXPIRY) };
        lasts.saturating_sub(self.obtained.elapsed().unwrap_or_default())
    }
}

/// Which login a kept token came from: the same config, as saved, for the same subject.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LoginKey {
    pub config: WorkloadIdentityConfigId,
    /// The config's last save, in microseconds: a changed config logs in anew.
    pub saved_at: i64,
    /// The token's `sub`: the organization's, or an automation's.
    pub subject: String,
}

/// Vault tokens by the login they came from.
pub type Logins = Expiring<LoginKey, Login>;

/// How a call failed, before interpretation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultFailure {
    /// Vault answered with an error: its status and its `errors`.
    Refused { status: u16, errors: Vec<String> },
    /// Vault (a standby node, or a proxy) sent Wisp elsewhere.
    Redirected { status: u16, location: String },
    /// No answer in time.
    Timeout,
    /// No connection: DNS, refused, TLS.
    Unreachable(String),
    /// An answer that is not Vault's: another server's page, or JSON of another shape.
    NotVault { status: u16, text: String },
}

impl VaultFailure {
    /// Vault's words, joined.
    pub fn errors(&self) -> String {
        match self {
            VaultFailure::Refused { errors, .. } => errors
                .iter()
                .map(|e| e.replace("1 error occurred:", "").replace(['\n', '\t', '*'], " "))
                .map(|e| e.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("; "),
            _ => String::new(),
        }
    }
}

/// One Vault server as an organization's config names it.
#[derive(Clone, Copy)]
pub struct Vault<'a> {
    pub http: &'a VaultSdk,
    pub address: &'a VaultAddress,
    pub namespace: Option<&'a Namespace>,
}

impl<'a> Vault<'a> {
    /// The Vault a config logs in to.
    pub fn of(http: &'a VaultSdk, login: &'a VaultLogin) -> Self {
        Self { http, address: &login.address, namespace: login.namespace.as_ref() }
    }

    /// `POST auth/<mount>/login` with `role` and the token Wisp minted.
    pub async fn login(&self, mount: &AuthMount, role: &VaultRole, jwt: &str) -> Result<Login, VaultFailure> {
        let path = format!("auth/{mount}/login");
        let body = json!({ "role": role.as_str(), "jwt": jwt });
        let answer: Answer = self.call(Method::POST, &path, None, Some(body)).await?;
        let auth = answer.auth.ok_or_else(|| shape("a login without `auth`"))?;
        Ok(Login {
            token: VaultToken(auth.client_token),
            lease: Duration::from_secs(auth.lease_duration),
            policies: auth.policies,
            obtained: SystemTime::now(),
        })
    }

    /// `GET <mount>/data/<path>`: the current version's fields.
    pub async fn read(
        &self,
        token: &VaultToken,
        mount: &KvMount,
        path: &str,
    ) -> Result<Map<String, Value>, VaultFailure> {
        let answer: Answer = self.call(Method::GET, &format!("{mount}/data/{path}"), Some(token), None).await?;
        match answer.data.as_ref().and_then(|data| data.get("data")) {
            Some(Value::Object(fields)) => Ok(fields.clone()),
            // A deleted current version: Vault keeps its metadata and no data.
            Some(Value::Null) => Err(VaultFailure::Refused { status: 404, errors: Vec::new() }),
            _ => Err(shape("a KV version 2 read without `data.data`")),
        }
    }

    /// `LIST <mount>/metadata/<folder>`: the names in a folder, folders ending in `/`. An empty or
    /// missing folder lists nothing (Vault answers 404).
    pub async fn list(&self, token: &VaultToken, mount: &KvMount, folder: &str) -> Result<Vec<String>, VaultFailure> {
        let path = format!("{mount}/metadata/{folder}");
        let list = Method::from_bytes(b"LIST").expect("LIST is a token");
        match self.call::<Answer>(list, &path, Some(token), None).await {
            Ok(answer) => Ok(answer
                .data
                .as_ref()
                .and_then(|data| data.get("keys"))
                .and_then(Value::as_array)
                .map(|keys| keys.iter().filter_map(|k| k.as_str().map(str::to_owned)).collect())
                .unwrap_or_default()),
            Err(VaultFailure::Refused { status: 404, errors }) if errors.is_empty() => Ok(Vec::new()),
            Err(failure) => Err(failure),
        }
    }

    /// `POST sys/capabilities-self`: what the token may do on each path.
    pub async fn capabilities(
        &self,
        token: &VaultToken,
        paths: &[String],
    ) -> Result<BTreeMap<String, Vec<String>>, VaultFailure> {
        let body = json!({ "paths": paths });
        let answer: Answer = self.call(Method::POST, "sys/capabilities-self", Some(token), Some(body)).await?;
        let data = answer.data.unwrap_or_default();
        Ok(paths
            .iter()
            .map(|path| {
                let granted = data
                    .get(path)
                    .and_then(Value::as_array)
                    .map(|caps| caps.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect());
                (path.clone(), granted.unwrap_or_default())
            })
            .collect())
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&VaultToken>,
        body: Option<Value>,
    ) -> Result<T, VaultFailure> {
        let mut request = self.http.client.request(method, self.url(path)?);
        if let Some(token) = token {
            let mut value =
                HeaderValue::from_str(&token.0).map_err(|_| shape("a token Vault gave that is not a header"))?;
            value.set_sensitive(true);
            request = request.header("X-Vault-Token", value);
        }
        if let Some(namespace) = self.namespace {
            request = request.header("X-Vault-Namespace", namespace.as_str());
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|error| {
            if error.is_timeout() { VaultFailure::Timeout } else { VaultFailure::Unreachable(chain(&error)) }
        })?;
        let status = response.status();
        if status.is_redirection() {
            let location = response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
            return Err(VaultFailure::Redirected { status: status.as_u16(), location: location.to_owned() });
        }
        let text = response.text().await.map_err(|error| VaultFailure::Unreachable(chain(&error)))?;
        if status.is_success() {
            // `204 No Content` reads as an empty object. An answer of another shape is not quoted:
            // a success may hold a token or a secret's fields.
            let text = if text.trim().is_empty() { "{}" } else { text.as_str() };
            return serde_json::from_str(text).map_err(|_| VaultFailure::NotVault {
                status: status.as_u16(),
                text: format!("an answer of {} bytes that is not Vault's JSON", text.len()),
            });
        }
        match serde_json::from_str::<Errors>(&text) {
            Ok(Errors { errors }) => Err(VaultFailure::Refused { status: status.as_u16(), errors }),
            Err(_) => Err(not_vault(status, &text)),
        }
    }

    /// The address's `/v1/` followed by `path`, each segment escaped.
    fn url(&self, path: &str) -> Result<reqwest::Url, VaultFailure> {
        let mut url = reqwest::Url::parse(self.address.as_str())
            .map_err(|e| VaultFailure::Unreachable(format!("the address does not parse: {e}")))?;
        {
            let mut segments =
                url.path_segments_mut().map_err(|_| VaultFailure::Unreachable("the address has no path".to_owned()))?;
            segments.pop_if_empty().push("v1");
            // A folder keeps its trailing slash: Vault lists `a/b/`.
            segments.extend(path.split('/'));
        }
        Ok(url)
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    data: Option<Map<String, Value>>,
    #[serde(default)]
    auth: Option<Auth>,
}

#[derive(Deserialize)]
struct Auth {
    client_token: String,
    #[serde(default)]
    lease_duration: u64,
    #[serde(default)]
    policies: Vec<String>,
}

#[derive(Deserialize)]
struct Errors {
    errors: Vec<String>,
}

fn shape(what: &str) -> VaultFailure {
    VaultFailure::NotVault { status: 200, text: format!("Vault answered {what}") }
}

fn not_vault(status: StatusCode, text: &str) -> VaultFailure {
    let text: String = text.chars().filter(|c| !c.is_control()).take(MAX_ERROR_TEXT).collect();
    VaultFailure::NotVault { status: status.as_u16(), text }
}

/// An error and its causes, as one line: reqwest's own message names only the outer layer.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut words = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        words.push_str(": ");
        words.push_str(&cause.to_string());
        source = cause.source();
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_go_under_v1_with_each_segment_escaped() {
        let http = VaultSdk::default();
        let address: VaultAddress = "https://vault.example.com:8200/proxy".parse().unwrap();
        let vault = Vault { http: &http, address: &address, namespace: None };
        assert_eq!(
            vault.url("secret/data/app/db config").unwrap().as_str(),
            "https://vault.example.com:8200/proxy/v1/secret/data/app/db%20config"
        );
        assert_eq!(
            vault.url("secret/metadata/app/").unwrap().as_str(),
            "https://vault.example.com:8200/proxy/v1/secret/metadata/app/"
        );
    }

    #[test]
    fn a_token_is_kept_until_a_minute_before_its_end() {
        let login = |lease: u64| Login {
            token: VaultToken("s.t".to_owned()),
            lease: Duration::from_secs(lease),
            policies: Vec::new(),
            obtained: SystemTime::now(),
        };
        let kept = login(600).usable_for().as_secs();
        assert!((535..=540).contains(&kept), "{kept}");
        assert!(login(45).usable_for().is_zero(), "a token shorter than the margin is not kept");
        assert_eq!(login(0).usable_for().as_secs().div_ceil(60), 10, "an unending token is kept ten minutes");
    }

    /// A success of another shape (here a login whose token is not text) is never quoted: it may
    /// hold a token or a secret's fields.
    #[tokio::test]
    async fn an_unreadable_success_is_reported_without_its_body() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: VaultAddress = format!("http://{}", listener.local_addr().unwrap()).parse().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let _ = socket.read(&mut [0; 4096]).await;
            let body = r#"{"auth":{"client_token":{"leaked":"s.t0ken"}}}"#;
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(answer.as_bytes()).await.unwrap();
        });
        let http = VaultSdk::default();
        let vault = Vault { http: &http, address: &address, namespace: None };
        let failure = vault.login(&"jwt".parse().unwrap(), &"wisp".parse().unwrap(), "eyJ.x.y").await.unwrap_err();
        assert!(matches!(&failure, VaultFailure::NotVault { status: 200, .. }), "{failure:?}");
        assert!(!format!("{failure:?}").contains("t0ken"), "{failure:?}");
    }

    #[test]
    fn vaults_words_read_as_one_line() {
        let failure = VaultFailure::Refused {
            status: 403,
            errors: vec!["1 error occurred:\n\t* permission denied\n\n".to_owned()],
        };
        assert_eq!(failure.errors(), "permission denied");
        assert!(!format!("{:?}", VaultToken("s.secret".to_owned())).contains("secret"));
    }
}
