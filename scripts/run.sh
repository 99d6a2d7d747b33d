#!/usr/bin/env bash
# Builds Wisp and serves the demo on http://127.0.0.1:3000 (WISP_LISTEN to change).
# First start prepares data/: a development master key, a demo organization and its admin.
# A local AWS (moto) runs beside it with a demo role and secrets, so Test Connection passes.
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/local-aws.sh"
trap stop_local_aws EXIT INT TERM
ensure_apt curl
ensure_rust_tools
ensure_venv "$ROOT/tests/requirements.txt"
"$ROOT/scripts/build.sh" release
start_local_aws
"$ROOT/target/release/wisp" serve --demo "$@"
