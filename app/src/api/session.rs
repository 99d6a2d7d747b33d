use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgChoice {
    pub id: Uuid,
    pub name: String,
    pub role: String,
}

/// What the signed-in user may open and change in the active organization, so the UI shows
/// only what can be used. The server checks every call regardless.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    pub organization_manage: bool,
    pub workload_identity_read: bool,
    pub workload_identity_manage: bool,
    pub secret_providers_read: bool,
    pub secret_providers_manage: bool,
    pub members_read: bool,
    pub members_manage: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub email: String,
    pub org: OrgChoice,
    pub orgs: Vec<OrgChoice>,
    pub can: Capabilities,
}

#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::auth;
    use service::{accounts, password::Password};

    let state = auth::state()?;
    let session = auth::session().await?;
    let user = accounts::authenticate(&state.db, &email, &Password::attempt(password)).await.or_else(auth::fail)?;
    // The organization is picked on first use (`auth::active_org`): the first by name.
    auth::sign_in(&session, user.id).await?;
    tracing::info!(user = %user.id, "signed in");
    leptos_axum::redirect("/settings/organization");
    Ok(())
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::auth;

    let session = auth::session().await?;
    auth::sign_out(&session).await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Who is signed in, where, and what they may do; `Unauthenticated` when nobody is.
#[server(endpoint = "session")]
pub async fn current_session() -> Result<SessionInfo, AppError> {
    use crate::auth;
    use service::{
        accounts,
        permission::{Permission, Resource},
    };

    let (state, member) = auth::authorize(Permission::read(Resource::Organization)).await?;
    let user = accounts::find_user(&state.db, member.user_id).await.or_else(auth::fail)?;
    let orgs: Vec<OrgChoice> = accounts::organizations_of(&state.db, member.user_id)
        .await
        .or_else(auth::fail)?
        .into_iter()
        .map(|(org, role)| OrgChoice { id: org.id.as_uuid(), name: org.name, role: role.to_string() })
        .collect();
    let org = orgs
        .iter()
        .find(|o| o.id == member.org_id.as_uuid())
        .cloned()
        .ok_or_else(|| AppError::NotFound("The organization was not found.".to_owned()))?;
    let held = state.access.permissions_of(member.role, member.org_id);
    let has = |p: Permission| held.contains(&p);
    let can = Capabilities {
        organization_manage: has(Permission::manage(Resource::Organization)),
        workload_identity_read: has(Permission::read(Resource::WorkloadIdentityConfigs)),
        workload_identity_manage: has(Permission::manage(Resource::WorkloadIdentityConfigs)),
        secret_providers_read: has(Permission::read(Resource::SecretProviders)),
        secret_providers_manage: has(Permission::manage(Resource::SecretProviders)),
        members_read: has(Permission::read(Resource::Members)),
        members_manage: has(Permission::manage(Resource::Members)),
    };
    Ok(SessionInfo { email: user.email.to_string(), org, orgs, can })
}

#[server(endpoint = "switch_organization")]
pub async fn switch_organization(org_id: Uuid) -> Result<(), AppError> {
    use crate::auth;
    use service::permission::{Permission, Resource};

    let state = auth::state()?;
    let session = auth::session().await?;
    let user = auth::signed_in_user(&session).await?;
    state
        .access
        .authorize(&state.db, user, org_id.into(), Permission::read(Resource::Organization))
        .await
        .or_else(auth::fail)?;
    auth::select_org(&session, Some(org_id.into())).await
}
