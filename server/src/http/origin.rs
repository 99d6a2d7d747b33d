//! Refuses cross-site state changes: a request that could change something must come from a
//! page of this same site. Browsers send `Origin` on every such request. The site is the public
//! origin Wisp is configured with (its issuer's scheme, host and port); only without one does
//! the request's own `Host` stand in, and then only for http and https pages.
use axum::{
    body::Body,
    extract::State,
    http::{HeaderMap, Method, Request, header},
    middleware::Next,
    response::Response,
};

use vocabulary::ErrorCode;

use super::error::api_error;

/// Where Wisp's own pages are served from, when it is configured.
#[derive(Clone, Debug, Default)]
pub struct PublicOrigin(pub Option<String>);

pub async fn same_origin_only(State(public): State<PublicOrigin>, request: Request<Body>, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    match verdict(request.headers(), public.0.as_deref()) {
        Ok(()) => next.run(request).await,
        Err(message) => {
            tracing::warn!(path = %request.uri().path(), "refused a cross-site request: {message}");
            api_error(
                ErrorCode::CrossSiteRequest,
                message,
                "Send state-changing requests from Wisp's own pages, or from an API client without cookies.",
            )
        }
    }
}

fn verdict(headers: &HeaderMap, public: Option<&str>) -> Result<(), String> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    match headers.get(header::ORIGIN).map(|o| o.to_str().unwrap_or("")) {
        Some(origin) => {
            let ours = match public {
                Some(public) => origin == public,
                None => {
                    !host.is_empty()
                        && [format!("http://{host}"), format!("https://{host}")].iter().any(|o| o == origin)
                }
            };
            if ours { Ok(()) } else { Err(format!("the request came from {origin}, not from this site")) }
        }
        // Without cookies there is no session for another site to ride on (worker API clients).
        None if !headers.contains_key(header::COOKIE) => Ok(()),
        None => Err("the request carries a session cookie but no Origin header".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.clone(), HeaderValue::from_str(v).unwrap())).collect()
    }

    fn verdict(headers: &HeaderMap) -> Result<(), String> {
        super::verdict(headers, None)
    }

    #[test]
    fn with_a_public_origin_only_that_exact_origin_passes_whatever_the_host_says() {
        let public = Some("https://wisp.example");
        let from = |host: &str, origin: &str| {
            super::verdict(&headers(&[(header::HOST, host), (header::ORIGIN, origin)]), public)
        };
        assert!(from("wisp.example", "https://wisp.example").is_ok());
        for (host, origin) in [
            ("evil.example", "http://evil.example"),
            ("wisp.example", "http://wisp.example"),
            ("wisp.example", "https://wisp.example:8443"),
            ("wisp.example", "foo://wisp.example"),
        ] {
            assert!(from(host, origin).is_err(), "{host} {origin}");
        }
    }

    #[test]
    fn same_site_passes() {
        assert!(
            verdict(&headers(&[(header::HOST, "wisp.test:3000"), (header::ORIGIN, "http://wisp.test:3000")])).is_ok()
        );
        assert!(verdict(&headers(&[(header::HOST, "wisp.test"), (header::ORIGIN, "https://wisp.test")])).is_ok());
    }

    #[test]
    fn other_sites_and_lookalikes_are_refused() {
        for origin in [
            "http://evil.test",
            "http://wisp.test:3001",
            "http://wisp.test.evil.test",
            "foo://wisp.test:3000",
            "null",
            "",
        ] {
            let h = headers(&[(header::HOST, "wisp.test:3000"), (header::ORIGIN, origin)]);
            assert!(verdict(&h).is_err(), "{origin}");
        }
    }

    #[test]
    fn cookies_without_origin_are_refused_but_cookieless_clients_pass() {
        assert!(verdict(&headers(&[(header::HOST, "wisp.test"), (header::COOKIE, "wisp_session=x")])).is_err());
        assert!(verdict(&headers(&[(header::HOST, "wisp.test")])).is_ok());
    }
}
