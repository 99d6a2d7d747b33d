#!/usr/bin/env bash
# Bytes a first visit to the sign-in page transfers in Chromium (headers and compressed bodies,
# empty cache), per file and in total, against a release build serving the demo.
# Usage: bench/first-visit.sh
source "$(dirname "$0")/lib.sh"
ensure_apt chromium
ensure_npm "$ROOT/end2end"
"$ROOT/scripts/build.sh" release >/dev/null

port="$(free_port)"
export DATABASE_URL="sqlite://$work/wisp.db?mode=rwc" WISP_DATA_DIR="$work/data" LEPTOS_SITE_ROOT="$ROOT/target/site" \
  RUST_LOG=error
serve_wisp "$port" --demo
node "$ROOT/bench/first-visit.mjs" "http://127.0.0.1:$port/login"
