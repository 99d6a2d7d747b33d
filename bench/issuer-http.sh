#!/usr/bin/env bash
# Requests per second for discovery and JWKS: wisp against nginx serving the same bytes, measured
# in the same run and printed as a ratio (these machines are noisy; absolute numbers vary).
# Usage: bench/issuer-http.sh [seconds per run, default 10]
source "$(dirname "$0")/lib.sh"
duration="${1:-10}"
ensure_apt wrk nginx curl
cargo build --quiet --release -p server

wisp_port="$(free_port)"
nginx_port="$(free_port)"
export DATABASE_URL="sqlite://$work/wisp.db?mode=rwc" WISP_MASTER_KEY="$(openssl rand -base64 32)" RUST_LOG=error \
  OIDC_ISSUER="http://127.0.0.1:$wisp_port" \
  OIDC_PRIVATE_KEY="$("$ROOT/target/release/wisp" keys generate --alg es256)" \
  OIDC_PUBLISHED_KEYS="$("$ROOT/target/release/wisp" keys generate --alg rs256)"
serve_wisp "$wisp_port"

# nginx serves byte-identical copies.
mkdir -p "$work/www/.well-known" "$work/www/oauth2"
curl -fsS "http://127.0.0.1:$wisp_port/.well-known/openid-configuration" >"$work/www/.well-known/openid-configuration"
curl -fsS "http://127.0.0.1:$wisp_port/oauth2/jwks" >"$work/www/oauth2/jwks"
chmod -R a+rX "$work/www"
cat >"$work/nginx.conf" <<CONF
worker_processes $(nproc);
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    location / { default_type application/json; add_header Cache-Control "public, max-age=300"; etag on; }
  }
}
CONF
nginx -c "$work/nginx.conf" &
BACKGROUND+=("$!")
wait_for "http://127.0.0.1:$nginx_port/oauth2/jwks" 10

rps() { wrk -t2 -c64 -d"${duration}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
printf '%-36s %8s %12s %12s %7s\n' endpoint bytes wisp_rps nginx_rps ratio
for path in /.well-known/openid-configuration /oauth2/jwks; do
  bytes="$(curl -fsS "http://127.0.0.1:$wisp_port$path" | wc -c)"
  w="$(rps "http://127.0.0.1:$wisp_port$path")"
  n="$(rps "http://127.0.0.1:$nginx_port$path")"
  printf '%-36s %8s %12s %12s %7s\n' "$path" "$bytes" "$w" "$n" "$(python3 -c "print(f'{$w/$n:.2f}')")"
done
