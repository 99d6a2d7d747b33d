//! HTTP wiring around the Leptos app: health probes, cross-site protection, headers, sessions.
pub mod health;
pub mod origin;
pub mod router;
