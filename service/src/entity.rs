//! sea-orm entities, one module per table.
pub mod audit_log;
pub mod automation;
pub mod credential;
pub mod deployment;
pub mod deployment_variable;
pub mod environment_variable;
pub mod keyring;
pub mod kickoff;
pub mod membership;
pub mod organization;
pub mod session;
pub mod sign_in_throttle;
pub mod signing_key;
pub mod user;
pub mod workload_identity_config;
