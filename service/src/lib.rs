//! Wisp's domain, free of any UI: every rule lives here and is tested without a browser.
pub mod access;
pub mod accounts;
pub mod audit;
pub mod automations;
pub mod aws;
mod bearer;
pub mod connection_test;
pub mod db;
pub mod deployments;
pub mod email;
pub mod entity;
pub mod error;
pub mod expiring;
pub mod files;
pub mod guidance;
pub mod issuer;
pub mod master_key;
pub mod metrics;
pub mod password;
pub mod providers;
pub mod references;
pub mod secret_providers;
pub mod secret_values;
pub mod session_store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod time;
pub mod vault;
pub mod workload_identity;

pub use error::{ServiceError, ServiceResult};
