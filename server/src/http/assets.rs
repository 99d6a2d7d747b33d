//! The browser bundle: content-hashed file names (from the hash file the build writes), served
//! precompressed (brotli or gzip, made at build) and cached for a year, since a new build has
//! new names.
use std::path::{Path, PathBuf};

use app::Assets;

use axum::{
    Router,
    http::{HeaderValue, header},
    response::Response,
};
use tower_http::services::ServeDir;

/// The bundle as the build published it (`bundler` writes `<site root>/hash.txt`, which Leptos
/// also reads for the names of the bundle and of each page's chunks).
#[derive(Clone, Debug)]
pub struct Bundle {
    /// The hash file's absolute path, for Leptos.
    pub hash_file: PathBuf,
    pub assets: Assets,
}

impl Bundle {
    /// The built site's bundle; `None` when there is no built site (the pages then render but
    /// stay static).
    pub fn read(site_root: &str) -> Option<Self> {
        let hash_file = std::path::absolute(Path::new(site_root).join(HASH_FILE)).ok()?;
        let text = std::fs::read_to_string(&hash_file).ok()?;
        let published = |source: &str| {
            text.lines()
                .find_map(|line| line.split_once(':').filter(|(name, _)| name.trim() == source))
                .map(|(_, name)| name.trim().to_owned())
        };
        let assets = Assets { stylesheet: published(STYLESHEET)?, sign_in_script: Some(published(SIGN_IN_SCRIPT)?) };
        Some(Self { hash_file, assets })
    }
}

/// What the hash file calls the files that are not part of the WebAssembly bundle.
pub const HASH_FILE: &str = "hash.txt";
pub const STYLESHEET: &str = "main.css";
pub const SIGN_IN_SCRIPT: &str = "sign-in.js";

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

pub fn routes(site_root: &str, pkg_dir: &str) -> Router {
    let files = ServeDir::new(Path::new(site_root).join(pkg_dir)).precompressed_br().precompressed_gzip();
    Router::new().nest_service(&format!("/{pkg_dir}"), files).layer(axum::middleware::map_response(cache_forever))
}

async fn cache_forever(mut response: Response) -> Response {
    if response.status().is_success() {
        response.headers_mut().insert(header::CACHE_CONTROL, IMMUTABLE);
        // The same name answers brotli, gzip or plain bytes: a shared cache must keep them apart.
        response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}
