//! One folder per page: its view, and in `api` the server functions it calls.
pub mod audit_log;
pub mod automations;
pub mod login;
pub mod members;
pub mod not_found;
pub mod organization;
pub mod secret_providers;
pub mod settings;
pub mod workload_identity;
