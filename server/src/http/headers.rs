//! Security headers: a Content-Security-Policy under which only this response's own scripts (they
//! carry its nonce) and Wisp's bundle run, and HSTS when Wisp is served over https.
use axum::http::{HeaderName, HeaderValue, header};
use leptos::{nonce::use_nonce, prelude::use_context};
use leptos_axum::ResponseOptions;

/// Leptos renders each page with a fresh nonce on its inline scripts; the policy names it.
pub fn content_security_policy() {
    let (Some(response), Some(nonce)) = (use_context::<ResponseOptions>(), use_nonce()) else { return };
    if let Ok(value) = HeaderValue::from_str(&policy(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Two years, without subdomains: those may not all be served over https.
pub const HSTS: (HeaderName, HeaderValue) =
    (header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=63072000"));
