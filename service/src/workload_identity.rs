//! Workload identity configurations: the cloud role an organization's tokens are traded for.
//! At most one default per (organization, provider), guaranteed by a partial unique index.
use std::{fmt, str::FromStr};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, SqlErr, TransactionSession, TransactionTrait, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    access::Member,
    audit::{self, Actor, Change},
    aws::{region::Region, role_arn::RoleArn},
    entity::workload_identity_config as config,
    error::{FormCheck, ServiceError, ServiceResult},
    ids::{OrgId, WorkloadIdentityConfigId},
};

const MAX_NAME: usize = 64;
/// A concurrent "make default" can win the race for the default slot; the loser tries again.
const RACE_ATTEMPTS: u64 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CloudProvider {
    Aws,
}

impl CloudProvider {
    pub const ALL: [CloudProvider; 1] = [CloudProvider::Aws];

    pub fn as_str(self) -> &'static str {
        match self {
            CloudProvider::Aws => "aws",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CloudProvider::Aws => "AWS",
        }
    }
}

impl FromStr for CloudProvider {
    type Err = ServiceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CloudProvider::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            ServiceError::invalid("provider", format!("'{s}' is not a cloud provider Wisp supports; choose AWS."))
        })
    }
}

impl fmt::Display for CloudProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadIdentityConfig {
    pub id: WorkloadIdentityConfigId,
    pub org_id: OrgId,
    pub name: String,
    pub provider: CloudProvider,
    pub role_arn: RoleArn,
    pub region: Region,
    pub is_default: bool,
}

impl TryFrom<config::Model> for WorkloadIdentityConfig {
    type Error = ServiceError;
    fn try_from(model: config::Model) -> ServiceResult<Self> {
        let corrupt = |what: &str| {
            ServiceError::Internal(format!("workload identity config {} holds an invalid {what}", model.id))
        };
        Ok(Self {
            id: model.id.into(),
            org_id: model.org_id.into(),
            provider: model.provider.parse().map_err(|_| corrupt("provider"))?,
            role_arn: model.role_arn.parse().map_err(|_| corrupt("role ARN"))?,
            region: model.region.parse().map_err(|_| corrupt("region"))?,
            name: model.name,
            is_default: model.is_default,
        })
    }
}

/// A config as the admin typed it, parsed: every field valid or every error reported.
#[derive(Clone, Debug)]
pub struct ConfigInput {
    pub name: String,
    pub provider: CloudProvider,
    pub role_arn: RoleArn,
    pub region: Region,
}

impl ConfigInput {
    pub fn parse(name: &str, provider: &str, role_arn: &str, region: &str) -> ServiceResult<Self> {
        let mut check = FormCheck::default();
        let name = check.field(parse_name(name));
        let provider = check.field(provider.parse::<CloudProvider>());
        let role_arn = check.field(role_arn.parse::<RoleArn>());
        let region = check.field(region.parse::<Region>());
        if let (Some(arn), Some(region)) = (&role_arn, region)
            && arn.partition() != region.partition()
        {
            check.field::<()>(Err(ServiceError::invalid(
                "region",
                format!(
                    "{region} is in the {} partition but the role is in {}: choose a region of the role's partition.",
                    region.partition(),
                    arn.partition()
                ),
            )));
        }
        check.finish(|| Some(Self { name: name?, provider: provider?, role_arn: role_arn?, region: region? }))
    }
}

fn parse_name(name: &str) -> ServiceResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ServiceError::invalid("name", "Enter a name, such as aws-prod."));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ServiceError::invalid("name", format!("Use at most {MAX_NAME} characters for the name.")));
    }
    if name.chars().any(char::is_control) {
        return Err(ServiceError::invalid("name", "The name cannot contain control characters."));
    }
    Ok(name.to_owned())
}

/// Whether a new config becomes its provider's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultChoice {
    /// The first config of a provider becomes the default; later ones do not.
    Automatic,
    Yes,
    No,
}

pub async fn list(db: &impl ConnectionTrait, org_id: OrgId) -> ServiceResult<Vec<WorkloadIdentityConfig>> {
    config::Entity::find()
        .filter(config::Column::OrgId.eq(org_id.as_uuid()))
        .order_by_asc(config::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// One config of `org_id`; another organization's answers as not found.
pub async fn get(
    db: &impl ConnectionTrait,
    org_id: OrgId,
    id: WorkloadIdentityConfigId,
) -> ServiceResult<WorkloadIdentityConfig> {
    find_model(db, org_id, id).await?.try_into()
}

async fn find_model(
    db: &impl ConnectionTrait,
    org_id: OrgId,
    id: WorkloadIdentityConfigId,
) -> ServiceResult<config::Model> {
    config::Entity::find_by_id(id.as_uuid())
        .filter(config::Column::OrgId.eq(org_id.as_uuid()))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound { what: "The workload identity config" })
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Member,
    input: ConfigInput,
    default: DefaultChoice,
) -> ServiceResult<WorkloadIdentityConfig> {
    let (id, actor) = (WorkloadIdentityConfigId::new(), *actor);
    let created = retry_default_race(db, |txn| {
        let input = input.clone();
        Box::pin(async move {
            let is_default = match default {
                DefaultChoice::Yes => true,
                DefaultChoice::No => false,
                DefaultChoice::Automatic => !provider_has_configs(txn, actor.org_id, input.provider).await?,
            };
            if is_default {
                clear_default(txn, actor.org_id, input.provider).await?;
            }
            let now = Utc::now();
            let model = config::ActiveModel {
                id: Set(id.as_uuid()),
                org_id: Set(actor.org_id.as_uuid()),
                name: Set(input.name.clone()),
                provider: Set(input.provider.as_str().to_owned()),
                role_arn: Set(input.role_arn.to_string()),
                region: Set(input.region.as_str().to_owned()),
                is_default: Set(is_default),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await
            .map_err(|e| name_taken(e, &input.name))?;
            record(txn, &actor, "workload_identity.create", &model).await?;
            Ok(model)
        })
    })
    .await?;
    created.try_into()
}

/// Saves the edited fields; `is_default` makes it the default (clearing the other) or not.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Member,
    id: WorkloadIdentityConfigId,
    input: ConfigInput,
    is_default: bool,
) -> ServiceResult<WorkloadIdentityConfig> {
    let actor = *actor;
    let updated = retry_default_race(db, |txn| {
        let input = input.clone();
        Box::pin(async move {
            let existing = find_model(txn, actor.org_id, id).await?;
            if is_default {
                clear_default(txn, actor.org_id, input.provider).await?;
            }
            let mut model: config::ActiveModel = existing.into();
            model.name = Set(input.name.clone());
            model.provider = Set(input.provider.as_str().to_owned());
            model.role_arn = Set(input.role_arn.to_string());
            model.region = Set(input.region.as_str().to_owned());
            model.is_default = Set(is_default);
            model.updated_at = Set(Utc::now());
            let model = model.update(txn).await.map_err(|e| name_taken(e, &input.name))?;
            record(txn, &actor, "workload_identity.update", &model).await?;
            Ok(model)
        })
    })
    .await?;
    updated.try_into()
}

/// Makes `id` its provider's default and clears the previous default, in one transaction.
pub async fn make_default(
    db: &DatabaseConnection,
    actor: &Member,
    id: WorkloadIdentityConfigId,
) -> ServiceResult<WorkloadIdentityConfig> {
    let actor = *actor;
    let updated = retry_default_race(db, |txn| {
        Box::pin(async move {
            let existing = find_model(txn, actor.org_id, id).await?;
            if existing.is_default {
                return Ok(existing);
            }
            let provider: CloudProvider = existing.provider.parse()?;
            clear_default(txn, actor.org_id, provider).await?;
            let mut model: config::ActiveModel = existing.into();
            model.is_default = Set(true);
            model.updated_at = Set(Utc::now());
            let model = model.update(txn).await?;
            record(txn, &actor, "workload_identity.make_default", &model).await?;
            Ok(model)
        })
    })
    .await?;
    updated.try_into()
}

pub async fn delete(db: &impl TransactionTrait, actor: &Member, id: WorkloadIdentityConfigId) -> ServiceResult<()> {
    let txn = db.begin().await?;
    let existing = find_model(&txn, actor.org_id, id).await?;
    config::Entity::delete_by_id(existing.id).exec(&txn).await?;
    record(&txn, actor, "workload_identity.delete", &existing).await?;
    txn.commit().await?;
    Ok(())
}

async fn provider_has_configs(
    db: &impl ConnectionTrait,
    org_id: OrgId,
    provider: CloudProvider,
) -> ServiceResult<bool> {
    let count = config::Entity::find()
        .filter(config::Column::OrgId.eq(org_id.as_uuid()))
        .filter(config::Column::Provider.eq(provider.as_str()))
        .count(db)
        .await?;
    Ok(count > 0)
}

async fn clear_default(db: &impl ConnectionTrait, org_id: OrgId, provider: CloudProvider) -> ServiceResult<()> {
    config::Entity::update_many()
        .col_expr(config::Column::IsDefault, Expr::value(false))
        .filter(config::Column::OrgId.eq(org_id.as_uuid()))
        .filter(config::Column::Provider.eq(provider.as_str()))
        .filter(config::Column::IsDefault.eq(true))
        .exec(db)
        .await?;
    Ok(())
}

async fn record(txn: &impl ConnectionTrait, actor: &Member, action: &str, model: &config::Model) -> ServiceResult<()> {
    audit::record(
        txn,
        Change {
            org_id: Some(actor.org_id),
            actor: Actor::User(actor.user_id),
            action,
            target: format!("workload_identity_config:{}", model.id),
            details: json!({
                "name": model.name,
                "provider": model.provider,
                "role_arn": model.role_arn,
                "region": model.region,
                "default": model.is_default,
            }),
        },
    )
    .await
}

fn is_default_race(error: &DbErr) -> bool {
    // PostgreSQL names the index; SQLite names its columns.
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(message))
        if message.contains("uq_workload_identity_configs_default") || message.contains(".provider"))
}

/// Lost a race worth retrying: the default slot, or SQLite refusing to upgrade two readers'
/// locks to writers at once (it answers one of them "database is locked" instead of waiting).
fn lost_race(error: &DbErr) -> bool {
    is_default_race(error) || error.to_string().contains("database is locked")
}

fn name_taken(error: DbErr, name: &str) -> ServiceError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) if !is_default_race(&error) => ServiceError::invalid(
            "name",
            format!(
                "A workload identity config named '{name}' already exists in this organization; choose another name."
            ),
        ),
        _ => error.into(),
    }
}

type TxnFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = ServiceResult<T>> + Send + 'a>>;

/// Runs `work` in a transaction, again when a concurrent transaction took the default slot
/// between our clearing it and setting it: the database refused the second default, so no
/// request can leave two, and retrying makes the last request win as users expect.
async fn retry_default_race<T, F>(db: &DatabaseConnection, work: F) -> ServiceResult<T>
where
    F: for<'t> Fn(&'t DatabaseTransaction) -> TxnFuture<'t, T>,
{
    let mut attempt = 1;
    loop {
        let txn = db.begin().await?;
        let lost = match work(&txn).await {
            Ok(value) => match txn.commit().await {
                Ok(()) => return Ok(value),
                Err(error) if lost_race(&error) => error,
                Err(error) => return Err(error.into()),
            },
            Err(ServiceError::Database(error)) if lost_race(&error) => error,
            Err(error) => return Err(error),
        };
        if attempt == RACE_ATTEMPTS {
            return Err(lost.into());
        }
        // Spread the retries so the racers do not collide again in lockstep.
        let pause = 5 * attempt + u64::from(rand::random::<u8>() % 10);
        tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let error = ConfigInput::parse(" ", "gcp", "role/x", "mars-1").unwrap_err();
        let fields: Vec<_> = error.field_errors().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "provider", "role_arn", "region"]);
    }

    #[test]
    fn a_region_outside_the_roles_partition_is_refused() {
        let error = ConfigInput::parse("cn", "aws", "arn:aws:iam::123456789012:role/r", "cn-north-1").unwrap_err();
        let errors = error.field_errors();
        assert_eq!(errors[0].field, "region");
        assert!(errors[0].message.contains("aws-cn partition but the role is in aws"), "{}", errors[0].message);
    }

    #[test]
    fn a_valid_form_parses_into_typed_values() {
        let input = ConfigInput::parse(" aws-prod ", "AWS", "arn:aws:iam::123456789012:role/r", "eu-west-1").unwrap();
        assert_eq!(input.name, "aws-prod");
        assert_eq!(input.provider, CloudProvider::Aws);
        assert_eq!(input.region.as_str(), "eu-west-1");
    }
}
