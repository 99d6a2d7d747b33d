//! Reading Vault KV version 2 secrets for a kickoff: one login per credential (with the running
//! automation's token, so a Vault policy can tell automations apart), kept until shortly before
//! it expires and shared by every secret and every concurrent kickoff; the reads concurrent and
//! bounded, each answer picked by its JSON key, and every failure said for the variable it
//! concerns. A value never leaves this module except in the result.
use std::collections::{BTreeMap, HashMap};

use futures::{StreamExt, stream};
use tokio::time::{Instant, timeout_at};
use vocabulary::{
    dto::deployments::SecretFailure,
    env::JsonKey,
    ids::{CredentialId, OrgId, WorkloadIdentityConfigId},
    token::Subject,
    vault::{KvMount, VaultLogin},
};

use super::{
    client::{Login, LoginKey, Vault, VaultSdk},
    guidance::{VaultCall, VaultContext, diagnose},
};
use crate::{
    guidance::Diagnosis,
    issuer::{Issuer, mint::RunningAutomation},
    secret_values::{SecretValue, of_fields},
};

/// How many reads one kickoff has in flight against one Vault.
const IN_FLIGHT: usize = 32;

/// A Vault KV credential as a kickoff reads through it.
pub struct VaultSource<'a> {
    pub credential: CredentialId,
    /// For the failures: the credential as the admin named it.
    pub credential_name: &'a str,
    pub config: WorkloadIdentityConfigId,
    /// The config's last save, in microseconds: a login from before it is not reused.
    pub config_saved_at: i64,
    pub login: &'a VaultLogin,
    pub kv: &'a KvMount,
}

/// One variable's secret to read.
pub struct VaultRead<'a> {
    pub variable: &'a str,
    pub source: &'a VaultSource<'a>,
    /// The secret's path under the KV mount.
    pub path: &'a str,
    pub json_key: Option<&'a JsonKey>,
}

/// Who the kickoff runs as: its token logs in.
#[derive(Clone, Copy)]
pub struct Runner<'a> {
    pub issuer: &'a Issuer,
    pub org: OrgId,
    pub running: RunningAutomation,
}

/// Reads every secret, each by `deadline`; the answers come in the order of `reads`. A path read
/// by several variables through one credential is read once.
pub async fn read_all(
    sdk: &VaultSdk,
    runner: Runner<'_>,
    reads: &[VaultRead<'_>],
    deadline: Instant,
) -> Vec<Result<SecretValue, Box<SecretFailure>>> {
    let subject = Subject::Automation(runner.org, runner.running.automation).to_string();
    let mut sources: BTreeMap<CredentialId, &VaultSource<'_>> = BTreeMap::new();
    for read in reads {
        sources.entry(read.source.credential).or_insert(read.source);
    }
    let logins = futures::future::join_all(
        sources
            .values()
            .map(|source| async { (source.credential, login(sdk, runner, &subject, source, deadline).await) }),
    )
    .await;
    let logins: HashMap<CredentialId, Result<Login, Diagnosis>> = logins.into_iter().collect();

    let wanted: BTreeMap<(CredentialId, &str), &VaultSource<'_>> =
        reads.iter().map(|read| ((read.source.credential, read.path), read.source)).collect();
    // Futures made first and then polled as a stream, as the AWS reads are (`Send` for axum).
    let calls: Vec<_> = wanted
        .iter()
        .map(|((credential, path), source)| {
            read_one(sdk, runner, &subject, source, &logins[credential], path, deadline)
        })
        .collect();
    let answers: Vec<Result<serde_json::Map<String, serde_json::Value>, Diagnosis>> =
        stream::iter(calls).buffered(IN_FLIGHT).collect().await;
    let fetched: HashMap<(CredentialId, &str), _> = wanted.into_keys().zip(answers).collect();

    reads
        .iter()
        .map(|read| match &fetched[&(read.source.credential, read.path)] {
            Ok(fields) => of_fields(fields.clone(), read.json_key)
                .map(SecretValue)
                .map_err(|(cause, fix)| Box::new(failure(read, Diagnosis::local(cause, fix)))),
            Err(diagnosis) => Err(Box::new(failure(read, diagnosis.clone()))),
        })
        .collect()
}

/// The credential's Vault token: a kept one, or a new login with the automation's token.
async fn login(
    sdk: &VaultSdk,
    runner: Runner<'_>,
    subject: &str,
    source: &VaultSource<'_>,
    deadline: Instant,
) -> Result<Login, Diagnosis> {
    let as_whom = LoginAs::Run(runner.org, runner.running);
    let kept = kept_login(sdk, runner.issuer, as_whom, subject, source.config, source.config_saved_at, source.login);
    match timeout_at(deadline, kept).await {
        Ok(answer) => answer,
        Err(_) => Err(out_of_time(source.login)),
    }
}

/// Whose token logs in: the organization's (suggestions), or a running automation's (kickoffs).
#[derive(Clone, Copy)]
pub enum LoginAs {
    Organization(OrgId),
    Run(OrgId, RunningAutomation),
}

/// A kept Vault token for (config, subject), or a new login, shared by concurrent askers.
pub async fn kept_login(
    sdk: &VaultSdk,
    issuer: &Issuer,
    as_whom: LoginAs,
    subject: &str,
    config: WorkloadIdentityConfigId,
    config_saved_at: i64,
    login: &VaultLogin,
) -> Result<Login, Diagnosis> {
    let key = LoginKey { config, saved_at: config_saved_at, subject: subject.to_owned() };
    let obtain = async {
        let token = match as_whom {
            LoginAs::Organization(org) => issuer.minter.token(org, &login.audience).await,
            LoginAs::Run(org, running) => issuer.minter.automation_token(org, running, &login.audience),
        };
        let token = token.map_err(|error| {
            tracing::error!("Wisp could not sign a token for Vault: {error}");
            Diagnosis::local(
                "Wisp could not sign a token for Vault.",
                "Ask your operator to check the server log and the signing key settings.",
            )
        })?;
        let vault = Vault::of(sdk, login);
        vault.login(&login.auth_mount, &login.role, &token.token).await.map_err(|failure| {
            diagnose(VaultCall::Login, &failure, &VaultContext { login, issuer: &issuer.url, subject }, None)
        })
    };
    sdk.logins().get_or_obtain(key, obtain).await.map_err(|diagnosis| (*diagnosis).clone())
}

async fn read_one(
    sdk: &VaultSdk,
    runner: Runner<'_>,
    subject: &str,
    source: &VaultSource<'_>,
    login: &Result<Login, Diagnosis>,
    path: &str,
    deadline: Instant,
) -> Result<serde_json::Map<String, serde_json::Value>, Diagnosis> {
    let login = login.as_ref().map_err(Clone::clone)?;
    let vault = Vault::of(sdk, source.login);
    match timeout_at(deadline, vault.read(&login.token, source.kv, path)).await {
        Ok(Ok(fields)) => Ok(fields),
        Ok(Err(failure)) => {
            let ctx = VaultContext { login: source.login, issuer: &runner.issuer.url, subject };
            Err(diagnose(VaultCall::Read, &failure, &ctx, Some((source.kv, path))))
        }
        Err(_) => Err(out_of_time(source.login)),
    }
}

pub(crate) fn failure(read: &VaultRead<'_>, diagnosis: Diagnosis) -> SecretFailure {
    let message = match &diagnosis.provider_message {
        Some(words) => format!("{} Vault said: {words}", diagnosis.cause),
        None => diagnosis.cause,
    };
    SecretFailure {
        variable: read.variable.to_owned(),
        secret: read.path.to_owned(),
        credential: read.source.credential_name.to_owned(),
        code: diagnosis.code,
        message,
        hint: diagnosis.fix,
    }
}

fn out_of_time(login: &VaultLogin) -> Diagnosis {
    Diagnosis::local(
        format!(
            "Vault at {} did not answer before the kickoff's {} second limit.",
            login.address,
            crate::deployments::KICKOFF_LIMIT.as_secs()
        ),
        "Kick off again; if it keeps happening, run Test Connection on the credential to see which call is slow.",
    )
}
