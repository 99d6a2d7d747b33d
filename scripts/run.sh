#!/usr/bin/env bash
# Builds Wisp and serves the demo on http://127.0.0.1:3000 (WISP_LISTEN to change).
# First start prepares data/: a development master key, a demo organization and its admin.
source "$(dirname "$0")/lib.sh"
ensure_apt curl
ensure_rust_tools
"$ROOT/scripts/build.sh" release
exec "$ROOT/target/release/wisp" serve --demo "$@"
