//! A member's role and membership, changed by members holding `members: manage`. Owners alone
//! may make or unmake owners, and an organization always keeps one.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::json;
use vocabulary::{access::Role, audit::AuditAction, ids::UserId};

use super::record_user_change;
use crate::{
    access::{Authorized, Manage, Read, resource::Members},
    db::text::Text,
    db::{begin_write, lock_organization},
    entity::{membership, user},
    error::{ServiceError, ServiceResult},
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberSummary {
    pub user_id: UserId,
    pub email: String,
    pub role: Role,
}

pub async fn list_members(
    db: &impl ConnectionTrait,
    reader: &Authorized<Read<Members>>,
) -> ServiceResult<Vec<MemberSummary>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::OrgId.eq(reader.org_id().as_uuid()))
        .find_also_related(user::Entity)
        .order_by_asc(user::Column::Email)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(membership, user)| {
            user.map(|user| MemberSummary { user_id: user.id.into(), email: user.email, role: membership.role.0 })
        })
        .collect())
}

/// Checked under the organization's lock, with the actor's role as it is now: a concurrent
/// change may have demoted the actor since the request was authorized.
async fn check_owner_rules(
    db: &impl ConnectionTrait,
    actor: &Authorized<Manage<Members>>,
    current: Role,
    new_role: Option<Role>,
) -> ServiceResult<()> {
    let touches_owner = current == Role::Owner || new_role == Some(Role::Owner);
    if touches_owner && find_membership(db, actor, actor.user_id()).await?.role.0 != Role::Owner {
        return Err(ServiceError::OwnerOnly);
    }
    if current == Role::Owner && new_role != Some(Role::Owner) {
        let owners = membership::Entity::find()
            .filter(membership::Column::OrgId.eq(actor.org_id().as_uuid()))
            .filter(membership::Column::Role.eq(Text(Role::Owner)))
            .count(db)
            .await?;
        if owners <= 1 {
            return Err(ServiceError::LastOwner);
        }
    }
    Ok(())
}

/// The target is looked up in the actor's organization only, so a member of another
/// organization answers as not found.
async fn find_membership(
    db: &impl ConnectionTrait,
    actor: &Authorized<Manage<Members>>,
    user_id: UserId,
) -> ServiceResult<membership::Model> {
    membership::Entity::find_by_id((actor.org_id().as_uuid(), user_id.as_uuid()))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound { what: "The member" })
}

pub async fn change_role(
    db: &impl TransactionTrait,
    actor: &Authorized<Manage<Members>>,
    user_id: UserId,
    role: Role,
) -> ServiceResult<()> {
    let txn = begin_write(db).await?;
    lock_organization(&txn, actor.org_id()).await?;
    let target = find_membership(&txn, actor, user_id).await?;
    let previous = target.role.0;
    if previous == role {
        return Ok(());
    }
    check_owner_rules(&txn, actor, previous, Some(role)).await?;
    let mut active: membership::ActiveModel = target.into();
    active.role = Set(Text(role));
    active.update(&txn).await?;
    record_user_change(
        &txn,
        actor.org_id(),
        actor.actor(),
        AuditAction::MemberRoleChange,
        user_id,
        json!({ "from": previous.as_str(), "to": role.as_str() }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn remove_member(
    db: &impl TransactionTrait,
    actor: &Authorized<Manage<Members>>,
    user_id: UserId,
) -> ServiceResult<()> {
    let txn = begin_write(db).await?;
    lock_organization(&txn, actor.org_id()).await?;
    let target = find_membership(&txn, actor, user_id).await?;
    let role = target.role.0;
    check_owner_rules(&txn, actor, role, None).await?;
    membership::Entity::delete_by_id((actor.org_id().as_uuid(), user_id.as_uuid())).exec(&txn).await?;
    record_user_change(
        &txn,
        actor.org_id(),
        actor.actor(),
        AuditAction::MemberRemove,
        user_id,
        json!({ "role": role.as_str() }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
