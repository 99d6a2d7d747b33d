# Sourced by the benchmarks: the project's helpers, a throw-away folder ($work), and `serve_wisp`,
# which starts the release build in the background. Whatever runs in the background is stopped,
# and the folder removed, on exit.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
work="$(mktemp -d /tmp/wisp-bench.XXXXXX)"
chmod 755 "$work"
BACKGROUND=()
stop_background() {
  local pid
  # Some may have stopped already (a benchmark restarts the server): that is no failure.
  for pid in "${BACKGROUND[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Only what was started here: a bare `wait` would also wait for other children (a local AWS).
  for pid in "${BACKGROUND[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop_background EXIT INT TERM

# Serves on 127.0.0.1:$1 with the environment the caller exported; `wisp serve` takes the rest.
serve_wisp() {
  local port="$1"
  shift
  WISP_LISTEN="127.0.0.1:$port" "$ROOT/target/release/wisp" serve "$@" >"$work/wisp.log" 2>&1 &
  WISP_PID=$!
  BACKGROUND+=("$WISP_PID")
  wait_for "http://127.0.0.1:$port/readyz" 30
}
