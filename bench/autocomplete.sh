#!/usr/bin/env bash
# The Secret Name autocomplete: 10,000 secrets in the local AWS, 20 people typing at once; Wisp's
# answer times beside a direct ListSecrets call for the same queries, and Wisp's AWS calls.
# Release build, SQLite, a Workload Identity credential. Usage: bench/autocomplete.sh
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/local-aws.sh"
trap 'stop_local_aws; stop_background' EXIT INT TERM

ensure_venv "$ROOT/tests/requirements.txt"
cargo build --quiet --release -p server
start_local_aws >/dev/null

users=20
password="bench-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
export DATABASE_URL="sqlite://$work/wisp.db?mode=rwc" WISP_DATA_DIR="$work" RUST_LOG=error
unset WISP_MASTER_KEY
port="$(free_port)"
serve_wisp "$port" --demo
demo() { sed -n "s/^$1=//p" "$work/demo-sign-in.txt"; }
org="$(demo organization)"
for n in $(seq 0 $((users - 1))); do
  echo "$password" | "$ROOT/target/release/wisp" member add --org "$org" --email "typist$n@bench.test" --role developer >/dev/null
done
"$ROOT/.venv/bin/python" "$ROOT/bench/autocomplete.py" "http://127.0.0.1:$port" "$AWS_ENDPOINT_URL" "$AWS_EMULATOR_URL" \
  "$(demo email)" "$(demo password)" typist "$password" "$users"
