//! HTTP wiring around the Leptos app: the bundle, health probes, sign-in redirects, cross-site
//! protection, error statuses, headers, sessions.
pub mod assets;
pub mod error;
pub mod headers;
pub mod health;
pub mod issuer;
pub mod metrics;
pub mod openapi;
pub mod origin;
pub mod pages;
pub mod router;
pub mod worker;
