//! What server functions get from the server through Leptos context.
use service::access::AccessControl;
use service::db::DatabaseConnection;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub access: AccessControl,
    /// `OIDC_ISSUER`, when configured.
    pub issuer_url: Option<String>,
}
