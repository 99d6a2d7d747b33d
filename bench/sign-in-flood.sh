#!/usr/bin/env bash
# Sign-in under a flood: a legitimate user's p95 and the server's peak memory, with and without
# 600 bad sign-ins from another loopback address (200 at a time). Release build, SQLite.
# Usage: bench/sign-in-flood.sh
source "$(dirname "$0")/lib.sh"
cargo build --quiet --release -p server

port="$(free_port)"
password="bench-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
export DATABASE_URL="sqlite://$work/wisp.db?mode=rwc" WISP_MASTER_KEY="$(openssl rand -base64 32)" RUST_LOG=error
echo "$password" | "$ROOT/target/release/wisp" admin create --org Bench --email user@bench.test >/dev/null
serve_wisp "$port"
python3 "$ROOT/bench/sign_in_flood.py" "http://127.0.0.1:$port" "$WISP_PID" user@bench.test "$password"
