//! What a call to a secret provider on an organization's behalf needs of the server, for every
//! provider: AWS's clients with the issuer and master key, and Vault's client with its kept logins.
use crate::{aws::Aws, vault::client::VaultSdk};

#[derive(Clone, Copy)]
pub struct Providers<'a> {
    pub aws: Aws<'a>,
    pub vault: &'a VaultSdk,
}
