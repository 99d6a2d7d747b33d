#!/usr/bin/env bash
# Builds Wisp without cargo-leptos: the browser bundle (always size-optimised) and the server.
# The bundle is published under content-hashed names, each with brotli and gzip copies made here,
# and named in target/site/assets.json, which the server reads at start.
# Usage: scripts/build.sh [release|debug]   (the server's profile; default release)
source "$(dirname "$0")/lib.sh"
profile="${1:-release}"
site="$ROOT/target/site"
wasm="$ROOT/target/wasm32-unknown-unknown/wasm-release/frontend.wasm"
stage="$ROOT/target/bundle"

ensure_apt brotli

say "Building the browser bundle"
cargo build --quiet -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
if [ ! -f "$stage/wisp.wasm" ] || [ "$wasm" -nt "$stage/wisp.wasm" ]; then
  rm -rf "$stage"
  mkdir -p "$stage"
  wasm-bindgen --target web --no-typescript --out-dir "$stage" --out-name wisp "$wasm"
  # binaryen from npm: Debian's wasm-opt produces a bundle that fails to hydrate.
  PATH="$ROOT/tools/node_modules/.bin:$PATH" wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$stage/wisp_bg.wasm" -o "$stage/wisp.wasm"
  # Leptos loads `<name>.wasm` (LEPTOS_OUTPUT_NAME is set at compile time, as cargo-leptos does).
  rm "$stage/wisp_bg.wasm"
fi

# The JavaScript glue and the WebAssembly change together, so they share one name.
digest() { cat "$@" | sha256sum | cut -c1-16; }
app="wisp-$(digest "$stage/wisp.js" "$stage/wisp.wasm")"
stylesheet="wisp-$(digest "$ROOT/style/main.css").css"
manifest="{\"app\":\"$app\",\"stylesheet\":\"$stylesheet\"}"
if [ "$(cat "$site/assets.json" 2>/dev/null)" != "$manifest" ] || [ ! -f "$site/pkg/$app.wasm.br" ]; then
  rm -rf "$site/pkg"
  mkdir -p "$site/pkg"
  cp "$stage/wisp.js" "$site/pkg/$app.js"
  cp "$stage/wisp.wasm" "$site/pkg/$app.wasm"
  cp "$ROOT/style/main.css" "$site/pkg/$stylesheet"
  for file in "$site/pkg/$app.js" "$site/pkg/$app.wasm" "$site/pkg/$stylesheet"; do
    gzip -9 -n -k "$file"
    brotli -q 11 -k "$file"
  done
  echo "$manifest" >"$site/assets.json"
fi
cp -r "$ROOT/public/." "$site/"

say "Building the server ($profile)"
if [ "$profile" = release ]; then
  cargo build --quiet --release -p server
else
  cargo build --quiet -p server
fi
