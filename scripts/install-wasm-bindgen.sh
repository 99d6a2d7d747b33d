#!/usr/bin/env bash
# Installs the wasm-bindgen CLI at exactly the version Cargo.lock pins (the CLI and the
# library must match or the generated JS glue does not fit the wasm).
# `cargo install --locked` of that version fails because its lock file pins a crate the
# registry no longer serves, so we build it from its registry source with that one crate moved.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
want="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' "$root/Cargo.lock")"
[ -n "$want" ] || { echo "wasm-bindgen is not in Cargo.lock" >&2; exit 1; }
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
[ "$have" = "$want" ] && exit 0

echo "Installing wasm-bindgen-cli $want (one-time, about 8 minutes on 2 cores)..."
cargo info --quiet "wasm-bindgen-cli@$want" >/dev/null
src="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"wasm-bindgen-cli-$want" | head -n 1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$src" "$work/cli"
cd "$work/cli"
cargo update --quiet -p webpki-roots --precise 1.0.10
cargo install --quiet --locked --path . --root "${CARGO_HOME:-$HOME/.cargo}"
wasm-bindgen --version
