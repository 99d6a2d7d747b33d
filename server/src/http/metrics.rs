//! `GET /metrics` in the Prometheus text format, and the tower middleware that counts every HTTP
//! request by its route's pattern (axum's `MatchedPath`, never the path itself, so ids in paths
//! do not become series). Built on the `metrics` facade with `metrics-exporter-prometheus`: the
//! service records where events happen without a registry passed down to it, and the exporter
//! writes the classic text format `promtool check metrics` reads. Gauges that describe a state (the
//! signing keys, the database pool) are sampled when scraped.
use std::time::Instant;

use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use service::metrics as figures;

use app::state::AppState;

/// Where `/metrics` is served, if anywhere. Requests are counted unless metrics are off.
pub enum Exposure {
    Off,
    /// On the main listener.
    Here(PrometheusHandle),
    /// On a listener of its own (`WISP_METRICS_LISTEN`).
    Apart,
}

/// Installs the process's recorder; from then on every recorded figure is kept for `/metrics`.
pub fn install() -> Result<PrometheusHandle, String> {
    let handle = PrometheusBuilder::new()
        .set_buckets(figures::DURATION_BUCKETS)
        .map_err(|e| format!("metrics buckets: {e}"))?
        .install_recorder()
        .map_err(|e| format!("cannot start the metrics recorder: {e}"))?;
    figures::describe();
    Ok(handle)
}

pub fn routes(state: AppState, handle: PrometheusHandle) -> Router {
    Router::new().route("/metrics", get(scrape)).with_state((state, handle))
}

async fn scrape(State((state, handle)): State<(AppState, PrometheusHandle)>) -> Response {
    let (keys, next_rotation) = state.issuer.key_census();
    figures::signing_keys(&keys, next_rotation);
    let (idle, in_use, max) = service::db::pool_figures(&state.db);
    figures::db_pool(idle, in_use, max);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}

/// Counts the request under its route's pattern (`fallback` when no route matched).
pub async fn record(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("fallback", MatchedPath::as_str).to_owned();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    figures::http_request(route, method, response.status().as_u16(), started.elapsed());
    response
}
