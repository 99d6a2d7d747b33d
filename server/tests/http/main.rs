//! Wisp over HTTP: the real `wisp` binary against a real database (SQLite, or PostgreSQL when
//! WISP_TEST_POSTGRES_URL is set). Tests marked `ignore` need the test command's virtualenv
//! (PyJWT, OpenBao, SeaweedFS): `scripts/test.sh` runs them.
mod common;
mod fleet;
mod seaweed;

mod access;
mod audit_log;
mod automations;
mod backup;
mod deployments;
mod errors;
mod issuer;
mod matrix;
mod metrics;
mod openapi;
mod replicas;
mod rotation;
mod run_roles;
mod secret_providers;
mod vault;
mod web;
mod workload_identity;
