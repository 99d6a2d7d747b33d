//! The browser bundle: content-hashed file names (from the manifest the build writes), served
//! precompressed (brotli or gzip, made at build) and cached for a year, since a new build has
//! new names.
use std::path::Path;

use axum::{
    Router,
    http::{HeaderValue, header},
    response::Response,
};
use serde::Deserialize;
use tower_http::services::ServeDir;

/// What `scripts/build.sh` writes to `<site root>/assets.json`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// The base name of the JavaScript and WebAssembly files: `wisp-<hash>`.
    pub app: String,
    /// The stylesheet's file name: `wisp-<hash>.css`.
    pub stylesheet: String,
}

impl Manifest {
    /// The built site's manifest; `None` when there is no built site (the pages then render but
    /// stay static).
    pub fn read(site_root: &str) -> Option<Self> {
        let text = std::fs::read_to_string(Path::new(site_root).join("assets.json")).ok()?;
        serde_json::from_str(&text).ok()
    }
}

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

pub fn routes(site_root: &str, pkg_dir: &str) -> Router {
    let files = ServeDir::new(Path::new(site_root).join(pkg_dir)).precompressed_br().precompressed_gzip();
    Router::new().nest_service(&format!("/{pkg_dir}"), files).layer(axum::middleware::map_response(cache_forever))
}

async fn cache_forever(mut response: Response) -> Response {
    if response.status().is_success() {
        response.headers_mut().insert(header::CACHE_CONTROL, IMMUTABLE);
    }
    response
}
