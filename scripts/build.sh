#!/usr/bin/env bash
# Builds Wisp without cargo-leptos: the browser bundle (always size-optimised) and the server.
# The bundle is split by page (each page's code in chunks loaded when it is first shown) and
# published under content names with brotli and gzip copies, all by the workspace's `bundler`,
# which names them in target/site/hash.txt for the server.
# Usage: scripts/build.sh [release|debug]   (the server's profile; default release)
source "$(dirname "$0")/lib.sh"
profile="${1:-release}"
site="$ROOT/target/site"
wasm="$ROOT/target/wasm32-unknown-unknown/wasm-release/frontend.wasm"
assets=("$ROOT/style/main.css" "$ROOT/app/src/pages/login/sign-in.js")

say "Building the browser bundle"
cargo build --quiet -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
cargo build --quiet -p bundler
stale=0
[ -f "$site/hash.txt" ] || stale=1
for input in "$wasm" "${assets[@]}" "$ROOT/target/debug/bundler"; do
  if [ "$input" -nt "$site/hash.txt" ]; then stale=1; fi
done
if [ "$stale" = 1 ]; then
  # binaryen from npm: Debian's wasm-opt produces a bundle that fails to hydrate.
  PATH="$ROOT/tools/node_modules/.bin:$PATH" "$ROOT/target/debug/bundler" "$wasm" "$site" "${assets[@]}" >"$ROOT/target/bundle-sizes.txt"
fi
cp -r "$ROOT/public/." "$site/"

say "Building the server ($profile)"
if [ "$profile" = release ]; then
  cargo build --quiet --release -p server
else
  cargo build --quiet -p server
fi
