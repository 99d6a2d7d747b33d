#!/usr/bin/env bash
# Builds Wisp without cargo-leptos: the browser bundle (always size-optimised) and the server.
# Usage: scripts/build.sh [release|debug]   (the server's profile; default release)
source "$(dirname "$0")/lib.sh"
profile="${1:-release}"
site="$ROOT/target/site"
wasm="$ROOT/target/wasm32-unknown-unknown/wasm-release/frontend.wasm"
bundle="$site/pkg/wisp.wasm"

say "Building the browser bundle"
cargo build --quiet -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
if [ ! -f "$bundle" ] || [ "$wasm" -nt "$bundle" ]; then
  rm -rf "$site/pkg"
  mkdir -p "$site/pkg"
  wasm-bindgen --target web --no-typescript --out-dir "$site/pkg" --out-name wisp "$wasm"
  # binaryen from npm: Debian's wasm-opt produces a bundle that fails to hydrate.
  PATH="$ROOT/tools/node_modules/.bin:$PATH" wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$site/pkg/wisp_bg.wasm" -o "$bundle"
  # Leptos loads `<name>.wasm`, as cargo-leptos names it.
  rm "$site/pkg/wisp_bg.wasm"
fi
cp "$ROOT/style/main.css" "$site/pkg/wisp.css"
cp -r "$ROOT/public/." "$site/"

say "Building the server ($profile)"
if [ "$profile" = release ]; then
  cargo build --quiet --release -p server
else
  cargo build --quiet -p server
fi
