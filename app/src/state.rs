//! What server functions get from the server through Leptos context.
use std::sync::Arc;

use service::db::DatabaseConnection;
use service::{access::AccessControl, aws::sdk::AwsSdk, issuer::IssuerState};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub access: AccessControl,
    pub issuer: Arc<IssuerState>,
    pub aws: AwsSdk,
}
