use leptos::prelude::*;
use vocabulary::dto::organization::OrganizationView;

use crate::{codec::FormOrJson, error::AppError};

#[server(endpoint = "organization", input = FormOrJson)]
pub async fn organization_details() -> Result<OrganizationView, AppError> {
    use service::{
        access::{Read, resource::Organization},
        accounts,
    };

    use crate::auth;

    let (state, proof) = auth::authorize::<Read<Organization>>().await?;
    let org = accounts::organization(&state.db, &proof).await?;
    Ok(OrganizationView { id: org.id, name: org.name, issuer: state.issuer.status() })
}

crate::codec::form_or_json!(OrganizationDetails);
