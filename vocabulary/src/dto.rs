//! What server functions send to the browser: one module per page.
pub mod audit;
pub mod automations;
pub mod connection;
pub mod deployments;
pub mod members;
pub mod organization;
pub mod secret_providers;
pub mod session;
pub mod workload_identity;
