//! Web basics for pages: anonymous visitors of a signed-in page are sent to sign in (a real
//! 303, so it works without JavaScript and before the page loads) and brought back afterwards.
use axum::{
    extract::Request,
    http::Method,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

pub async fn require_sign_in(session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let page_view = matches!(*request.method(), Method::GET | Method::HEAD) && !path.starts_with("/api/");
    if page_view && path != app::LOGIN_PATH && !app::auth::is_signed_in(&session).await {
        let here = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
        return Redirect::to(&app::login_path(here)).into_response();
    }
    next.run(request).await
}

pub async fn home() -> Redirect {
    Redirect::to(app::HOME_PATH)
}
