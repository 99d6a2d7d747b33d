#!/usr/bin/env bash
# Bytes a first visit transfers in Chromium (headers and compressed bodies, empty cache), per file
# and in total, and the largest contentful paint, for the sign-in page and every signed-in page,
# against a release build serving the demo, then moving in the app from page to page; then the
# bundle's files raw, gzip and brotli: the shared part, each chunk, and what each page loads.
# Usage: bench/first-visit.sh
source "$(dirname "$0")/lib.sh"
ensure_apt chromium
ensure_npm "$ROOT/end2end"
"$ROOT/scripts/build.sh" release >/dev/null

port="$(free_port)"
export DATABASE_URL="sqlite://$work/wisp.db?mode=rwc" WISP_DATA_DIR="$work/data" LEPTOS_SITE_ROOT="$ROOT/target/site" \
  RUST_LOG=error
serve_wisp "$port" --demo
demo() { sed -n "s/^$1=//p" "$work/data/demo-sign-in.txt"; }
node "$ROOT/bench/first-visit.mjs" "http://127.0.0.1:$port" "$(demo email)" "$(demo password)"

echo
echo "the browser bundle (target/site/pkg; a route's line sums the chunks it loads beside the shared wisp.*):"
cat "$ROOT/target/bundle-sizes.txt"
