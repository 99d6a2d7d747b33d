//! Secret provider credentials: what every secret reference names. A credential either signs in
//! with a workload identity config (no key stored anywhere) or holds a static access key, optionally
//! assuming a role with an external ID. The secret access key is sealed under the master key and
//! bound to its row; it never leaves the server, and an empty field on edit keeps it. One default
//! per (organization, provider), by the same mechanism as workload identity configs.
mod input;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use migration::constraints::CREDENTIAL_NAME;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::json;
use vocabulary::{
    FieldError,
    audit::{AuditAction, AuditTarget},
    aws::{AccessKeyId, ExternalId, Region, RoleArn},
    dto::connection::CheckStep,
    ids::{CredentialId, OrgId, WorkloadIdentityConfigId},
    providers::{AuthMethod, SecretProvider, SecretStore},
};

pub use self::input::{AuthInput, CredentialForm, CredentialInput, SecretAccessKey};
pub use crate::db::defaults::DefaultChoice;
use crate::{
    access::{Authorized, Manage, Read, resource::SecretProviders},
    audit::{self, Change},
    aws::{
        Aws,
        connection_test::{Signer, check_credential, sts_problem},
        federation::{assume_role, assume_web_identity, assumed_role_key, token_for_sts, web_identity_key},
        guidance::{AwsCall, Context, Diagnosis, Identity},
        sdk::{AwsCredentials, AwsSdk},
    },
    connection_test::ConnectionReport,
    db::{begin_write, defaults::DefaultSlot, lock_organization, text::Text, unique::violates},
    entity::{credential, workload_identity_config},
    error::{ServiceError, ServiceResult},
    issuer::{IssuerState, url::IssuerUrl},
    master_key::{MasterKey, Sealed},
    providers::Providers,
    references::{Referent, refuse_if_used},
    vault::connection_test::check_credential as vault_check,
    workload_identity::{self, WorkloadIdentityConfig},
};

type Reader = Authorized<Read<SecretProviders>>;
type Manager = Authorized<Manage<SecretProviders>>;

/// One default credential per (organization, secret provider).
const DEFAULT: DefaultSlot<credential::Column> = DefaultSlot {
    org: credential::Column::OrgId,
    scope: credential::Column::Provider,
    is_default: credential::Column::IsDefault,
};

#[derive(Clone, Debug)]
pub struct Credential {
    pub id: CredentialId,
    pub org_id: OrgId,
    pub name: String,
    pub store: SecretStore,
    pub is_default: bool,
    pub auth: Auth,
    /// Changes with every save: what was cached for the credential before is not reused.
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub enum Auth {
    WorkloadIdentity(WorkloadIdentityConfig),
    StaticKeys {
        access_key_id: AccessKeyId,
        sealed: Sealed,
        role_arn: Option<RoleArn>,
        external_id: Option<ExternalId>,
    },
}

impl Auth {
    pub fn method(&self) -> AuthMethod {
        match self {
            Auth::WorkloadIdentity(_) => AuthMethod::WorkloadIdentity,
            Auth::StaticKeys { .. } => AuthMethod::StaticKeys,
        }
    }
}

impl Credential {
    pub fn provider(&self) -> SecretProvider {
        self.store.provider()
    }

    /// The Secrets Manager region, for the AWS calls. Callers choose by provider first; a Vault
    /// credential here is said as a problem, not a panic.
    pub fn aws_region(&self) -> Result<Region, Diagnosis> {
        match &self.store {
            SecretStore::AwsSecretsManager { region } => Ok(*region),
            SecretStore::VaultKv2 { .. } => Err(Diagnosis::local(
                format!("'{}' reads Vault, not AWS Secrets Manager.", self.name),
                "Choose an AWS Secrets Manager credential.",
            )),
        }
    }

    /// The stored secret access key, opened: for the calls that sign with it, never for display.
    pub fn secret_access_key(&self, master_key: &MasterKey) -> ServiceResult<Option<String>> {
        let Auth::StaticKeys { sealed, .. } = &self.auth else { return Ok(None) };
        master_key.open_text(sealed, &seal_context(self.id)).map(Some)
    }
}

/// What a sealed secret access key is bound to: its own row, so a copy elsewhere does not open.
pub(crate) fn seal_context(id: CredentialId) -> Vec<u8> {
    format!("credential:{id}:secret_access_key").into_bytes()
}

fn corrupt(model: &credential::Model) -> ServiceError {
    ServiceError::Internal(format!("credential {} lacks the columns of its authentication method", model.id))
}

fn credential(
    model: credential::Model,
    configs: &HashMap<WorkloadIdentityConfigId, WorkloadIdentityConfig>,
) -> ServiceResult<Credential> {
    let auth = match model.auth_method.0 {
        AuthMethod::WorkloadIdentity => {
            let config = model.workload_identity_config_id.and_then(|id| configs.get(&id.into()));
            Auth::WorkloadIdentity(config.cloned().ok_or_else(|| corrupt(&model))?)
        }
        AuthMethod::StaticKeys => {
            let (Some(access_key_id), Some(bytes), Some(key_id)) =
                (model.access_key_id.clone(), model.sealed_secret_access_key.clone(), model.master_key_id.clone())
            else {
                return Err(corrupt(&model));
            };
            Auth::StaticKeys {
                access_key_id: access_key_id.0,
                sealed: Sealed { key_id, bytes },
                role_arn: model.role_arn.clone().map(|t| t.0),
                external_id: model.external_id.clone().map(|t| t.0),
            }
        }
    };
    let store = match (model.provider.0, model.region, &model.kv_mount) {
        (SecretProvider::AwsSecretsManager, Some(region), _) => SecretStore::AwsSecretsManager { region: region.0 },
        (SecretProvider::VaultKv2, _, Some(kv_mount)) => SecretStore::VaultKv2 { kv_mount: kv_mount.0.clone() },
        _ => return Err(corrupt(&model)),
    };
    Ok(Credential {
        id: model.id.into(),
        org_id: model.org_id.into(),
        name: model.name,
        store,
        is_default: model.is_default,
        auth,
        updated_at: model.updated_at,
    })
}

/// Credentials with the configs they sign in with.
async fn assemble(db: &impl ConnectionTrait, models: Vec<credential::Model>) -> ServiceResult<Vec<Credential>> {
    let config_ids: Vec<_> = models.iter().filter_map(|m| m.workload_identity_config_id).collect();
    let configs: HashMap<WorkloadIdentityConfigId, WorkloadIdentityConfig> = if config_ids.is_empty() {
        HashMap::new()
    } else {
        workload_identity_config::Entity::find()
            .filter(workload_identity_config::Column::Id.is_in(config_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|m| Ok((m.id.into(), WorkloadIdentityConfig::try_from(m)?)))
            .collect::<ServiceResult<_>>()?
    };
    models.into_iter().map(|m| credential(m, &configs)).collect()
}

pub async fn list(db: &impl ConnectionTrait, reader: &Reader) -> ServiceResult<Vec<Credential>> {
    let models = credential::Entity::find()
        .filter(credential::Column::OrgId.eq(reader.org_id().as_uuid()))
        .order_by_asc(credential::Column::Name)
        .all(db)
        .await?;
    assemble(db, models).await
}

/// One credential of the reader's organization; another organization's answers as not found.
pub async fn get(db: &impl ConnectionTrait, reader: &Reader, id: CredentialId) -> ServiceResult<Credential> {
    find_in_org(db, reader.org_id(), id).await
}

async fn find_model(db: &impl ConnectionTrait, org: OrgId, id: CredentialId) -> ServiceResult<credential::Model> {
    credential::Entity::find_by_id(id.as_uuid())
        .filter(credential::Column::OrgId.eq(org.as_uuid()))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound { what: "The credential" })
}

/// The credentials of `org` among `ids`, with their configs, in two queries; ids of no
/// credential of `org` are absent.
pub(crate) async fn find_all_in_org(
    db: &impl ConnectionTrait,
    org: OrgId,
    ids: impl IntoIterator<Item = CredentialId>,
) -> ServiceResult<HashMap<CredentialId, Credential>> {
    let ids: Vec<_> = ids.into_iter().map(|id| id.as_uuid()).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let models = credential::Entity::find()
        .filter(credential::Column::OrgId.eq(org.as_uuid()))
        .filter(credential::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(assemble(db, models).await?.into_iter().map(|c| (c.id, c)).collect())
}

pub(crate) async fn find_in_org(db: &impl ConnectionTrait, org: OrgId, id: CredentialId) -> ServiceResult<Credential> {
    let model = find_model(db, org, id).await?;
    assemble(db, vec![model]).await?.pop().ok_or(ServiceError::NotFound { what: "The credential" })
}

pub async fn create(
    db: &impl TransactionTrait,
    master_key: &MasterKey,
    actor: &Manager,
    input: CredentialInput,
    default: DefaultChoice,
) -> ServiceResult<Credential> {
    let (org, id) = (actor.org_id(), CredentialId::new());
    let txn = begin_write(db).await?;
    lock_organization(&txn, org).await?;
    let mut model = credential::ActiveModel {
        id: Set(id.as_uuid()),
        org_id: Set(org.as_uuid()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    write(&txn, &mut model, master_key, org, id, &input, None).await?;
    let provider = Text(input.store.provider());
    let is_default = DEFAULT.decide::<credential::Entity>(&txn, org, provider, default).await?;
    if is_default {
        DEFAULT.clear::<credential::Entity>(&txn, org, provider).await?;
    }
    model.is_default = Set(is_default);
    let model = model.insert(&txn).await.map_err(|e| name_taken(e, input.name.as_str()))?;
    record(&txn, actor, AuditAction::CredentialCreate, &model).await?;
    let created = find_in_org(&txn, org, id).await?;
    txn.commit().await?;
    Ok(created)
}

/// Saves the edited fields; an empty Secret Access Key keeps the stored one.
pub async fn update(
    db: &impl TransactionTrait,
    master_key: &MasterKey,
    actor: &Manager,
    id: CredentialId,
    input: CredentialInput,
    is_default: bool,
) -> ServiceResult<Credential> {
    let org = actor.org_id();
    let txn = begin_write(db).await?;
    lock_organization(&txn, org).await?;
    let existing = find_model(&txn, org, id).await?;
    let mut model: credential::ActiveModel = existing.clone().into();
    write(&txn, &mut model, master_key, org, id, &input, Some(&existing)).await?;
    if is_default {
        DEFAULT.clear::<credential::Entity>(&txn, org, Text(input.store.provider())).await?;
    }
    model.is_default = Set(is_default);
    let model = model.update(&txn).await.map_err(|e| name_taken(e, input.name.as_str()))?;
    record(&txn, actor, AuditAction::CredentialUpdate, &model).await?;
    let updated = find_in_org(&txn, org, id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The fields a form saves. A workload identity config must be this organization's and of the
/// provider's cloud; a static key is sealed, or kept when none was typed.
async fn write(
    db: &impl ConnectionTrait,
    model: &mut credential::ActiveModel,
    master_key: &MasterKey,
    org: OrgId,
    id: CredentialId,
    input: &CredentialInput,
    existing: Option<&credential::Model>,
) -> ServiceResult<()> {
    model.name = Set(input.name.to_string());
    model.name_key = Set(input.name.key().to_owned());
    let provider = input.store.provider();
    model.provider = Set(Text(provider));
    let (region, kv_mount) = match &input.store {
        SecretStore::AwsSecretsManager { region } => (Some(Text(*region)), None),
        SecretStore::VaultKv2 { kv_mount } => (None, Some(Text(kv_mount.clone()))),
    };
    model.region = Set(region);
    model.kv_mount = Set(kv_mount);
    model.updated_at = Set(Utc::now());
    match &input.auth {
        AuthInput::WorkloadIdentity(config) => {
            let config = workload_identity::find_in_org(db, org, *config).await.map_err(|error| match error {
                ServiceError::NotFound { .. } => FieldError::new(
                    "workload_identity_config",
                    "Choose one of this organization's workload identity configs.",
                )
                .into(),
                other => other,
            })?;
            if config.provider() != provider.cloud() {
                return Err(FieldError::new(
                    "workload_identity_config",
                    format!(
                        "{} signs in to {}: choose a config for {}.",
                        config.name,
                        config.provider().label(),
                        provider.cloud().label()
                    ),
                )
                .into());
            }
            model.auth_method = Set(Text(AuthMethod::WorkloadIdentity));
            model.workload_identity_config_id = Set(Some(config.id.as_uuid()));
            model.access_key_id = Set(None);
            model.sealed_secret_access_key = Set(None);
            model.master_key_id = Set(None);
            model.role_arn = Set(None);
            model.external_id = Set(None);
        }
        AuthInput::StaticKeys { access_key_id, secret_access_key, role_arn, external_id } => {
            let sealed = match (secret_access_key, existing) {
                (Some(secret), _) => master_key.seal(secret.expose().as_bytes(), &seal_context(id))?,
                (None, Some(existing)) if existing.sealed_secret_access_key.is_some() => Sealed {
                    key_id: existing.master_key_id.clone().unwrap_or_default(),
                    bytes: existing.sealed_secret_access_key.clone().unwrap_or_default(),
                },
                (None, _) => {
                    return Err(FieldError::new(
                        "secret_access_key",
                        "Enter the secret access key of this access key.",
                    )
                    .into());
                }
            };
            model.auth_method = Set(Text(AuthMethod::StaticKeys));
            model.workload_identity_config_id = Set(None);
            model.access_key_id = Set(Some(Text(access_key_id.clone())));
            model.sealed_secret_access_key = Set(Some(sealed.bytes));
            model.master_key_id = Set(Some(sealed.key_id));
            model.role_arn = Set(role_arn.clone().map(Text));
            model.external_id = Set(external_id.clone().map(Text));
        }
    }
    Ok(())
}

/// Makes `id` its provider's default and clears the previous default, in one transaction.
pub async fn make_default(db: &impl TransactionTrait, actor: &Manager, id: CredentialId) -> ServiceResult<()> {
    let txn = begin_write(db).await?;
    lock_organization(&txn, actor.org_id()).await?;
    let existing = find_model(&txn, actor.org_id(), id).await?;
    if existing.is_default {
        return Ok(());
    }
    DEFAULT.clear::<credential::Entity>(&txn, actor.org_id(), existing.provider).await?;
    let mut model: credential::ActiveModel = existing.into();
    model.is_default = Set(true);
    model.updated_at = Set(Utc::now());
    let model = model.update(&txn).await?;
    record(&txn, actor, AuditAction::CredentialMakeDefault, &model).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn delete(db: &impl TransactionTrait, actor: &Manager, id: CredentialId) -> ServiceResult<()> {
    let txn = begin_write(db).await?;
    lock_organization(&txn, actor.org_id()).await?;
    let existing = find_model(&txn, actor.org_id(), id).await?;
    refuse_if_used(&txn, actor.org_id(), Referent::Credential(id)).await?;
    credential::Entity::delete_by_id(existing.id).exec(&txn).await?;
    record(&txn, actor, AuditAction::CredentialDelete, &existing).await?;
    txn.commit().await?;
    Ok(())
}

/// Test Connection for a credential: `ListSecrets` in its region, or a list of its KV mount.
pub async fn test_connection(providers: Providers<'_>, credential: &Credential) -> ConnectionReport {
    let Aws { issuer, sdk, master_key } = providers.aws;
    let region = match (&credential.store, &credential.auth) {
        (SecretStore::VaultKv2 { kv_mount }, Auth::WorkloadIdentity(config)) => {
            return match config.vault() {
                Ok(login) => vault_check(issuer, providers.vault, credential.org_id, login, kv_mount).await,
                Err(error) => ConnectionReport::refused(
                    CheckStep::VAULT_CREDENTIAL,
                    Diagnosis::local(error.to_string(), error.hint()),
                ),
            };
        }
        (SecretStore::AwsSecretsManager { region }, _) => *region,
        (SecretStore::VaultKv2 { .. }, Auth::StaticKeys { .. }) => {
            return ConnectionReport::refused(
                CheckStep::VAULT_CREDENTIAL,
                Diagnosis::local(
                    "A Vault credential signs in with workload identity only.",
                    "Edit the credential and choose a HashiCorp Vault workload identity config.",
                ),
            );
        }
    };
    match &credential.auth {
        Auth::WorkloadIdentity(config) => match config.aws() {
            Ok(aws) => check_credential(issuer, sdk, credential.org_id, Signer::WebIdentity(aws), region).await,
            Err(error) => ConnectionReport::refused(
                CheckStep::WORKLOAD_IDENTITY_CREDENTIAL,
                Diagnosis::local(error.to_string(), error.hint()),
            ),
        },
        Auth::StaticKeys { access_key_id, role_arn, external_id, .. } => {
            let secret = credential
                .secret_access_key(master_key)
                .map(Option::unwrap_or_default)
                .map_err(|e| tracing::warn!(credential = %credential.id, "cannot open the secret access key: {e}"))
                .ok();
            let signer = Signer::AccessKey {
                access_key_id,
                secret_access_key: secret.as_deref(),
                role: role_arn.as_ref(),
                external_id: external_id.as_ref(),
            };
            check_credential(issuer, sdk, credential.org_id, signer, region).await
        }
    }
}

/// Temporary credentials to call AWS with as this credential: a kept STS session when there is
/// one, else a fresh one (shared by concurrent callers); a static key without a role signs itself.
pub async fn session(
    issuer_state: &IssuerState,
    sdk: &AwsSdk,
    master_key: &MasterKey,
    credential: &Credential,
) -> Result<AwsCredentials, Diagnosis> {
    let region = credential.aws_region()?;
    match &credential.auth {
        Auth::WorkloadIdentity(config) => {
            let aws = config.aws().map_err(|error| Diagnosis::local(error.to_string(), error.hint()))?;
            let issuer = issuer_state.ready().map_err(|reason| {
                Diagnosis::local(reason, "Ask your operator to configure the issuer and restart Wisp.")
            })?;
            let ctx = Context {
                org: credential.org_id,
                region: aws.region(),
                identity: Identity::WebIdentity { issuer: &issuer.url, role: aws.role_arn() },
            };
            let obtain = async {
                let token = token_for_sts(&issuer, aws.org).await;
                let assumed = match token {
                    Ok(token) => assume_web_identity(sdk, aws, &token).await,
                    Err(error) => Err(error),
                };
                assumed.map(|a| a.credentials).map_err(|e| sts_problem(AwsCall::AssumeRoleWithWebIdentity, e, &ctx))
            };
            sdk.sessions().get_or_obtain(web_identity_key(aws), obtain).await.map_err(|e| (*e).clone())
        }
        Auth::StaticKeys { access_key_id, role_arn, external_id, .. } => {
            let secret = credential.secret_access_key(master_key).ok().flatten().ok_or_else(|| {
                Diagnosis::local(
                    "The stored Secret Access Key cannot be decrypted with this Wisp's master key.",
                    "Ask your operator to start Wisp with the WISP_MASTER_KEY it was saved under, or edit the credential and enter the secret access key again.",
                )
            })?;
            let key = AwsCredentials {
                access_key_id: access_key_id.to_string(),
                secret_access_key: secret,
                session_token: None,
                expires_at: None,
            };
            let Some(role) = role_arn else { return Ok(key) };
            let ctx = Context {
                org: credential.org_id,
                region,
                identity: Identity::AccessKey { access_key_id, role: Some(role), external_id: external_id.is_some() },
            };
            let obtain = async {
                assume_role(sdk, region, &key, role, external_id.as_ref())
                    .await
                    .map(|a| a.credentials)
                    .map_err(|e| sts_problem(AwsCall::AssumeRole, e, &ctx))
            };
            let session_key = assumed_role_key(&key, role, external_id.as_ref(), region);
            sdk.sessions().get_or_obtain(session_key, obtain).await.map_err(|e| (*e).clone())
        }
    }
}

/// How Wisp signs in to AWS as `credential`, for guidance that names it.
pub fn identity<'a>(credential: &'a Credential, issuer: Option<&'a IssuerUrl>) -> Option<Identity<'a>> {
    match &credential.auth {
        Auth::WorkloadIdentity(config) => {
            let aws = config.aws().ok()?;
            issuer.map(|issuer| Identity::WebIdentity { issuer, role: aws.role_arn() })
        }
        Auth::StaticKeys { access_key_id, role_arn, external_id, .. } => {
            Some(Identity::AccessKey { access_key_id, role: role_arn.as_ref(), external_id: external_id.is_some() })
        }
    }
}

async fn record(
    db: &impl ConnectionTrait,
    actor: &Manager,
    action: AuditAction,
    model: &credential::Model,
) -> ServiceResult<()> {
    // Names and ids only: never the secret, sealed or not.
    let details = json!({
        "name": model.name,
        "provider": model.provider.0,
        "auth_method": model.auth_method.0,
        "workload_identity_config": model.workload_identity_config_id,
        "access_key_id": model.access_key_id.as_ref().map(|key| key.0.masked()),
        "role_arn": model.role_arn.as_ref().map(|arn| arn.0.to_string()),
        "external_id_set": model.external_id.is_some(),
        "region": model.region.map(|region| region.0),
        "kv_mount": model.kv_mount.as_ref().map(|mount| mount.0.to_string()),
        "default": model.is_default,
    });
    let change = Change {
        org_id: Some(actor.org_id()),
        actor: actor.actor(),
        action,
        target: AuditTarget::Credential(model.id.into()),
        details,
    };
    audit::record(db, change).await
}

fn name_taken(error: DbErr, name: &str) -> ServiceError {
    if violates(&error, &CREDENTIAL_NAME) {
        ServiceError::NameTaken { what: "A credential", name: name.to_owned(), within_org: true }
    } else {
        error.into()
    }
}
