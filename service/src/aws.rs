//! AWS: the values admins type (role ARNs, regions), what they paste into AWS, and the calls
//! Wisp makes there.
pub mod connection_test;
pub mod federation;
pub mod guidance;
pub mod sdk;
pub mod sessions;
pub mod trust_setup;
