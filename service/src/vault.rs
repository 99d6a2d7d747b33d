//! HashiCorp Vault and OpenBao (which speaks the same API): Wisp logs in to the JWT auth method
//! with a token it minted and reads KV version 2 secrets with the Vault token it gets.
pub mod client;
pub mod connection_test;
pub mod guidance;
pub mod names;
pub mod secrets;
pub mod trust;
