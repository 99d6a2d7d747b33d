#!/usr/bin/env bash
# Builds Wisp and serves the demo on http://127.0.0.1:3000 (WISP_LISTEN to change).
# First start prepares data/: a development master key, a demo organization and its admin.
# A local AWS (moto) runs beside it with a demo role and secrets, so Test Connection passes, and a
# local OpenBao (Vault's open fork) with demo secrets, for the HashiCorp Vault provider.
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/local-aws.sh"
source "$ROOT/scripts/openbao.sh"
trap 'stop_local_aws; stop_openbao' EXIT INT TERM
ensure_apt curl
ensure_rust_tools
ensure_venv "$ROOT/tests/requirements.txt"
"$ROOT/scripts/build.sh" release
start_local_aws
start_openbao
HOME="$BAO_DIR" "$ROOT/.venv/bin/bao" kv put -mount=secret demo/database user=app password=demo-db-password >/dev/null
cat <<SAID
Local OpenBao for the HashiCorp Vault provider: Vault Address $BAO_ADDR
Its admin (for the commands Wisp gives on the Workload Identity page):
  export BAO_ADDR=$BAO_ADDR BAO_TOKEN=$BAO_TOKEN PATH="$ROOT/.venv/bin:\$PATH"
SAID
# Wisp never sees the Vault admin's token.
env -u BAO_TOKEN -u BAO_ADDR "$ROOT/target/release/wisp" serve --demo "$@"
