use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationView {
    pub id: Uuid,
    pub name: String,
    pub issuer_url: Option<String>,
}

#[server(endpoint = "organization")]
pub async fn organization_details() -> Result<OrganizationView, AppError> {
    use crate::auth;
    use service::{
        accounts,
        permission::{Permission, Resource},
    };

    let (state, member) = auth::authorize(Permission::read(Resource::Organization)).await?;
    let org = accounts::find_organization(&state.db, member.org_id).await.or_else(auth::fail)?;
    Ok(OrganizationView { id: org.id.as_uuid(), name: org.name, issuer_url: state.issuer_url.clone() })
}
