# Sourced by test.sh: a throw-away PostgreSQL server on a free loopback port.
# Sets PG_URL (the `postgres` database, for creating test databases) and PG_DIR.
PG_DIR=""
PG_URL=""

pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  local bin port
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  port="$(free_port)"
  PG_DIR="$(mktemp -d /tmp/wisp-pg.XXXXXX)"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
  pg_as_owner "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
  pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -s \
    -o "-k $PG_DIR -p $port -h 127.0.0.1 -c fsync=off -c max_connections=300" start
  PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w -s stop || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}
