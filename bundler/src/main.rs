//! Makes the browser bundle from the linked frontend wasm: splits it by page (the lazy routes'
//! split points, as cargo-leptos `--split` does), runs wasm-bindgen and wasm-opt, names every file
//! by its content, precompresses each (brotli, gzip) and writes the file Leptos reads the names
//! from. The server then preloads a route's chunks and serves them `immutable`.
//!
//! Usage: `bundler <frontend.wasm linked with --emit-relocs> <site root> [<asset>...]`
//! (`wasm-bindgen` and `wasm-opt` on PATH). Each asset (the stylesheet, the sign-in page's script)
//! is published beside the bundle under a content name, which the hash file gives the server.
mod names;
mod pipeline;

use std::{path::PathBuf, process::ExitCode};

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [wasm, site, assets @ ..] = args.as_slice() else {
        eprintln!("usage: bundler <frontend.wasm> <site root> [<asset>...]");
        return ExitCode::from(2);
    };
    match pipeline::run(wasm, site, assets) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("bundler: {error}");
            ExitCode::FAILURE
        }
    }
}
