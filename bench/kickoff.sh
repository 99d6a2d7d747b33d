#!/usr/bin/env bash
# Kickoffs of 1, 10 and 50 Workload-Identity-backed secrets with 50 ms of latency on every AWS
# call (the fault proxy's latency mode): warm and cold STS sessions, 20 workers at once, Wisp's CPU
# time per kickoff and peak RSS. Release build, SQLite, moto. Usage: bench/kickoff.sh
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/local-aws.sh"
trap 'stop_local_aws; stop_background' EXIT INT TERM

ensure_venv "$ROOT/tests/requirements.txt"
cargo build --quiet --release -p server
start_local_aws >/dev/null

export DATABASE_URL="sqlite://$work/wisp.db?mode=rwc" WISP_DATA_DIR="$work" RUST_LOG=error
unset WISP_MASTER_KEY
port="$(free_port)"
python="$ROOT/.venv/bin/python"
state="$work/state.json"
serve_wisp "$port" --demo
demo() { sed -n "s/^$1=//p" "$work/demo-sign-in.txt"; }
"$python" "$ROOT/bench/kickoff.py" setup "http://127.0.0.1:$port" "$AWS_ENDPOINT_URL" "$AWS_EMULATOR_URL" \
  "$(demo email)" "$(demo password)" "$state"

latency() { curl -fsS -X "$1" "$AWS_FAULTS_URL" ${2:+-H 'Content-Type: application/json' -d "$2"} >/dev/null; }
latency POST '{"action": "*", "delay": 0.05}'
"$python" "$ROOT/bench/kickoff.py" warm "http://127.0.0.1:$port" "$AWS_ENDPOINT_URL" "$WISP_PID" "$state"

# Cold: a restart forgets every STS session and token; each size's first kickoff makes them anew.
for round in 0 1 2 3 4 5; do
  kill "$WISP_PID"; wait "$WISP_PID" 2>/dev/null
  serve_wisp "$port" --demo
  "$python" "$ROOT/bench/kickoff.py" cold "http://127.0.0.1:$port" "$state" "$round"
done
latency DELETE
"$python" "$ROOT/bench/kickoff.py" report "$state"
