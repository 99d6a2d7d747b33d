use axum::{
    Router,
    http::{HeaderValue, header},
    middleware,
    routing::{any, get},
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use service::session_store::DbSessionStore;
use time::Duration;
use tower_http::{compression::CompressionLayer, set_header::SetResponseHeaderLayer};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use app::{App, Assets, shell, state::AppState};

use super::{
    assets, error, headers, health, issuer,
    metrics::{self, Exposure},
    origin, pages, worker,
};

pub const SESSION_COOKIE: &str = "wisp_session";

pub fn build(state: AppState, options: LeptosOptions, assets: Assets, exposure: Exposure) -> Router {
    // `/` is answered by a plain redirect, before any page renders.
    let routes: Vec<_> = generate_route_list(App).into_iter().filter(|route| route.path() != "/").collect();
    let public_origin = origin::PublicOrigin(state.issuer.url.as_ref().map(|url| url.origin()));
    // Cookies are `Secure` when users reach Wisp over https, which a public issuer requires.
    let secure = state.issuer.url.as_ref().is_some_and(|url| url.as_str().starts_with("https://"));
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(Duration::hours(12)));

    let probes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .with_state(state.db.clone());

    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(assets.clone());
            headers::content_security_policy();
        }
    };
    let app = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .route_layer(middleware::from_fn(pages::require_sign_in))
        .route("/", get(pages::home))
        .route("/api/{*rest}", any(|uri: axum::http::Uri| async move { error::not_found(uri.path()) }))
        .fallback(leptos_axum::file_and_error_handler_with_context(context, shell))
        .with_state(options.clone())
        .layer(middleware::from_fn(error::api_statuses))
        .layer(middleware::from_fn_with_state(public_origin, origin::same_origin_only))
        .layer(sessions)
        // Pages go out compressed like the bundle (a signed-in page's HTML shrinks about fivefold).
        // Pages only: they carry no secret beside text a request could reflect (BREACH), while a
        // server function's answer may (a deployment token).
        .layer(CompressionLayer::new().br(true).gzip(true).compress_when(is_html));

    let mut router = Router::new();
    if let Exposure::Here(handle) = &exposure {
        router = router.merge(metrics::routes(state.clone(), handle.clone()));
    }
    let router = router
        .merge(issuer::routes(state.issuer.clone()))
        .merge(worker::routes(state.clone()))
        .merge(probes)
        .merge(assets::routes(&options.site_root, &options.site_pkg_dir))
        .merge(app)
        // Signed-in pages must not come back from a cache after sign-out.
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")));
    // A layer of the router wraps each route, after matching: the route's pattern is known.
    let router = match exposure {
        Exposure::Off => router,
        Exposure::Here(_) | Exposure::Apart => router.layer(middleware::from_fn(metrics::record)),
    };
    if secure { router.layer(SetResponseHeaderLayer::overriding(headers::HSTS.0, headers::HSTS.1)) } else { router }
}

fn is_html(
    _: axum::http::StatusCode,
    _: axum::http::Version,
    headers: &axum::http::HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"))
}
