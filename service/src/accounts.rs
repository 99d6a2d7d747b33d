//! Organizations, users and memberships: bootstrap, sign-in, and member management.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::json;

use crate::{
    access::Member,
    audit::{self, Actor, Change},
    email::Email,
    entity::{membership, organization, user},
    error::{ServiceError, ServiceResult},
    ids::{OrgId, UserId},
    password::Password,
    permission::Role,
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberSummary {
    pub user_id: UserId,
    pub email: String,
    pub role: Role,
}

/// Audits a change to a user's account or membership in `org_id`.
async fn record_user_change(
    db: &impl ConnectionTrait,
    org_id: OrgId,
    actor: Actor,
    action: &str,
    user_id: UserId,
    details: serde_json::Value,
) -> ServiceResult<()> {
    audit::record(db, Change { org_id: Some(org_id), actor, action, target: format!("user:{user_id}"), details }).await
}

fn parse_org_name(name: &str) -> ServiceResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ServiceError::invalid("name", "Enter a name for the organization."));
    }
    if name.chars().count() > MAX_ORG_NAME {
        return Err(ServiceError::invalid("name", format!("Use at most {MAX_ORG_NAME} characters for the name.")));
    }
    Ok(name.to_owned())
}

/// Creates an organization and its first owner (the operator's bootstrap), in one transaction.
pub async fn create_organization(
    db: &impl TransactionTrait,
    name: &str,
    owner_email: &Email,
    owner_password: Option<Password>,
) -> ServiceResult<Bootstrapped> {
    let name = parse_org_name(name)?;
    let txn = db.begin().await?;
    let taken = organization::Entity::find().filter(organization::Column::Name.eq(&name)).count(&txn).await? > 0;
    if taken {
        return Err(ServiceError::Conflict(format!(
            "An organization named '{name}' already exists. Choose another name, or add members to it with `wisp member add`."
        )));
    }
    let org = organization::ActiveModel {
        id: Set(OrgId::new().as_uuid()),
        name: Set(name.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let org = Organization::from(org);
    audit::record(
        &txn,
        Change {
            org_id: Some(org.id),
            actor: Actor::Cli,
            action: "organization.create",
            target: format!("organization:{}", org.id),
            details: json!({ "name": name }),
        },
    )
    .await?;
    let owner = enroll(&txn, Actor::Cli, org.id, owner_email, Role::Owner, owner_password).await?;
    txn.commit().await?;
    Ok(Bootstrapped { organization: org, owner })
}

/// Adds `email` to an organization with `role`, creating the user when there is none.
/// `actor` is the operator (CLI) or a member allowed to manage members.
pub async fn add_member(
    db: &impl TransactionTrait,
    actor: Actor,
    org_id: OrgId,
    email: &Email,
    role: Role,
    password: Option<Password>,
) -> ServiceResult<Enrolled> {
    let txn = db.begin().await?;
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
                return Err(ServiceError::Conflict(format!(
                    "{email} is already a member of this organization, as {}. Change the role instead.",
                    already.role
                )));
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
            record_user_change(db, org_id, actor, "user.create", user_id, json!({ "email": email.as_str() })).await?;
            (user_id, generated, true)
        }
    };
    membership::ActiveModel {
        org_id: Set(org_id.as_uuid()),
        user_id: Set(user_id.as_uuid()),
        role: Set(role.as_str().to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    record_user_change(
        db,
        org_id,
        actor,
        "member.add",
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

pub async fn find_organization(db: &impl ConnectionTrait, org_id: OrgId) -> ServiceResult<Organization> {
    organization::Entity::find_by_id(org_id.as_uuid())
        .one(db)
        .await?
        .map(Organization::from)
        .ok_or(ServiceError::NotFound { what: "The organization" })
}

/// The organizations a user belongs to, by name, with the user's role in each.
pub async fn organizations_of(db: &impl ConnectionTrait, user_id: UserId) -> ServiceResult<Vec<(Organization, Role)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id.as_uuid()))
        .find_also_related(organization::Entity)
        .order_by_asc(organization::Column::Name)
        .all(db)
        .await?;
    rows.into_iter()
        .filter_map(|(membership, org)| org.map(|org| membership.role().map(|role| (Organization::from(org), role))))
        .collect()
}

pub async fn list_members(db: &impl ConnectionTrait, org_id: OrgId) -> ServiceResult<Vec<MemberSummary>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::OrgId.eq(org_id.as_uuid()))
        .find_also_related(user::Entity)
        .order_by_asc(user::Column::Email)
        .all(db)
        .await?;
    rows.into_iter()
        .filter_map(|(membership, user)| {
            user.map(|user| {
                membership.role().map(|role| MemberSummary { user_id: user.id.into(), email: user.email, role })
            })
        })
        .collect()
}

/// Owners alone may make or unmake owners, and an organization always keeps one.
async fn check_owner_rules(
    db: &impl ConnectionTrait,
    actor: &Member,
    target: &membership::Model,
    new_role: Option<Role>,
) -> ServiceResult<()> {
    let current = target.role()?;
    let touches_owner = current == Role::Owner || new_role == Some(Role::Owner);
    if touches_owner && actor.role != Role::Owner {
        return Err(ServiceError::Refused(
            "Only an owner can grant, change or remove the owner role. Ask an owner of this organization.".to_owned(),
        ));
    }
    if current == Role::Owner && new_role != Some(Role::Owner) {
        let owners = membership::Entity::find()
            .filter(membership::Column::OrgId.eq(actor.org_id.as_uuid()))
            .filter(membership::Column::Role.eq(Role::Owner.as_str()))
            .count(db)
            .await?;
        if owners <= 1 {
            return Err(ServiceError::Refused(
                "An organization needs at least one owner. Make another member an owner first.".to_owned(),
            ));
        }
    }
    Ok(())
}

async fn find_membership(
    db: &impl ConnectionTrait,
    org_id: OrgId,
    user_id: UserId,
) -> ServiceResult<membership::Model> {
    membership::Entity::find_by_id((org_id.as_uuid(), user_id.as_uuid()))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound { what: "The member" })
}

/// `actor` must already hold `members: manage` in its organization; the target is looked up
/// there only, so a member of another organization answers as not found.
pub async fn change_role(db: &impl TransactionTrait, actor: &Member, user_id: UserId, role: Role) -> ServiceResult<()> {
    let txn = db.begin().await?;
    let target = find_membership(&txn, actor.org_id, user_id).await?;
    let previous = target.role()?;
    if previous == role {
        return Ok(());
    }
    check_owner_rules(&txn, actor, &target, Some(role)).await?;
    let mut active: membership::ActiveModel = target.into();
    active.role = Set(role.as_str().to_owned());
    active.update(&txn).await?;
    record_user_change(
        &txn,
        actor.org_id,
        Actor::User(actor.user_id),
        "member.role_change",
        user_id,
        json!({ "from": previous.as_str(), "to": role.as_str() }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn remove_member(db: &impl TransactionTrait, actor: &Member, user_id: UserId) -> ServiceResult<()> {
    let txn = db.begin().await?;
    let target = find_membership(&txn, actor.org_id, user_id).await?;
    check_owner_rules(&txn, actor, &target, None).await?;
    let role = target.role.clone();
    membership::Entity::delete_by_id((actor.org_id.as_uuid(), user_id.as_uuid())).exec(&txn).await?;
    record_user_change(
        &txn,
        actor.org_id,
        Actor::User(actor.user_id),
        "member.remove",
        user_id,
        json!({ "role": role }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
