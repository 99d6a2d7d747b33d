use axum::{extract::State, http::StatusCode, response::IntoResponse};
use service::db::{self, DatabaseConnection};

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers; load balancers should send traffic only when it does.
pub async fn readyz(State(db): State<DatabaseConnection>) -> impl IntoResponse {
    if db::ping(&db).await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "the database is not reachable")
    }
}
