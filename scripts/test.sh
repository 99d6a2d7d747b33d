#!/usr/bin/env bash
# Installs what the tests need, then runs every test: cargo tests on SQLite and on a real
# PostgreSQL server, then the browser tests against a freshly built server.
# Every server it starts listens on a free loopback port and is stopped on exit, pass or fail.
# Usage: scripts/test.sh [cargo|browser [playwright arguments...]]   (one phase only; default both)
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/postgres.sh"
source "$ROOT/scripts/local-aws.sh"
source "$ROOT/scripts/openbao.sh"

WISP_PID=""
E2E_DIR=""
cleanup() {
  [ -n "$WISP_PID" ] && kill "$WISP_PID" 2>/dev/null && { wait "$WISP_PID" 2>/dev/null || true; }
  stop_postgres
  stop_local_aws
  stop_openbao
  [ -n "$E2E_DIR" ] && rm -rf "$E2E_DIR"
  return 0
}
trap cleanup EXIT INT TERM

check_disk
ensure_apt chromium fonts-dejavu-core postgresql curl prometheus
ensure_rust_tools
ensure_npm "$ROOT/end2end"
ensure_venv "$ROOT/tests/requirements.txt"
export WISP_TEST_PYTHON="$ROOT/.venv/bin/python" WISP_TEST_WEED="$ROOT/.venv/bin/weed"

phase="${1:-all}"
[ $# -gt 0 ] && shift
case "$phase" in all|cargo|browser) ;; *) echo "usage: scripts/test.sh [cargo|browser [playwright arguments...]]" >&2; exit 2 ;; esac

# Two replicas on one PostgreSQL watched through two key rotations by caching relying parties:
# run once, on the database replicas share in production.
ROTATION=rotation::keys_rotate_on_two_replicas_and_no_caching_relying_party_ever_refuses_a_token
if [ "$phase" != browser ]; then
  say "cargo tests on SQLite, with the independent verifiers"
  cargo test --quiet -- --include-ignored --skip "$ROTATION"
  say "cargo tests on PostgreSQL"
  start_postgres
  WISP_TEST_POSTGRES_URL="$PG_URL" cargo test --quiet -p service -p server
  say "signing keys rotating on two replicas sharing PostgreSQL (about three minutes)"
  WISP_TEST_POSTGRES_URL="$PG_URL" cargo test --quiet -p server --test http -- --ignored --exact "$ROTATION" --nocapture
  stop_postgres
fi
[ "$phase" = cargo ] && exit 0

say "Browser tests"
"$ROOT/scripts/build.sh" debug
start_local_aws
start_openbao
E2E_DIR="$(mktemp -d /tmp/wisp-e2e.XXXXXX)"
port="$(free_port)"
export DATABASE_URL="sqlite://$E2E_DIR/wisp.db?mode=rwc" WISP_DATA_DIR="$E2E_DIR" \
  WISP_LISTEN="127.0.0.1:$port" LEPTOS_SITE_ROOT="$ROOT/target/site" RUST_LOG="${RUST_LOG:-warn}"
unset WISP_MASTER_KEY
# Wisp never sees the Vault admin's token: only the browser story, acting as that admin, does.
env -u BAO_TOKEN -u BAO_ADDR "$ROOT/target/debug/wisp" serve --demo >"$E2E_DIR/wisp.log" 2>&1 &
WISP_PID=$!
wait_for "http://127.0.0.1:$port/readyz" 60 || { cat "$E2E_DIR/wisp.log"; exit 1; }

demo() { sed -n "s/^$1=//p" "$E2E_DIR/demo-sign-in.txt"; }
wisp() { "$ROOT/target/debug/wisp" "$@"; }
password="e2e-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
org="$(demo organization)"
echo "$password" | wisp member add --org "$org" --email viewer@example.com --role viewer >/dev/null
echo "$password" | wisp member add --org "$org" --email member@example.com --role developer >/dev/null
second="$(echo "$password" | wisp admin create --org "Second Org" --email owner@second.example.com | sed -n 's/^Organization UUID: //p')"
wisp member add --org "$second" --email "$(demo email)" --role viewer </dev/null >/dev/null
# The Vault story's own organization, so nothing it adds shows in the AWS stories' pages.
vault_org="$(echo "$password" | wisp admin create --org "Vault Org" --email owner@vault.example.com | sed -n 's/^Organization UUID: //p')"

export WISP_E2E_URL="http://127.0.0.1:$port" WISP_E2E_ORG_ID="$org" \
  WISP_E2E_ADMIN_EMAIL="$(demo email)" WISP_E2E_ADMIN_PASSWORD="$(demo password)" \
  WISP_E2E_VIEWER_EMAIL=viewer@example.com WISP_E2E_VIEWER_PASSWORD="$password" \
  WISP_E2E_MEMBER_EMAIL=member@example.com \
  WISP_E2E_SECOND_ORG_ID="$second" WISP_E2E_SECOND_ORG_NAME="Second Org" \
  WISP_E2E_VAULT_ORG_ID="$vault_org" WISP_E2E_VAULT_OWNER_EMAIL=owner@vault.example.com \
  WISP_E2E_VAULT_OWNER_PASSWORD="$password" \
  WISP_E2E_BAO_BIN="$ROOT/.venv/bin/bao" \
  WISP_E2E_AWS_FAULTS_URL="$AWS_FAULTS_URL" WISP_E2E_AWS_URL="$AWS_ENDPOINT_URL" \
  WISP_E2E_WISP_BIN="$ROOT/target/debug/wisp" WISP_E2E_PYTHON="$ROOT/.venv/bin/python" WISP_E2E_ROLE_ARN="arn:aws:iam::123456789012:role/wisp-demo-secrets-reader"
(cd "$ROOT/end2end" && npx --no-install playwright test "$@") || { echo "--- wisp log ---"; tail -n 50 "$E2E_DIR/wisp.log"; exit 1; }
