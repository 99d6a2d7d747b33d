//! The worker's side: `wisp run`, `wisp kickoff` and `wisp id-token`, which call a Wisp server's
//! worker API. `run` kicks off with the deployment token, then runs the command as its child with
//! the environment added (values never printed), the run's ID-token variables, and, when the
//! automation has an AWS role for runs, a web identity token file it keeps fresh for as long as
//! the command runs; it passes on every signal and exits with the command's status.
mod child;
mod refresh;
mod token_file;

use std::{collections::BTreeMap, io::Write, path::PathBuf, process::ExitCode};

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use serde::de::DeserializeOwned;
use vocabulary::{
    ApiError,
    dto::deployments::{AwsForRun, IdTokenResponse, KickoffResponse},
};

use self::token_file::TokenFile;

/// Exit statuses of `wisp run` itself, apart from the command's own: as `env(1)` and container
/// runtimes use them.
const WISP_FAILED: u8 = 125;
const NOT_EXECUTABLE: u8 = 126;
const NOT_FOUND: u8 = 127;

/// The worker API's path for ID tokens, under the server's address.
const ID_TOKENS_PATH: &str = "/api/v1/id-tokens";

#[derive(Debug, Args)]
pub struct Connection {
    /// The Wisp server, such as https://wisp.example.com.
    #[arg(long, env = "WISP_SERVER", value_name = "URL")]
    pub server: String,
    /// A file holding the deployment token (wisp_dt_…).
    #[arg(long, value_name = "FILE", conflicts_with = "token")]
    pub token_file: Option<PathBuf>,
    /// The deployment token itself; prefer --token-file, which keeps it out of the process list.
    #[arg(long, env = "WISP_DEPLOYMENT_TOKEN", value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// Inside a run: where and with what to ask for the run's ID tokens (`wisp run` sets both).
#[derive(Debug, Args)]
pub struct RunTokens {
    #[arg(long, env = "WISP_ID_TOKEN_REQUEST_URL", value_name = "URL", hide = true)]
    pub request_url: String,
    #[arg(long, env = "WISP_ID_TOKEN_REQUEST_TOKEN", value_name = "TOKEN", hide = true, hide_env_values = true)]
    pub request_token: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `{"KEY": "value", …}`
    Json,
    /// `KEY="value"` lines, quoted for a `.env` file or `set -a; . file`.
    Dotenv,
}

/// `wisp run -- CMD ARGS…`
pub async fn run(connection: &Connection, command: &[String]) -> ExitCode {
    // Checked before the kickoff, which the automation's history would record for nothing.
    let Some((program, args)) = command.split_first() else {
        eprintln!(
            "wisp run: name the command to run after --, such as: wisp run --server URL --token-file FILE -- ./deploy.sh"
        );
        return ExitCode::from(WISP_FAILED);
    };
    let answer = match kickoff(connection).await {
        Ok(answer) => answer,
        Err(status) => return status,
    };
    let requests = IdTokenRequest::new(
        format!("{}{ID_TOKENS_PATH}", connection.server.trim_end_matches('/')),
        answer.id_token_request_token.clone(),
    );
    let mut env = answer.env;
    env.insert("WISP_ID_TOKEN_REQUEST_URL".to_owned(), requests.url.clone());
    env.insert("WISP_ID_TOKEN_REQUEST_TOKEN".to_owned(), requests.token.clone());
    let aws = match answer.aws.as_ref().map(|aws| AwsFiles::create(aws, &mut env)).transpose() {
        Ok(aws) => aws,
        Err(message) => {
            eprintln!("wisp run: {message}");
            return ExitCode::from(WISP_FAILED);
        }
    };
    let child = match tokio::process::Command::new(program).args(args).envs(&env).spawn() {
        Ok(child) => child,
        Err(error) => return cannot_run(program, &error),
    };
    let refreshing = async {
        match &aws {
            Some(aws) => refresh::keep_fresh(&aws.file, &requests, aws.expires_at).await,
            None => std::future::pending().await,
        }
    };
    // The refresher runs for as long as the command does; then the token's folder goes.
    let status = tokio::select! {
        status = child::supervise(child) => status,
        () = refreshing => unreachable!("the refresher runs until the command ends"),
    };
    drop(aws);
    status
}

/// A run's AWS web identity token file and the variables that point AWS SDKs at it.
struct AwsFiles {
    file: TokenFile,
    expires_at: DateTime<Utc>,
}

impl AwsFiles {
    fn create(aws: &AwsForRun, env: &mut BTreeMap<String, String>) -> Result<Self, String> {
        let file = TokenFile::create(&aws.web_identity_token)
            .map_err(|e| format!("cannot write the AWS web identity token file: {e}"))?;
        let expires_at = DateTime::parse_from_rfc3339(&aws.expires_at)
            .map_err(|e| format!("the kickoff's AWS token has an unreadable expiry ({e}); is --server a Wisp?"))?
            .with_timezone(&Utc);
        let path = file.path().display().to_string();
        for (key, value) in [
            ("AWS_ROLE_ARN", aws.role_arn.as_str()),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", path.as_str()),
            ("AWS_ROLE_SESSION_NAME", aws.session_name.as_str()),
            ("AWS_REGION", aws.region.as_str()),
            // botocore reads only this one.
            ("AWS_DEFAULT_REGION", aws.region.as_str()),
        ] {
            env.insert(key.to_owned(), value.to_owned());
        }
        Ok(Self { file, expires_at })
    }
}

/// `wisp id-token --audience A`, inside a run.
pub async fn id_token(tokens: &RunTokens, audience: &str) -> ExitCode {
    let request = IdTokenRequest::new(tokens.request_url.clone(), tokens.request_token.clone());
    match request.post::<IdTokenResponse>(audience).await {
        Ok(answer) => {
            println!("{}", answer.token);
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("wisp id-token: {message}");
            ExitCode::from(WISP_FAILED)
        }
    }
}

/// Asks a Wisp for the run's ID tokens with the run token.
pub struct IdTokenRequest {
    client: reqwest::Client,
    url: String,
    token: String,
}

impl IdTokenRequest {
    fn new(url: String, token: String) -> Self {
        Self { client: client(), url, token }
    }

    async fn post<T: DeserializeOwned>(&self, audience: &str) -> Result<T, String> {
        post_json(&self.client, &self.url, &self.token, &serde_json::json!({ "audience": audience })).await
    }
}

/// `wisp kickoff --format json|dotenv`
pub async fn print(connection: &Connection, format: Format) -> ExitCode {
    let env = match kickoff(connection).await {
        Ok(answer) => answer.env,
        Err(status) => return status,
    };
    let text = match format {
        Format::Json => serde_json::to_string_pretty(&env).unwrap_or_default() + "\n",
        Format::Dotenv => env.iter().map(|(key, value)| format!("{key}={}\n", dotenv_quote(value))).collect(),
    };
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wisp kickoff: cannot write the environment: {e}");
            ExitCode::from(WISP_FAILED)
        }
    }
}

fn token(connection: &Connection) -> Result<String, String> {
    let token = match (&connection.token_file, &connection.token) {
        (Some(path), _) => {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?
        }
        (None, Some(token)) => token.clone(),
        (None, None) => {
            return Err("give the deployment token with --token-file FILE (or WISP_DEPLOYMENT_TOKEN).".to_owned());
        }
    };
    let token = token.trim().to_owned();
    if token.is_empty() {
        return Err("the deployment token is empty: paste the token shown when the automation was deployed.".to_owned());
    }
    Ok(token)
}

async fn kickoff(connection: &Connection) -> Result<KickoffResponse, ExitCode> {
    let fail = |message: String| {
        eprintln!("wisp: {message}");
        ExitCode::from(WISP_FAILED)
    };
    let token = token(connection).map_err(fail)?;
    let url = format!("{}/api/v1/kickoffs", connection.server.trim_end_matches('/'));
    post_json(&client(), &url, &token, &serde_json::json!({})).await.map_err(fail)
}

/// The server answers within 15 s; a little more covers the network.
fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(std::time::Duration::from_secs(30)).build().unwrap_or_default()
}

/// POSTs `body` with `token`; the answer, or what went wrong said for the person at the terminal.
async fn post_json<T: DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: &serde_json::Value,
) -> Result<T, String> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(|e| format!("cannot reach {url}: {e}. Check --server (or WISP_SERVER) and the network."))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| format!("the answer from {url} broke off: {e}"))?;
    if status.is_success() {
        return serde_json::from_slice(&body)
            .map_err(|e| format!("{url} answered something Wisp does not send ({e}); is --server a Wisp?"));
    }
    match serde_json::from_slice::<ApiError>(&body) {
        Ok(error) => Err(describe(&error)),
        Err(_) => Err(format!("{url} answered HTTP {status} without Wisp's error envelope; is --server a Wisp?")),
    }
}

/// The error and, for unresolved secrets, each failing variable with what to do.
fn describe(error: &ApiError) -> String {
    let mut text = format!("refused ({}): {}", error.code, error.message);
    for failure in &error.failures {
        let code = failure.code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default();
        text.push_str(&format!(
            "\n  {} (secret '{}' through '{}'): {code}{}\n    what to do: {}",
            failure.variable, failure.secret, failure.credential, failure.message, failure.hint
        ));
    }
    if !error.hint.is_empty() {
        text.push_str(&format!("\n{}", error.hint));
    }
    text
}

fn dotenv_quote(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            '$' => quoted.push_str("\\$"),
            '`' => quoted.push_str("\\`"),
            '\n' => quoted.push_str("\\n"),
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

/// The command could not start: 127 when there is no such program, 126 otherwise.
fn cannot_run(program: &str, error: &std::io::Error) -> ExitCode {
    eprintln!("wisp run: cannot run {program}: {error}");
    ExitCode::from(if error.kind() == std::io::ErrorKind::NotFound { NOT_FOUND } else { NOT_EXECUTABLE })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_values_are_quoted_so_a_shell_reads_them_back_unchanged() {
        assert_eq!(dotenv_quote("plain"), "\"plain\"");
        assert_eq!(dotenv_quote("a\"b$c`d\\e\nf"), "\"a\\\"b\\$c\\`d\\\\e\\nf\"");
    }
}
