# Shared by the run, build and test scripts. Every step is idempotent and silent when there is
# nothing to do.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '==> %s\n' "$*" >&2; }

# A CI run builds once from scratch: incremental caches would only double the size of target/.
[ "${CI:-}" = true ] && export CARGO_INCREMENTAL=0

# A full build and test run writes about 7 GiB under target/; a full disk shows up as a rustc
# crash deep in the build, so say it first, with what to do.
check_disk() {
  local need_kib=$((8 * 1024 * 1024)) free_kib
  mkdir -p "$ROOT/target"
  free_kib="$(df -Pk "$ROOT/target" | awk 'NR==2 {print $4}')"
  [ "$free_kib" -ge "$need_kib" ] && return 0
  say "Only $((free_kib / 1024)) MiB free under $ROOT/target; the build and tests need about 8 GiB."
  say "Free some space (for example \`cargo clean\` in other checkouts) if the build fails with 'No space left on device'."
}

# Installs the Debian packages that are missing; runs `apt-get update` only when it must.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Installs a folder's npm packages exactly as its lock file says, when they changed.
ensure_npm() {
  local dir="$1"
  if [ -f "$dir/node_modules/.package-lock.json" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    return 0
  fi
  say "Installing npm packages in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

ensure_rust_tools() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || {
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown >/dev/null
  }
  "$ROOT/scripts/install-wasm-bindgen.sh"
  ensure_npm "$ROOT/tools"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits until `url` answers 200, or fails after `seconds`.
wait_for() {
  local url="$1" seconds="${2:-60}"
  for _ in $(seq 1 $((seconds * 5))); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "timed out waiting for $url" >&2
  return 1
}

# A virtualenv with exactly the pinned Python packages, refreshed when the pins change.
ensure_venv() {
  local requirements="$1" venv="$ROOT/.venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  if [ ! -f "$venv/.installed" ] || [ "$requirements" -nt "$venv/.installed" ]; then
    say "Installing Python packages from ${requirements#$ROOT/}"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    touch "$venv/.installed"
  fi
}
