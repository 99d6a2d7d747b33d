//! HTTP wiring around the Leptos app: health probes, cross-site protection, headers, sessions.
pub mod api_error;
pub mod health;
pub mod issuer;
pub mod origin;
pub mod router;
