//! Deployments: **Deploy** freezes an automation's variables into deployment N with a token of
//! its own. Plain values and secrets read through a static key are read now and sealed into the
//! deployment (a rotation reaches them at the next deploy); secrets read through workload
//! identity keep only their reference and are read at every kickoff (`kickoffs`). The token is
//! shown once and kept as a SHA-256 hash; a worker presenting it gets a [`Worker`], the proof
//! the worker API's service functions take.
pub mod id_tokens;
pub mod kickoffs;
mod secrets;
mod token;

use std::{collections::HashMap, time::Duration};

use chrono::Utc;
use migration::constraints::DEPLOYMENT_NUMBER;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionSession, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;
use vocabulary::{
    audit::{AuditAction, AuditTarget},
    dto::deployments::{DeploymentView, NewDeployment},
    env::{Delivery, SourceKind},
    ids::{AutomationId, CredentialId, DeploymentId, OrgId, VariableId, WorkloadIdentityConfigId},
};

use self::secrets::{SecretRead, read_all};
pub use self::token::{TokenKind, WorkerToken};
use crate::{
    audit::{self, Change},
    automations::{Manager, Reader, find_model as find_automation, variables},
    aws::Aws,
    db::{begin_write, count_by, lock_organization, max_by, text::Text, unique::violates},
    entity::{
        automation, credential, deployment, deployment_variable, environment_variable as variable, kickoff, user,
    },
    error::{ServiceError, ServiceResult},
    issuer::mint::RunningAutomation,
    master_key::Sealed,
    secret_providers::{self, Credential},
    time::rfc3339,
    workload_identity::WorkloadIdentityConfig,
};

/// A kickoff answers within this, AWS included; a deploy's reads are bounded the same way.
pub const KICKOFF_LIMIT: Duration = Duration::from_secs(15);

/// What a deployment's sealed value is bound to: its own row.
pub(crate) fn seal_context(id: Uuid) -> Vec<u8> {
    format!("deployment_variable:{id}:value").into_bytes()
}

/// A run token stops working this long after it was last used (a run's `wisp run` uses it every
/// few minutes while the run has an AWS role) ...
pub const RUN_TOKEN_IDLE: Duration = Duration::from_secs(24 * 3600);
/// ... and this long after its kickoff in any case.
pub const RUN_TOKEN_MAX: Duration = Duration::from_secs(30 * 24 * 3600);

/// An authenticated worker: what its token opens. Only [`authenticate`] (a deployment token) and
/// [`authenticate_run`] (a run token, ID tokens only) make one.
#[derive(Clone, Debug)]
pub struct Worker {
    deployment: DeploymentId,
    number: u32,
    automation: AutomationId,
    automation_name: String,
    org: OrgId,
    /// The AWS role for runs the deployment froze.
    run_role: Option<WorkloadIdentityConfigId>,
    token: TokenKind,
}

impl Worker {
    pub fn deployment(&self) -> DeploymentId {
        self.deployment
    }
    pub fn number(&self) -> u32 {
        self.number
    }
    pub fn automation(&self) -> AutomationId {
        self.automation
    }
    pub fn automation_name(&self) -> &str {
        &self.automation_name
    }
    pub fn org(&self) -> OrgId {
        self.org
    }
    /// Which token it presented: only a deployment's may kick off.
    pub fn token(&self) -> TokenKind {
        self.token
    }

    /// What its tokens say of the running automation; `session_tags` when its run role asks for them.
    fn running(&self, session_tags: bool) -> RunningAutomation {
        RunningAutomation { automation: self.automation, deployment: self.number, session_tags }
    }

    /// The workload identity config of its AWS role for runs, as the deployment froze it.
    async fn run_role_config(&self, db: &impl ConnectionTrait) -> ServiceResult<Option<WorkloadIdentityConfig>> {
        let Some(config) = self.run_role else { return Ok(None) };
        let found = crate::workload_identity::find_in_org(db, self.org, config).await.map_err(|error| match error {
            ServiceError::NotFound { .. } => {
                ServiceError::NotFound { what: "The workload identity config this deployment's runs assume" }
            }
            other => other,
        })?;
        Ok(Some(found))
    }

    fn of(row: &deployment::Model, automation: &automation::Model, token: TokenKind) -> Self {
        Self {
            deployment: row.id.into(),
            number: row.number.unsigned_abs(),
            automation: automation.id.into(),
            automation_name: automation.name.clone(),
            org: automation.org_id.into(),
            run_role: row.run_role_config_id.map(Into::into),
            token,
        }
    }
}

/// The deployment a bearer token belongs to, unless it was revoked.
pub async fn authenticate(db: &impl ConnectionTrait, presented: &str) -> ServiceResult<Worker> {
    let unknown = || ServiceError::InvalidToken {
        message: "The deployment token is not recognised: it is mistyped, or its deployment or automation was deleted."
            .to_owned(),
    };
    let hash = WorkerToken::hash_of(TokenKind::Deployment, presented).ok_or_else(unknown)?;
    let found = deployment::Entity::find()
        .filter(deployment::Column::TokenHash.eq(hash.as_str()))
        .find_also_related(automation::Entity)
        .one(db)
        .await?;
    let (row, Some(automation)) = found.ok_or_else(unknown)? else { return Err(unknown()) };
    // The index found the row by its hash; comparing again in constant time keeps the check
    // itself free of timing, whatever the database does.
    if !crate::bearer::same_hash(&row.token_hash, &hash) {
        return Err(unknown());
    }
    refuse_if_revoked(&row, &automation, "This deployment token")?;
    Ok(Worker::of(&row, &automation, TokenKind::Deployment))
}

fn refuse_if_revoked(row: &deployment::Model, automation: &automation::Model, what: &str) -> ServiceResult<()> {
    match row.revoked_at {
        Some(revoked) => Err(ServiceError::InvalidToken {
            message: format!(
                "{what} (deployment {} of {}) stopped working: the deployment's token was revoked on {}.",
                row.number,
                automation.name,
                revoked.format("%Y-%m-%d %H:%M UTC")
            ),
        }),
        None => Ok(()),
    }
}

/// The run a run token was handed to, while it may still ask for ID tokens: its deployment's
/// token not revoked, used in the last [`RUN_TOKEN_IDLE`], kicked off less than [`RUN_TOKEN_MAX`] ago.
pub async fn authenticate_run(db: &impl ConnectionTrait, presented: &str) -> ServiceResult<Worker> {
    let unknown = || ServiceError::InvalidToken {
        message: "The run token is not recognised: it is mistyped, or its kickoff was deleted with its history."
            .to_owned(),
    };
    let hash = WorkerToken::hash_of(TokenKind::Run, presented).ok_or_else(unknown)?;
    let run = kickoff::Entity::find().filter(kickoff::Column::RunTokenHash.eq(hash.as_str())).one(db).await?;
    let run = run.filter(|r| r.run_token_hash.as_deref().is_some_and(|h| crate::bearer::same_hash(h, &hash)));
    let run = run.ok_or_else(unknown)?;
    let found = deployment::Entity::find_by_id(run.deployment_id).find_also_related(automation::Entity).one(db).await?;
    let (row, Some(automation)) = found.ok_or_else(unknown)? else { return Err(unknown()) };
    refuse_if_revoked(&row, &automation, "This run token")?;
    let now = Utc::now();
    let last_used = run.run_token_used_at.unwrap_or(run.created_at);
    let idle = now - last_used > chrono::Duration::from_std(RUN_TOKEN_IDLE).unwrap_or(chrono::Duration::MAX);
    let old = now - run.created_at > chrono::Duration::from_std(RUN_TOKEN_MAX).unwrap_or(chrono::Duration::MAX);
    if idle || old {
        return Err(ServiceError::InvalidToken {
            message: format!(
                "This run token (kickoff of {} on {}) has expired: a run token lasts while it is used at least once a day, 30 days at most. Kick off again for a new one.",
                automation.name,
                run.created_at.format("%Y-%m-%d %H:%M UTC")
            ),
        });
    }
    kickoff::Entity::update_many()
        .col_expr(kickoff::Column::RunTokenUsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(kickoff::Column::Id.eq(run.id))
        .exec(db)
        .await?;
    Ok(Worker::of(&row, &automation, TokenKind::Run))
}

/// One variable as frozen, before it is written.
struct Frozen {
    id: Uuid,
    key: vocabulary::env::EnvKey,
    source: SourceKind,
    delivery: Option<Delivery>,
    credential: Option<(Uuid, String)>,
    secret_name: Option<vocabulary::env::SecretName>,
    json_key: Option<vocabulary::env::JsonKey>,
    sealed: Option<Sealed>,
}

/// Deploys the automation as its variables are now. Every secret behind a static key is read
/// first; if any cannot be, nothing is created and each failure is listed.
pub async fn deploy(
    db: &(impl TransactionTrait + ConnectionTrait),
    aws: Aws<'_>,
    actor: &Manager,
    automation: AutomationId,
) -> ServiceResult<NewDeployment> {
    let org = actor.org_id();
    let rows = {
        let automation = find_automation(db, org, automation).await?;
        variable::Entity::find()
            .filter(variable::Column::AutomationId.eq(automation.id))
            .order_by_asc(variable::Column::Key)
            .all(db)
            .await?
    };
    let ids = rows.iter().filter_map(|r| r.credential_id).map(CredentialId::from);
    let credentials = secret_providers::find_all_in_org(db, org, ids).await?;
    let frozen = freeze(aws, &rows, &credentials).await?;

    let token = WorkerToken::generate(TokenKind::Deployment);
    let txn = begin_write(db).await?;
    lock_organization(&txn, org).await?;
    let automation = find_automation(&txn, org, automation).await?;
    // Credential deletes take the organization lock too: a credential still here now stays until
    // this deployment, which then keeps it from being deleted, is committed.
    let still_there = credential::Entity::find()
        .filter(credential::Column::OrgId.eq(org.as_uuid()))
        .filter(credential::Column::Id.is_in(credentials.keys().map(|id| id.as_uuid())))
        .count(&txn)
        .await?;
    if still_there < credentials.len() as u64 {
        return Err(credential_deleted());
    }
    // The automation's row names its AWS role for runs through a foreign key: read under the lock,
    // the config is there.
    let run_role = match automation.run_role_config_id {
        Some(id) => Some(crate::workload_identity::find_in_org(&txn, org, id.into()).await?),
        None => None,
    };
    let last: Option<i32> = deployment::Entity::find()
        .select_only()
        .column_as(deployment::Column::Number.max(), "last")
        .filter(deployment::Column::AutomationId.eq(automation.id))
        .into_tuple::<Option<i32>>()
        .one(&txn)
        .await?
        .flatten();
    let now = Utc::now();
    let row = deployment::ActiveModel {
        id: Set(DeploymentId::new().as_uuid()),
        automation_id: Set(automation.id),
        number: Set(last.unwrap_or(0) + 1),
        token_hash: Set(token.hash()),
        created_by: Set(Some(actor.user_id().as_uuid())),
        created_at: Set(now),
        token_last_used_at: Set(None),
        revoked_at: Set(None),
        run_role_config_id: Set(run_role.as_ref().map(|config| config.id.as_uuid())),
        run_role_config_name: Set(run_role.as_ref().map(|config| config.name.clone())),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if violates(&e, &DEPLOYMENT_NUMBER) {
            ServiceError::Internal("two deployments took one number despite the organization lock".to_owned())
        } else {
            e.into()
        }
    })?;
    let keys: Vec<String> = frozen.iter().map(|f| f.key.to_string()).collect();
    let models: Vec<deployment_variable::ActiveModel> = frozen
        .into_iter()
        .enumerate()
        .map(|(position, f)| deployment_variable::ActiveModel {
            id: Set(f.id),
            deployment_id: Set(row.id),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            key: Set(Text(f.key)),
            source: Set(Text(f.source)),
            delivery: Set(f.delivery.map(Text)),
            credential_id: Set(f.credential.as_ref().map(|c| c.0)),
            credential_name: Set(f.credential.map(|c| c.1)),
            secret_name: Set(f.secret_name.map(Text)),
            json_key: Set(f.json_key.map(Text)),
            master_key_id: Set(f.sealed.as_ref().map(|s| s.key_id.clone())),
            sealed_value: Set(f.sealed.map(|s| s.bytes)),
        })
        .collect();
    if !models.is_empty() {
        deployment_variable::Entity::insert_many(models).exec(&txn).await?;
    }
    let change = Change {
        org_id: Some(org),
        actor: actor.actor(),
        action: AuditAction::DeploymentCreate,
        target: AuditTarget::Deployment(row.id.into()),
        details: json!({
            "automation": automation.name,
            "automation_id": automation.id,
            "number": row.number,
            "variables": keys,
            "aws_role_for_runs": run_role.as_ref().map(|config| &config.name),
        }),
    };
    audit::record(&txn, change).await?;
    txn.commit().await?;
    let created_by = user::Entity::find_by_id(actor.user_id().as_uuid()).one(db).await?.map(|u| u.email);
    Ok(NewDeployment { deployment: view(&row, created_by, keys.len() as u64), token: token.reveal() })
}

/// A credential deleted while the deploy was under way: deploying again reads the variables anew.
fn credential_deleted() -> ServiceError {
    ServiceError::NotFound { what: "A credential the automation's secrets read through" }
}

/// The variables as a deployment keeps them: values sealed for plain ones and for secrets behind
/// a static key (read now), references only for secrets read through workload identity.
async fn freeze(
    aws: Aws<'_>,
    rows: &[variable::Model],
    credentials: &HashMap<CredentialId, Credential>,
) -> ServiceResult<Vec<Frozen>> {
    let master_key = aws.master_key;
    let mut reads = Vec::new();
    let mut frozen = Vec::with_capacity(rows.len());
    for row in rows {
        let id = Uuid::new_v4();
        let mut item = Frozen {
            id,
            key: row.key.0.clone(),
            source: row.source.0,
            delivery: None,
            credential: None,
            secret_name: None,
            json_key: None,
            sealed: None,
        };
        match row.source.0 {
            SourceKind::Plain => {
                let value = match (&row.value, Sealed::stored(&row.sealed_value, &row.master_key_id)) {
                    (Some(value), _) => value.clone().into_bytes(),
                    (None, Some(sealed)) => {
                        master_key.open(&sealed, &variables::seal_context(VariableId::from(row.id)))?
                    }
                    (None, None) => return Err(ServiceError::Internal(format!("variable {} lacks its value", row.id))),
                };
                item.sealed = Some(master_key.seal(&value, &seal_context(id))?);
            }
            SourceKind::Secret => {
                // The variable named it when read; a delete in between is the race `deploy` re-checks.
                let credential =
                    row.credential_id.and_then(|c| credentials.get(&c.into())).ok_or_else(credential_deleted)?;
                let delivery = Delivery::of(credential.auth.method());
                item.delivery = Some(delivery);
                item.credential = Some((credential.id.as_uuid(), credential.name.clone()));
                item.secret_name = row.secret_name.clone().map(|n| n.0);
                item.json_key = row.json_key.clone().map(|k| k.0);
                if delivery == Delivery::BakedAtDeploy {
                    reads.push((frozen.len(), credential));
                }
            }
        }
        frozen.push(item);
    }
    let requests: Vec<SecretRead<'_>> = reads
        .iter()
        .map(|(index, credential)| {
            let item = &frozen[*index];
            SecretRead {
                variable: item.key.as_str(),
                credential,
                secret_name: item.secret_name.as_ref().expect("a secret variable names its secret"),
                json_key: item.json_key.as_ref(),
            }
        })
        .collect();
    let values = read_all(aws, &requests, tokio::time::Instant::now() + KICKOFF_LIMIT).await;
    drop(requests);
    let mut failures = Vec::new();
    for ((index, _), value) in reads.iter().zip(values) {
        match value {
            Ok(value) => {
                frozen[*index].sealed = Some(master_key.seal(value.0.as_bytes(), &seal_context(frozen[*index].id))?)
            }
            Err(failure) => failures.push(*failure),
        }
    }
    if failures.is_empty() { Ok(frozen) } else { Err(ServiceError::SecretsUnresolved { failures }) }
}

/// The automation's deployments, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    reader: &Reader,
    automation: AutomationId,
) -> ServiceResult<Vec<DeploymentView>> {
    let automation = find_automation(db, reader.org_id(), automation).await?;
    let rows = deployment::Entity::find()
        .filter(deployment::Column::AutomationId.eq(automation.id))
        .order_by_desc(deployment::Column::Number)
        .all(db)
        .await?;
    views(db, &rows).await
}

/// The deployments as the page shows them: who created each and how many variables it froze,
/// read for all of them in two queries.
async fn views(db: &impl ConnectionTrait, rows: &[deployment::Model]) -> ServiceResult<Vec<DeploymentView>> {
    let counts = count_by::<deployment_variable::Entity>(
        db,
        deployment_variable::Column::DeploymentId,
        rows.iter().map(|r| r.id),
    )
    .await?;
    let emails: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().filter_map(|r| r.created_by)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect();
    Ok(rows
        .iter()
        .map(|row| {
            let by = row.created_by.and_then(|id| emails.get(&id).cloned());
            view(row, by, counts.get(&row.id).copied().unwrap_or(0))
        })
        .collect())
}

/// The newest deployment's number of each automation: the Automations list's column.
pub async fn current_numbers(db: &impl ConnectionTrait, automations: &[Uuid]) -> ServiceResult<HashMap<Uuid, u32>> {
    let numbers: HashMap<Uuid, i32> = max_by::<deployment::Entity, _>(
        db,
        deployment::Column::AutomationId,
        deployment::Column::Number,
        automations.iter().copied(),
    )
    .await?;
    Ok(numbers.into_iter().map(|(id, n)| (id, n.unsigned_abs())).collect())
}

/// Revokes a deployment's token: the next kickoff with it is refused. Revoking twice is a no-op.
pub async fn revoke_token(
    db: &(impl TransactionTrait + ConnectionTrait),
    actor: &Manager,
    id: DeploymentId,
) -> ServiceResult<DeploymentView> {
    let org = actor.org_id();
    let txn = begin_write(db).await?;
    let not_found = || ServiceError::NotFound { what: "The deployment" };
    let (row, automation) = deployment::Entity::find_by_id(id.as_uuid())
        .find_also_related(automation::Entity)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let automation = automation.filter(|a| a.org_id == org.as_uuid()).ok_or_else(not_found)?;
    let row = if row.revoked_at.is_some() {
        row
    } else {
        let mut model: deployment::ActiveModel = row.into();
        model.revoked_at = Set(Some(Utc::now()));
        let row = model.update(&txn).await?;
        let change = Change {
            org_id: Some(org),
            actor: actor.actor(),
            action: AuditAction::DeploymentRevokeToken,
            target: AuditTarget::Deployment(id),
            details: json!({ "automation": automation.name, "automation_id": automation.id, "number": row.number }),
        };
        audit::record(&txn, change).await?;
        row
    };
    txn.commit().await?;
    let mut revoked = views(db, std::slice::from_ref(&row)).await?;
    Ok(revoked.remove(0))
}

fn view(row: &deployment::Model, created_by: Option<String>, variables: u64) -> DeploymentView {
    DeploymentView {
        id: row.id.into(),
        number: row.number.unsigned_abs(),
        created_by,
        created_at: rfc3339(row.created_at),
        token_last_used_at: row.token_last_used_at.map(rfc3339),
        revoked_at: row.revoked_at.map(rfc3339),
        variables: u32::try_from(variables).unwrap_or(u32::MAX),
    }
}
