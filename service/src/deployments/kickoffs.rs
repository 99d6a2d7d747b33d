//! Kickoffs: a worker presents its deployment's token and gets the automation's environment.
//! Values frozen at deploy time are opened; secrets read through workload identity are read from
//! AWS now, every time, so a rotation reaches the next run without a redeploy. Any secret that
//! cannot be read fails the whole kickoff, listing each; nothing partial is returned. Each
//! kickoff is kept in the history with a keyed fingerprint of every value, never the value.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;
use vocabulary::{
    aws::CloudProvider,
    dto::deployments::{
        AwsForRun, KickoffOutcome, KickoffPage, KickoffResponse, KickoffVariable, KickoffView, SecretFailure,
        role_session_name,
    },
    env::{Delivery, SecretName},
    ids::{AutomationId, CredentialId, KickoffId, WorkloadIdentityConfigId},
    providers::{SecretProvider, SecretStore},
    token::Audience,
};

use super::{
    KICKOFF_LIMIT, TokenKind, Worker, WorkerToken, seal_context,
    secrets::{SecretRead, read_all},
};
use crate::{
    automations::{Reader, find_model as find_automation},
    aws::Aws,
    db::{begin_write, max_by, page_of, text::Text},
    entity::{deployment, deployment_variable, kickoff},
    error::{ServiceError, ServiceResult},
    guidance::Diagnosis,
    master_key::{DerivedKey, MasterKey, Sealed},
    providers::Providers,
    secret_providers::{self, Auth, Credential},
    secret_values::SecretValue,
    time::rfc3339,
    vault::{
        self,
        secrets::{Runner, VaultRead, VaultSource},
    },
};

/// Hex digits of a value's fingerprint: enough to tell two values apart at a glance, too few
/// to serve as a lookup table of guesses.
const FINGERPRINT_DIGITS: usize = 12;
pub const DEFAULT_PAGE: u64 = 20;
const MAX_PAGE: u64 = 100;
/// Time kept back from the limit for the database work after AWS has answered.
const DATABASE_MARGIN: std::time::Duration = std::time::Duration::from_millis(500);

/// The key fingerprints are made under: derived from the master key, so only this Wisp can make
/// or check one.
pub fn fingerprint_key(master_key: &MasterKey) -> DerivedKey {
    master_key.derive("kickoff value fingerprint")
}

/// The environment for the worker's deployment. `automation`, when the worker names one, must be
/// the token's own. Counted by outcome, with how long it took.
pub async fn kickoff(
    db: &(impl TransactionTrait + ConnectionTrait),
    providers: Providers<'_>,
    worker: &Worker,
    automation: Option<AutomationId>,
) -> ServiceResult<KickoffResponse> {
    let started = std::time::Instant::now();
    let answer = answer(db, providers, worker, automation).await;
    let outcome = match &answer {
        Ok(_) => "succeeded",
        Err(ServiceError::SecretsUnresolved { .. }) => "failed",
        Err(_) => "error",
    };
    crate::metrics::kickoff(outcome, started.elapsed());
    answer
}

async fn answer(
    db: &(impl TransactionTrait + ConnectionTrait),
    providers: Providers<'_>,
    worker: &Worker,
    automation: Option<AutomationId>,
) -> ServiceResult<KickoffResponse> {
    let aws = providers.aws;
    if worker.token() != TokenKind::Deployment {
        return Err(ServiceError::TokenScope {
            message: "A run token asks for the run's ID tokens only; kicking off takes the deployment's token."
                .to_owned(),
        });
    }
    if let Some(named) = automation.filter(|named| *named != worker.automation) {
        return Err(ServiceError::TokenScope {
            message: format!(
                "This deployment token belongs to automation {}; it cannot start automation {named}.",
                worker.automation
            ),
        });
    }
    let deadline = tokio::time::Instant::now() + KICKOFF_LIMIT - DATABASE_MARGIN;
    let rows = deployment_variable::Entity::find()
        .filter(deployment_variable::Column::DeploymentId.eq(worker.deployment.as_uuid()))
        .order_by_asc(deployment_variable::Column::Position)
        .all(db)
        .await?;
    let fresh: Vec<&deployment_variable::Model> =
        rows.iter().filter(|r| r.delivery.map(|d| d.0) == Some(Delivery::RotationAware)).collect();
    let ids = fresh.iter().filter_map(|r| r.credential_id).map(CredentialId::from);
    let credentials = secret_providers::find_all_in_org(db, worker.org, ids).await?;

    let mut failures = Vec::new();
    let mut aws_reads = Vec::new();
    let mut vault_reads = Vec::new();
    // Each Vault credential's source once, so its reads share it (and its login).
    let vault_sources: BTreeMap<CredentialId, VaultSource<'_>> = credentials
        .values()
        .filter_map(|credential| match (&credential.store, &credential.auth) {
            (SecretStore::VaultKv2 { kv_mount }, Auth::WorkloadIdentity(config)) => {
                let login = config.vault().ok()?;
                Some((
                    credential.id,
                    VaultSource {
                        credential: credential.id,
                        credential_name: &credential.name,
                        config: config.id,
                        config_saved_at: config.saved_at.timestamp_micros(),
                        login,
                        kv: kv_mount,
                    },
                ))
            }
            _ => None,
        })
        .collect();
    for row in &fresh {
        let variable = row.key.0.as_str();
        let name = row.secret_name.as_ref().map(|n| &n.0);
        let json_key = row.json_key.as_ref().map(|k| &k.0);
        let credential = row.credential_id.and_then(|id| credentials.get(&id.into()));
        match (credential, name) {
            (Some(credential), Some(secret_name)) => match &credential.store {
                SecretStore::AwsSecretsManager { .. } => {
                    aws_reads.push(SecretRead { variable, credential, secret_name, json_key });
                }
                SecretStore::VaultKv2 { .. } => match vault_sources.get(&credential.id) {
                    Some(source) => {
                        vault_reads.push(VaultRead { variable, source, path: secret_name.as_str(), json_key });
                    }
                    None => failures.push(unreadable(row, secret_name, credential)),
                },
            },
            _ => failures.push(SecretFailure {
                variable: row.key.0.to_string(),
                secret: name.map(ToString::to_string).unwrap_or_default(),
                credential: row.credential_name.clone().unwrap_or_default(),
                code: None,
                message: format!(
                    "The credential '{}' this deployment reads the secret through was deleted.",
                    row.credential_name.as_deref().unwrap_or("?")
                ),
                hint: "Point the variable at another credential on the automation's page, then deploy again."
                    .to_owned(),
            }),
        }
    }
    let (aws_read, vault_read) = futures::future::join(
        read_all(aws, &aws_reads, deadline),
        read_vault(providers, worker, &vault_reads, deadline),
    )
    .await;
    let mut read_through = Vec::new();
    for (read, result) in aws_reads.iter().zip(&aws_read) {
        if let Auth::WorkloadIdentity(config) = &read.credential.auth {
            read_through.push((config.id, config.provider(), result.is_ok()));
        }
    }
    for (read, result) in vault_reads.iter().zip(&vault_read) {
        read_through.push((read.source.config, CloudProvider::Vault, result.is_ok()));
    }
    for (provider, result) in [(SecretProvider::AwsSecretsManager, &aws_read), (SecretProvider::VaultKv2, &vault_read)]
    {
        for outcome in result {
            crate::metrics::secret_read(provider.as_str(), outcome.as_ref().map(drop).map_err(|f| f.code.as_deref()));
        }
    }
    log_per_config(&read_through);

    let mut fresh_values: HashMap<&str, String> = HashMap::new();
    let variables_read = aws_reads.iter().map(|r| r.variable).chain(vault_reads.iter().map(|r| r.variable));
    for (variable, value) in variables_read.zip(aws_read.into_iter().chain(vault_read)) {
        match value {
            Ok(value) => {
                fresh_values.insert(variable, value.0);
            }
            Err(failure) => failures.push(*failure),
        }
    }
    let key = fingerprint_key(aws.master_key);
    let mut env = BTreeMap::new();
    let mut variables = Vec::with_capacity(rows.len());
    for row in &rows {
        let value = match Sealed::stored(&row.sealed_value, &row.master_key_id) {
            Some(sealed) => Some(aws.master_key.open_text(&sealed, &seal_context(row.id))?),
            None => fresh_values.remove(row.key.0.as_str()),
        };
        variables.push(KickoffVariable {
            key: row.key.0.clone(),
            source: row.source.0,
            secret_name: row.secret_name.as_ref().map(|n| n.0.clone()),
            delivery: row.delivery.map(|d| d.0),
            fingerprint: value
                .as_ref()
                .filter(|_| failures.is_empty())
                .map(|v| key.fingerprint(v.as_bytes(), FINGERPRINT_DIGITS)),
        });
        if let Some(value) = value {
            env.insert(row.key.0.to_string(), value);
        }
    }
    failures.sort_by(|a, b| a.variable.cmp(&b.variable));
    if !failures.is_empty() {
        record(db, worker, KickoffOutcome::Failed, &variables, &failures, None).await?;
        return Err(ServiceError::SecretsUnresolved { failures });
    }
    let id = KickoffId::new();
    let aws_for_run = aws_for_run(db, aws, worker, id).await?;
    let run_token = WorkerToken::generate(TokenKind::Run);
    let run = Run { id, token_hash: run_token.hash() };
    record(db, worker, KickoffOutcome::Succeeded, &variables, &failures, Some(run)).await?;
    Ok(KickoffResponse {
        kickoff: id,
        automation: worker.automation,
        deployment: worker.number,
        env,
        aws: aws_for_run,
        id_token_request_token: run_token.reveal(),
    })
}

/// The `aws` object when the deployment froze an AWS role for runs: a token for its role, which
/// `wisp run` keeps fresh through the run token for as long as the run goes on.
async fn aws_for_run(
    db: &impl ConnectionTrait,
    aws: Aws<'_>,
    worker: &Worker,
    kickoff: KickoffId,
) -> ServiceResult<Option<AwsForRun>> {
    let Some(config) = worker.run_role_config(db).await? else { return Ok(None) };
    let role = config.aws()?.role;
    let issuer = aws.issuer.ready().map_err(ServiceError::IssuerNotConfigured)?;
    let minted = issuer.minter.automation_token(worker.org(), worker.running(role.session_tags), &Audience::sts())?;
    let expires_at = DateTime::from_timestamp(minted.expires_at, 0).map(rfc3339).unwrap_or_default();
    Ok(Some(AwsForRun {
        role_arn: role.role_arn.to_string(),
        region: role.region.to_string(),
        web_identity_token: minted.token,
        expires_at,
        session_name: role_session_name(worker.automation_name(), kickoff),
    }))
}

/// A successful kickoff's id and the hash of the run token it hands out.
struct Run {
    id: KickoffId,
    token_hash: String,
}

/// Vault's reads, as the running automation (its token logs in). With no issuer, each fails
/// saying so, as AWS's do.
async fn read_vault(
    providers: Providers<'_>,
    worker: &Worker,
    reads: &[VaultRead<'_>],
    deadline: tokio::time::Instant,
) -> Vec<Result<SecretValue, Box<SecretFailure>>> {
    if reads.is_empty() {
        return Vec::new();
    }
    match providers.aws.issuer.ready() {
        Ok(issuer) => {
            let runner = Runner { issuer: &issuer, org: worker.org(), running: worker.running(false) };
            vault::secrets::read_all(providers.vault, runner, reads, deadline).await
        }
        Err(reason) => reads
            .iter()
            .map(|read| {
                Err(Box::new(vault::secrets::failure(
                    read,
                    Diagnosis::local(reason, "Ask your operator to configure the issuer and restart Wisp."),
                )))
            })
            .collect(),
    }
}

/// A Vault credential whose config is not a Vault login (the database forbids it; said, not
/// assumed).
fn unreadable(row: &deployment_variable::Model, secret: &SecretName, credential: &Credential) -> SecretFailure {
    SecretFailure {
        variable: row.key.0.to_string(),
        secret: secret.to_string(),
        credential: credential.name.clone(),
        code: None,
        message: format!("The credential '{}' does not sign in with a HashiCorp Vault config.", credential.name),
        hint:
            "Edit the credential on Secret Provider Credentials and choose a HashiCorp Vault workload identity config."
                .to_owned(),
    }
}

/// One line per workload identity config a kickoff read through, as operators grep for it.
fn log_per_config(reads: &[(WorkloadIdentityConfigId, CloudProvider, bool)]) {
    let mut per_config: BTreeMap<(WorkloadIdentityConfigId, CloudProvider), (usize, usize)> = BTreeMap::new();
    for (config, provider, ok) in reads {
        let counts = per_config.entry((*config, *provider)).or_default();
        if *ok { counts.0 += 1 } else { counts.1 += 1 }
    }
    for ((config, provider), (resolved, failed)) in per_config {
        if failed == 0 {
            tracing::info!("Workload identity config '{config}' ({provider}): {resolved} secret(s) resolved");
        } else {
            tracing::warn!(
                "Workload identity config '{config}' ({provider}): {resolved} secret(s) resolved, {failed} failed"
            );
        }
    }
}

async fn record(
    db: &impl TransactionTrait,
    worker: &Worker,
    outcome: KickoffOutcome,
    variables: &[KickoffVariable],
    failures: &[SecretFailure],
    run: Option<Run>,
) -> ServiceResult<()> {
    let (id, run_token_hash) = match run {
        Some(run) => (run.id, Some(run.token_hash)),
        None => (KickoffId::new(), None),
    };
    let now = Utc::now();
    let txn = begin_write(db).await?;
    kickoff::ActiveModel {
        id: Set(id.as_uuid()),
        automation_id: Set(worker.automation.as_uuid()),
        deployment_id: Set(worker.deployment.as_uuid()),
        deployment_number: Set(i32::try_from(worker.number).unwrap_or(i32::MAX)),
        created_at: Set(now),
        outcome: Set(Text(outcome)),
        variables: Set(serde_json::to_value(variables).map_err(|e| ServiceError::Internal(e.to_string()))?),
        failures: Set(serde_json::to_value(failures).map_err(|e| ServiceError::Internal(e.to_string()))?),
        run_token_hash: Set(run_token_hash),
        run_token_used_at: Set(None),
    }
    .insert(&txn)
    .await?;
    deployment::Entity::update_many()
        .col_expr(deployment::Column::TokenLastUsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(deployment::Column::Id.eq(worker.deployment.as_uuid()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The automation's kickoffs, newest first, `limit` at a time; `after` is the previous page's `next`.
pub async fn history(
    db: &impl ConnectionTrait,
    reader: &Reader,
    automation: AutomationId,
    after: Option<&str>,
    limit: u64,
) -> ServiceResult<KickoffPage> {
    let automation = find_automation(db, reader.org_id(), automation).await?;
    let limit = limit.clamp(1, MAX_PAGE);
    let mut query = kickoff::Entity::find().filter(kickoff::Column::AutomationId.eq(automation.id));
    if let Some(cursor) = after {
        let (time, id) = parse_cursor(cursor)?;
        query = query.filter(
            Condition::any()
                .add(kickoff::Column::CreatedAt.lt(time))
                .add(Condition::all().add(kickoff::Column::CreatedAt.eq(time)).add(kickoff::Column::Id.lt(id))),
        );
    }
    let rows = query
        .order_by_desc(kickoff::Column::CreatedAt)
        .order_by_desc(kickoff::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let (rows, next) = page_of(rows, limit, |last| format!("{}.{}", last.created_at.timestamp_micros(), last.id));
    let kickoffs = rows.into_iter().map(view).collect::<ServiceResult<_>>()?;
    Ok(KickoffPage { kickoffs, next })
}

fn parse_cursor(cursor: &str) -> ServiceResult<(DateTime<Utc>, Uuid)> {
    let bad = || ServiceError::invalid("after", "This page cursor is not one Wisp gave: start from the first page.");
    let (micros, id) = cursor.split_once('.').ok_or_else(bad)?;
    let time = micros.parse::<i64>().ok().and_then(DateTime::from_timestamp_micros).ok_or_else(bad)?;
    Ok((time, Uuid::parse_str(id).map_err(|_| bad())?))
}

fn view(row: kickoff::Model) -> ServiceResult<KickoffView> {
    let corrupt = |e: serde_json::Error| ServiceError::Internal(format!("kickoff {} is unreadable: {e}", row.id));
    Ok(KickoffView {
        id: row.id.into(),
        created_at: rfc3339(row.created_at),
        deployment: row.deployment_number.unsigned_abs(),
        outcome: row.outcome.0,
        variables: serde_json::from_value(row.variables.clone()).map_err(corrupt)?,
        failures: serde_json::from_value(row.failures.clone()).map_err(corrupt)?,
    })
}

/// When each automation was last kicked off: the Automations list's column.
pub async fn last_times(
    db: &impl ConnectionTrait,
    automations: &[Uuid],
) -> ServiceResult<HashMap<Uuid, DateTime<Utc>>> {
    let (automation, time) = (kickoff::Column::AutomationId, kickoff::Column::CreatedAt);
    Ok(max_by::<kickoff::Entity, _>(db, automation, time, automations.iter().copied()).await?)
}

/// Deletes kickoffs older than `days`; returns how many went.
pub async fn sweep(db: &impl ConnectionTrait, days: u32) -> ServiceResult<u64> {
    let cutoff = Utc::now() - chrono::Duration::days(i64::from(days));
    let deleted = kickoff::Entity::delete_many().filter(kickoff::Column::CreatedAt.lt(cutoff)).exec(db).await?;
    Ok(deleted.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_is_stable_per_value_and_key_and_reveals_nothing() {
        let master = MasterKey::generate();
        let key = fingerprint_key(&master);
        let a = key.fingerprint(b"v1", FINGERPRINT_DIGITS);
        assert_eq!(a.len(), FINGERPRINT_DIGITS);
        assert_eq!(a, fingerprint_key(&master).fingerprint(b"v1", FINGERPRINT_DIGITS));
        assert_ne!(a, key.fingerprint(b"v2", FINGERPRINT_DIGITS));
        // Not a plain hash: another Wisp's key gives another fingerprint for the same value.
        assert_ne!(a, fingerprint_key(&MasterKey::generate()).fingerprint(b"v1", FINGERPRINT_DIGITS));
    }

    #[test]
    fn a_cursor_round_trips_and_a_forged_one_is_refused() {
        let id = Uuid::new_v4();
        let time = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap();
        assert_eq!(parse_cursor(&format!("{}.{id}", time.timestamp_micros())).unwrap(), (time, id));
        for bad in ["", "x.y", "12", &format!("x.{id}")] {
            assert!(parse_cursor(bad).is_err(), "{bad}");
        }
    }
}
