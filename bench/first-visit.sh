#!/usr/bin/env bash
# Bytes a first visit to the sign-in page transfers in Chromium (headers and compressed bodies,
# empty cache), per file and in total, against a release build serving the demo.
# Usage: bench/first-visit.sh
source "$(dirname "$0")/../scripts/lib.sh"
ensure_apt chromium
ensure_npm "$ROOT/end2end"
"$ROOT/scripts/build.sh" release >/dev/null

work="$(mktemp -d /tmp/wisp-bench.XXXXXX)"
WISP_PID=""
cleanup() {
  [ -n "$WISP_PID" ] && kill "$WISP_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

port="$(free_port)"
DATABASE_URL="sqlite://$work/wisp.db?mode=rwc" WISP_DATA_DIR="$work" WISP_LISTEN="127.0.0.1:$port" \
  LEPTOS_SITE_ROOT="$ROOT/target/site" RUST_LOG=error "$ROOT/target/release/wisp" serve --demo >"$work/wisp.log" 2>&1 &
WISP_PID=$!
wait_for "http://127.0.0.1:$port/readyz" 30
node "$ROOT/bench/first-visit.mjs" "http://127.0.0.1:$port/login"
