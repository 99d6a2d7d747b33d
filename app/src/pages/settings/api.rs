use leptos::prelude::*;
use vocabulary::{dto::session::SessionInfo, ids::OrgId};

use crate::{codec::FormOrJson, error::AppError};

/// Who is signed in, where, and what they may do; `unauthenticated` when nobody is.
#[server(endpoint = "session", input = FormOrJson)]
pub async fn current_session() -> Result<SessionInfo, AppError> {
    use service::{
        access::{Read, resource::Organization},
        accounts,
    };
    use vocabulary::dto::session::OrgChoice;

    use crate::auth;

    let (state, proof) = auth::authorize::<Read<Organization>>().await?;
    let user = accounts::find_user(&state.db, proof.user_id()).await?;
    let orgs: Vec<OrgChoice> = accounts::organizations_of(&state.db, proof.user_id())
        .await?
        .into_iter()
        .map(|(org, role)| OrgChoice { id: org.id, name: org.name, role })
        .collect();
    let org = orgs
        .iter()
        .find(|o| o.id == proof.org_id())
        .cloned()
        .ok_or(service::ServiceError::NotFound { what: "The organization" })?;
    Ok(SessionInfo { email: user.email.to_string(), org, orgs, permissions: state.access.permissions(&proof) })
}

/// Works in `org_id` from now on: the same check as every call, in that organization.
#[server(endpoint = "switch_organization", input = FormOrJson)]
pub async fn switch_organization(org_id: OrgId) -> Result<(), AppError> {
    use service::access::{Read, resource::Organization};

    use crate::auth;

    let caller = auth::signed_in().await?;
    let proof = caller.authorize_in::<Read<Organization>>(org_id).await?;
    caller.select_org(&proof).await
}

crate::codec::form_or_json!(CurrentSession, SwitchOrganization);
