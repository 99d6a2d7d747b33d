use axum::{
    Router,
    http::{HeaderValue, header},
    middleware,
    routing::get,
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use service::session_store::DbSessionStore;
use time::Duration;
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use app::{App, shell, state::AppState};

use super::{health, issuer, origin};

pub const SESSION_COOKIE: &str = "wisp_session";

pub fn build(state: AppState, options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    // Cookies are `Secure` when users reach Wisp over https, which a public issuer requires.
    let secure = state.issuer.url.as_ref().is_some_and(|url| url.as_str().starts_with("https://"));
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(Duration::hours(12)));

    // Bundle file names carry no content hash: browsers revalidate them on every load.
    let bundle = Router::new()
        .nest_service("/pkg", ServeDir::new(format!("{}/pkg", options.site_root)))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")));

    let probes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .with_state(state.db.clone());

    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let app = Router::new()
        .leptos_routes_with_context(&options, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
        .layer(middleware::from_fn(origin::same_origin_only))
        .layer(sessions);

    Router::new()
        .merge(issuer::routes(state.issuer.clone()))
        .merge(probes)
        .merge(bundle)
        .merge(app)
        // Signed-in pages must not come back from a cache after sign-out.
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
}
