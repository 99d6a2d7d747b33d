use leptos::prelude::*;
use vocabulary::{access::Role, dto::members::MemberView, ids::UserId};

use crate::{codec::FormOrJson, error::AppError};

#[server(endpoint = "members/list", input = FormOrJson)]
pub async fn list_members() -> Result<Vec<MemberView>, AppError> {
    use service::{
        access::{Read, resource::Members},
        accounts,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Read<Members>>().await?;
    let members = accounts::list_members(&state.db, &proof).await?;
    Ok(members
        .into_iter()
        .map(|m| MemberView { is_you: m.user_id == proof.user_id(), user_id: m.user_id, email: m.email, role: m.role })
        .collect())
}

#[server(endpoint = "members/change_role", input = FormOrJson)]
pub async fn change_member_role(user_id: UserId, role: Role) -> Result<(), AppError> {
    use service::{
        access::{Manage, resource::Members},
        accounts,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<Members>>().await?;
    Ok(accounts::change_role(&state.db, &proof, user_id, role).await?)
}

#[server(endpoint = "members/remove", input = FormOrJson)]
pub async fn remove_member(user_id: UserId) -> Result<(), AppError> {
    use service::{
        access::{Manage, resource::Members},
        accounts,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Manage<Members>>().await?;
    Ok(accounts::remove_member(&state.db, &proof, user_id).await?)
}

crate::codec::form_or_json!(ListMembers, ChangeMemberRole, RemoveMember);
