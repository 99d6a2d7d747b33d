//! AWS: the values admins type (role ARNs, regions), what they paste into AWS, and the calls
//! Wisp makes there.
pub mod connection_test;
pub mod federation;
pub mod guidance;
pub mod sdk;
pub mod sessions;
pub mod trust_setup;

use crate::{issuer::IssuerState, master_key::MasterKey};

/// What a call to AWS on an organization's behalf needs of the server: the issuer (to sign in
/// with workload identity), the SDK with its kept sessions, and the master key (to open a
/// stored access key).
#[derive(Clone, Copy)]
pub struct Aws<'a> {
    pub issuer: &'a IssuerState,
    pub sdk: &'a sdk::AwsSdk,
    pub master_key: &'a MasterKey,
}
