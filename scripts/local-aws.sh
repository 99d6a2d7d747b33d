# Sourced by run.sh and test.sh: local AWS for the demo and the browser tests (see the README).
# moto's server on a free loopback port, the fault proxy (tests/aws/fault_proxy.py) in front of
# it, and the demo's role and secrets. Sets AWS_ENDPOINT_URL (the proxy) and AWS_FAULTS_URL.
AWS_DIR=""
MOTO_PID=""
PROXY_PID=""

start_local_aws() {
  local python="$ROOT/.venv/bin/python" moto_port proxy_port
  AWS_DIR="$(mktemp -d /tmp/wisp-aws.XXXXXX)"
  moto_port="$(free_port)"
  "$python" -m moto.server -H 127.0.0.1 -p "$moto_port" >"$AWS_DIR/moto.log" 2>&1 &
  MOTO_PID=$!
  proxy_port="$(free_port)"
  "$python" "$ROOT/tests/aws/fault_proxy.py" "$proxy_port" "http://127.0.0.1:$moto_port" >"$AWS_DIR/proxy.log" 2>&1 &
  PROXY_PID=$!
  # AWS_EMULATOR_URL is moto itself, behind no proxy: for bulk set-up the proxy need not see.
  export AWS_ENDPOINT_URL="http://127.0.0.1:$proxy_port" AWS_FAULTS_URL="http://127.0.0.1:$proxy_port/__faults" \
    AWS_EMULATOR_URL="http://127.0.0.1:$moto_port"
  wait_for "$AWS_ENDPOINT_URL/moto-api/" 30 || { cat "$AWS_DIR"/*.log >&2; return 1; }
  "$python" "$ROOT/scripts/seed-local-aws.py" "$AWS_ENDPOINT_URL"
}

stop_local_aws() {
  local pid
  for pid in "$PROXY_PID" "$MOTO_PID"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && { wait "$pid" 2>/dev/null || true; }
  done
  [ -n "$AWS_DIR" ] && rm -rf "$AWS_DIR"
  MOTO_PID="" PROXY_PID="" AWS_DIR=""
  return 0
}
