use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

pub const ROLES: [&str; 4] = ["owner", "admin", "developer", "viewer"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: Uuid,
    pub email: String,
    pub role: String,
    pub is_you: bool,
}

#[server(endpoint = "members/list")]
pub async fn list_members() -> Result<Vec<MemberView>, AppError> {
    use crate::auth;
    use service::{
        accounts,
        permission::{Permission, Resource},
    };

    let (state, member) = auth::authorize(Permission::read(Resource::Members)).await?;
    let members = accounts::list_members(&state.db, member.org_id).await.or_else(auth::fail)?;
    Ok(members
        .into_iter()
        .map(|m| MemberView {
            user_id: m.user_id.as_uuid(),
            is_you: m.user_id == member.user_id,
            email: m.email,
            role: m.role.to_string(),
        })
        .collect())
}

#[server(endpoint = "members/change_role")]
pub async fn change_member_role(user_id: Uuid, role: String) -> Result<(), AppError> {
    use crate::auth;
    use service::{
        accounts,
        permission::{Permission, Resource, Role},
    };

    let (state, member) = auth::authorize(Permission::manage(Resource::Members)).await?;
    let role: Role = role.parse().or_else(auth::fail)?;
    accounts::change_role(&state.db, &member, user_id.into(), role).await.or_else(auth::fail)
}

#[server(endpoint = "members/remove")]
pub async fn remove_member(user_id: Uuid) -> Result<(), AppError> {
    use crate::auth;
    use service::{
        accounts,
        permission::{Permission, Resource},
    };

    let (state, member) = auth::authorize(Permission::manage(Resource::Members)).await?;
    accounts::remove_member(&state.db, &member, user_id.into()).await.or_else(auth::fail)
}
