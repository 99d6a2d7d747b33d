//! What server functions get from the server through Leptos context.
use std::sync::Arc;

use service::{
    access::AccessControl, aws::sdk::AwsSdk, db::DatabaseConnection, issuer::IssuerState, master_key::MasterKey,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub access: AccessControl,
    pub issuer: Arc<IssuerState>,
    pub aws: AwsSdk,
    /// Encrypts the secrets credentials store.
    pub master_key: Arc<MasterKey>,
}
