//! The worker's side: `wisp run` and `wisp kickoff`, which call a Wisp server's worker API with
//! a deployment token. `run` never prints a value: it hands the environment to the command by
//! replacing itself with it (as `env` and `exec` do), so the command's exit status is the
//! status, and every signal sent to this process reaches the command directly.
use std::{collections::BTreeMap, io::Write, path::PathBuf, process::ExitCode};

use clap::{Args, ValueEnum};
use vocabulary::{ApiError, dto::deployments::KickoffResponse};

/// Exit statuses of `wisp run` itself, apart from the command's own: as `env(1)` and container
/// runtimes use them.
const WISP_FAILED: u8 = 125;
const NOT_EXECUTABLE: u8 = 126;
const NOT_FOUND: u8 = 127;

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
    let env = match kickoff(connection).await {
        Ok(answer) => answer.env,
        Err(status) => return status,
    };
    exec(program, args, &env)
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
    // The server answers within 15 s; a little more covers the network.
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| fail(format!("cannot start an HTTP client: {e}")))?;
    let response = client
        .post(&url)
        .bearer_auth(&token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .map_err(|e| fail(format!("cannot reach {url}: {e}. Check --server (or WISP_SERVER) and the network.")))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| fail(format!("the answer from {url} broke off: {e}")))?;
    if status.is_success() {
        return serde_json::from_slice(&body)
            .map_err(|e| fail(format!("{url} answered something that is not a kickoff ({e}); is --server a Wisp?")));
    }
    match serde_json::from_slice::<ApiError>(&body) {
        Ok(error) => Err(fail(describe(&error))),
        Err(_) => Err(fail(format!("{url} answered HTTP {status} without Wisp's error envelope; is --server a Wisp?"))),
    }
}

/// The error and, for unresolved secrets, each failing variable with what to do.
fn describe(error: &ApiError) -> String {
    let mut text = format!("kickoff refused ({}): {}", error.code, error.message);
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

#[cfg(unix)]
fn exec(program: &str, args: &[String], env: &BTreeMap<String, String>) -> ExitCode {
    use std::os::unix::process::CommandExt;
    let error = std::process::Command::new(program).args(args).envs(env).exec();
    cannot_run(program, &error)
}

#[cfg(not(unix))]
fn exec(program: &str, args: &[String], env: &BTreeMap<String, String>) -> ExitCode {
    match std::process::Command::new(program).args(args).envs(env).status() {
        Ok(status) => ExitCode::from(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1)),
        Err(error) => cannot_run(program, &error),
    }
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
