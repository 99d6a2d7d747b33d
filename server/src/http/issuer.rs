//! The issuer's public endpoints, what AWS STS reads: discovery and JWKS.
use std::sync::Arc;

use axum::{
    Router,
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use service::issuer::{Issuer, IssuerState, documents::Document};

use vocabulary::ErrorCode;

use super::error::api_error;

const DISCOVERY: &str = "/.well-known/openid-configuration";
const JWKS: &str = "/oauth2/jwks";

pub fn routes(state: Arc<IssuerState>) -> Router {
    let mut router = Router::new();
    // Relying parties build the URLs from the issuer, so an issuer with a path serves them there too.
    let prefixes = std::iter::once("").chain(state.url.as_ref().and_then(|url| url.path_prefix()));
    for prefix in prefixes {
        router =
            router.route(&format!("{prefix}{DISCOVERY}"), get(discovery)).route(&format!("{prefix}{JWKS}"), get(jwks));
    }
    router.with_state(state)
}

async fn discovery(State(state): State<Arc<IssuerState>>, headers: HeaderMap) -> Response {
    serve(&state, &headers, |issuer| &issuer.discovery, "application/json")
}

async fn jwks(State(state): State<Arc<IssuerState>>, headers: HeaderMap) -> Response {
    serve(&state, &headers, |issuer| &issuer.jwks, "application/jwk-set+json")
}

fn serve(
    state: &IssuerState,
    headers: &HeaderMap,
    pick: fn(&Issuer) -> &Document,
    content_type: &'static str,
) -> Response {
    let issuer = match state.ready() {
        Ok(issuer) => issuer,
        Err(reason) => {
            return api_error(
                ErrorCode::IssuerNotConfigured,
                reason,
                "Until it is set, AWS cannot verify Wisp's tokens; the rest of Wisp works.",
            );
        }
    };
    let document = pick(&issuer);
    let cache = HeaderValue::from_str(&format!("public, max-age={}", state.max_age_seconds)).expect("a valid header");
    let etag = HeaderValue::from_str(&document.etag).expect("an ETag is hex in quotes");
    let common = [
        (header::CACHE_CONTROL, cache),
        (header::ETAG, etag),
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
    ];
    let revalidating =
        headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| document.matches(v));
    if revalidating {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (common, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], Body::from(document.body.clone()))
        .into_response()
}
