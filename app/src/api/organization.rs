use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyView {
    pub kid: String,
    pub alg: String,
    pub signing: bool,
}

/// The issuer as AWS will see it, and what would make AWS refuse it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerView {
    pub issuer: Option<String>,
    pub discovery_url: Option<String>,
    pub jwks_url: Option<String>,
    pub keys: Vec<KeyView>,
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationView {
    pub id: Uuid,
    pub name: String,
    pub issuer: IssuerView,
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
    let status = state.issuer.status();
    let issuer = IssuerView {
        issuer: status.issuer,
        discovery_url: status.discovery_url,
        jwks_url: status.jwks_url,
        keys: status
            .keys
            .into_iter()
            .map(|key| KeyView { kid: key.kid, alg: key.alg.as_str().to_owned(), signing: key.signing })
            .collect(),
        warnings: status.warnings,
    };
    Ok(OrganizationView { id: org.id.as_uuid(), name: org.name, issuer })
}
