//! Refuses cross-site state changes: a request that could change something must come from a
//! page of this same site. Browsers send `Origin` on every such request.
use axum::{
    body::Body,
    http::{Method, Request, header},
    middleware::Next,
    response::Response,
};

use vocabulary::ErrorCode;

use super::error::api_error;

pub async fn same_origin_only(request: Request<Body>, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    match verdict(request.headers()) {
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

fn verdict(headers: &axum::http::HeaderMap) -> Result<(), String> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match headers.get(header::ORIGIN).map(|o| o.to_str().unwrap_or("")) {
        Some(origin) => {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest);
            if origin_host.is_some() && origin_host == host {
                Ok(())
            } else {
                Err(format!("the request came from {origin}, not from this site"))
            }
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

    #[test]
    fn same_site_passes() {
        assert!(
            verdict(&headers(&[(header::HOST, "wisp.test:3000"), (header::ORIGIN, "http://wisp.test:3000")])).is_ok()
        );
        assert!(verdict(&headers(&[(header::HOST, "wisp.test"), (header::ORIGIN, "https://wisp.test")])).is_ok());
    }

    #[test]
    fn other_sites_and_lookalikes_are_refused() {
        for origin in ["http://evil.test", "http://wisp.test:3001", "http://wisp.test.evil.test", "null", ""] {
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
