//! What server functions get from the server through Leptos context.
use std::sync::Arc;

use http::HeaderName;
use service::{
    access::AccessControl, accounts::SignInGuard, automations::secret_names::SecretNames, aws::sdk::AwsSdk,
    db::DatabaseConnection, deployments::id_tokens::IdTokens, issuer::IssuerState, master_key::MasterKey,
    providers::Providers, vault::client::VaultSdk,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub access: AccessControl,
    pub issuer: Arc<IssuerState>,
    pub aws: AwsSdk,
    /// Vault's HTTP client and its kept logins.
    pub vault: Arc<VaultSdk>,
    /// Encrypts the secrets credentials store.
    pub master_key: Arc<MasterKey>,
    pub sign_in: Arc<SignInGuard>,
    /// The Secret Name field's kept answers and per-user rate.
    pub secret_names: Arc<SecretNames>,
    /// The per-deployment rate of ID token requests.
    pub id_tokens: Arc<IdTokens>,
    /// The header a trusted reverse proxy puts the client's address in; without one, the
    /// connection's own address is the client's.
    pub client_ip_header: Option<HeaderName>,
}

impl AppState {
    /// What a call to AWS on an organization's behalf needs of the server.
    pub fn aws(&self) -> service::aws::Aws<'_> {
        service::aws::Aws { issuer: &self.issuer, sdk: &self.aws, master_key: &self.master_key }
    }

    /// What a call to any secret provider needs of the server.
    pub fn providers(&self) -> Providers<'_> {
        Providers { aws: self.aws(), vault: &self.vault }
    }
}
