//! Server functions: thin edges that authenticate, authorize, call `service`, and map the result.
pub mod members;
pub mod organization;
pub mod session;
pub mod workload_identity;
