//! Wisp's schema. Every migration runs unchanged on SQLite and PostgreSQL.
pub use sea_orm_migration::prelude::*;

pub mod constraints;
mod sqlite;

mod m20261122_000001_accounts;
mod m20261122_000002_workload_identity;
mod m20261123_000003_session_owner;
mod m20261123_000004_name_keys;
mod m20261123_000005_sign_in_throttle;
mod m20261124_000006_credentials;
mod m20261124_000007_automations;
mod m20261124_000008_deployments;
mod m20261124_000009_audit_log_filters;
mod m20261205_000010_keys;
mod m20261205_000011_run_roles;
mod m20261206_000012_vault;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_accounts::Migration),
            Box::new(m20261122_000002_workload_identity::Migration),
            Box::new(m20261123_000003_session_owner::Migration),
            Box::new(m20261123_000004_name_keys::Migration),
            Box::new(m20261123_000005_sign_in_throttle::Migration),
            Box::new(m20261124_000006_credentials::Migration),
            Box::new(m20261124_000007_automations::Migration),
            Box::new(m20261124_000008_deployments::Migration),
            Box::new(m20261124_000009_audit_log_filters::Migration),
            Box::new(m20261205_000010_keys::Migration),
            Box::new(m20261205_000011_run_roles::Migration),
            Box::new(m20261206_000012_vault::Migration),
        ]
    }
}
