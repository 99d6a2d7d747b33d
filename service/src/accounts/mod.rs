//! Organizations, users and memberships: the operator's bootstrap, sign-in, and the member
//! management of `members`.
mod members;
mod sign_in;

use chrono::Utc;
use migration::constraints::{ORGANIZATION_NAME, ORGANIZATION_NAME_KEY};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::json;
use vocabulary::{
    access::Role,
    audit::{AuditAction, AuditTarget},
    ids::{OrgId, UserId},
    name::Name,
};

pub use self::{
    members::{MemberSummary, change_role, list_members, remove_member},
    sign_in::SignInGuard,
};
use crate::{
    access::{Authorized, Read, resource},
    audit::{self, Actor, Change},
    db::begin_write,
    db::{text::Text, unique::violates},
    email::Email,
    entity::{membership, organization, user},
    error::{ServiceError, ServiceResult},
    password::Password,
};

const MAX_ORG_NAME: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: OrgId,
    pub name: String,
}

impl From<organization::Model> for Organization {
    fn from(model: organization::Model) -> Self {
        Self { id: model.id.into(), name: model.name }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
}

/// A user who was added somewhere, and the password to hand over if the user is new.
#[derive(Debug)]
pub struct Enrolled {
    pub user_id: UserId,
    /// `Some` only when the user was created here without a chosen password.
    pub generated_password: Option<Password>,
    pub user_created: bool,
}

#[derive(Debug)]
pub struct Bootstrapped {
    pub organization: Organization,
    pub owner: Enrolled,
}

/// Audits a change to a user's account or membership in `org_id`.
async fn record_user_change(
    db: &impl ConnectionTrait,
    org_id: OrgId,
    actor: Actor,
    action: AuditAction,
    user_id: UserId,
    details: serde_json::Value,
) -> ServiceResult<()> {
    audit::record(db, Change { org_id: Some(org_id), actor, action, target: AuditTarget::User(user_id), details }).await
}

fn parse_org_name(name: &str) -> ServiceResult<Name> {
    Ok(Name::parse("name", name, MAX_ORG_NAME, "Acme")?)
}

/// Creates an organization and its first owner (the operator's bootstrap), in one transaction.
pub async fn create_organization(
    db: &impl TransactionTrait,
    name: &str,
    owner_email: &Email,
    owner_password: Option<Password>,
) -> ServiceResult<Bootstrapped> {
    let name = parse_org_name(name)?;
    let txn = begin_write(db).await?;
    let taken = || ServiceError::NameTaken { what: "An organization", name: name.to_string(), within_org: false };
    if organization::Entity::find().filter(organization::Column::NameKey.eq(name.key())).count(&txn).await? > 0 {
        return Err(taken());
    }
    let org = organization::ActiveModel {
        id: Set(OrgId::new().as_uuid()),
        name: Set(name.to_string()),
        name_key: Set(name.key().to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        // The key's index, or the older one on the name itself: either means the name is taken.
        if violates(&e, &ORGANIZATION_NAME_KEY) || violates(&e, &ORGANIZATION_NAME) { taken() } else { e.into() }
    })?;
    let org = Organization::from(org);
    audit::record(
        &txn,
        Change {
            org_id: Some(org.id),
            actor: Actor::Cli,
            action: AuditAction::OrganizationCreate,
            target: AuditTarget::Organization(org.id),
            details: json!({ "name": name.as_str() }),
        },
    )
    .await?;
    let owner = enroll(&txn, Actor::Cli, org.id, owner_email, Role::Owner, owner_password).await?;
    txn.commit().await?;
    Ok(Bootstrapped { organization: org, owner })
}

/// Adds `email` to an organization with `role`, creating the user when there is none: the
/// operator's path, from the command line, which no member's proof guards.
pub async fn add_member(
    db: &impl TransactionTrait,
    actor: Actor,
    org_id: OrgId,
    email: &Email,
    role: Role,
    password: Option<Password>,
) -> ServiceResult<Enrolled> {
    let txn = begin_write(db).await?;
    find_organization(&txn, org_id).await?;
    let enrolled = enroll(&txn, actor, org_id, email, role, password).await?;
    txn.commit().await?;
    Ok(enrolled)
}

async fn enroll(
    db: &impl ConnectionTrait,
    actor: Actor,
    org_id: OrgId,
    email: &Email,
    role: Role,
    password: Option<Password>,
) -> ServiceResult<Enrolled> {
    let existing = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(db).await?;
    let (user_id, generated_password, user_created) = match existing {
        Some(existing) => {
            let user_id = UserId::from(existing.id);
            let already = membership::Entity::find_by_id((org_id.as_uuid(), user_id.as_uuid())).one(db).await?;
            if let Some(already) = already {
                return Err(ServiceError::AlreadyMember { email: email.to_string(), role: already.role.0 });
            }
            (user_id, None, false)
        }
        None => {
            let (password, generated) = match password {
                Some(chosen) => (chosen, None),
                None => {
                    let generated = Password::generate();
                    (generated.clone(), Some(generated))
                }
            };
            let user_id = UserId::new();
            user::ActiveModel {
                id: Set(user_id.as_uuid()),
                email: Set(email.to_string()),
                password_hash: Set(password.hash().await?),
                created_at: Set(Utc::now()),
            }
            .insert(db)
            .await?;
            record_user_change(db, org_id, actor, AuditAction::UserCreate, user_id, json!({ "email": email.as_str() }))
                .await?;
            (user_id, generated, true)
        }
    };
    membership::ActiveModel {
        org_id: Set(org_id.as_uuid()),
        user_id: Set(user_id.as_uuid()),
        role: Set(Text(role)),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    record_user_change(
        db,
        org_id,
        actor,
        AuditAction::MemberAdd,
        user_id,
        json!({ "email": email.as_str(), "role": role.as_str() }),
    )
    .await?;
    Ok(Enrolled { user_id, generated_password, user_created })
}

/// Checks an e-mail and password. Unknown e-mails cost the same time as wrong passwords,
/// so sign-in does not reveal which addresses have accounts.
pub async fn authenticate(db: &impl ConnectionTrait, email: &str, password: &Password) -> ServiceResult<User> {
    let Ok(email) = email.parse::<Email>() else {
        password.spend_verification_time().await;
        return Err(ServiceError::InvalidCredentials);
    };
    let found = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(db).await?;
    match found {
        Some(found) if password.verify(&found.password_hash).await => Ok(User { id: found.id.into(), email }),
        Some(_) => Err(ServiceError::InvalidCredentials),
        None => {
            password.spend_verification_time().await;
            Err(ServiceError::InvalidCredentials)
        }
    }
}

pub async fn find_user(db: &impl ConnectionTrait, user_id: UserId) -> ServiceResult<User> {
    let found = user::Entity::find_by_id(user_id.as_uuid())
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound { what: "The user" })?;
    Ok(User { id: user_id, email: found.email.parse()? })
}

/// The proven member's organization.
pub async fn organization(
    db: &impl ConnectionTrait,
    reader: &Authorized<Read<resource::Organization>>,
) -> ServiceResult<Organization> {
    find_organization(db, reader.org_id()).await
}

/// Any organization by id: the operator's path, from the command line.
pub async fn find_organization(db: &impl ConnectionTrait, org_id: OrgId) -> ServiceResult<Organization> {
    organization::Entity::find_by_id(org_id.as_uuid())
        .one(db)
        .await?
        .map(Organization::from)
        .ok_or(ServiceError::NotFound { what: "The organization" })
}

/// The organizations a user belongs to, by name, with the user's role in each.
pub async fn organizations_of(db: &impl ConnectionTrait, user_id: UserId) -> ServiceResult<Vec<(Organization, Role)>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id.as_uuid()))
        .find_also_related(organization::Entity)
        .order_by_asc(organization::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(membership, org)| org.map(|org| (Organization::from(org), membership.role.0)))
        .collect())
}
