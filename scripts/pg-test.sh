#!/usr/bin/env bash
# A throwaway PostgreSQL for the test suite (PostgreSQL refuses to run as root: the cluster is
# created and run as the `postgres` user in a temp dir, on a spare loopback port).
#   scripts/pg-test.sh start   → prints DIR and URL lines (eval-able: PG_TEST_DIR=…, STORELINK_TEST_DATABASE_URL=…)
#   scripts/pg-test.sh stop DIR
set -euo pipefail
cmd="${1:-start}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[[ -x "$PGBIN/initdb" ]] || { echo "pg-test: PostgreSQL server binaries not found (bash scripts/bootstrap.sh installs them)" >&2; exit 3; }

as_pg() {
  if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ "$cmd" == start ]]; then
  dir="$(mktemp -d /tmp/storelink-pg.XXXXXX)"
  [[ "$(id -u)" -eq 0 ]] && chown postgres: "$dir"
  port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "PG_TEST_DIR=$dir"
  echo "STORELINK_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
elif [[ "$cmd" == stop ]]; then
  dir="${2:?usage: pg-test.sh stop DIR}"
  [[ -d "$dir/data" ]] && as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
else
  echo "usage: pg-test.sh start | stop DIR" >&2
  exit 2
fi
