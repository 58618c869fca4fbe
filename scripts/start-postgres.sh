#!/usr/bin/env bash
# Starts a scratch PostgreSQL cluster on loopback and prints its URL (for the Postgres test lane).
# Usage: eval "$(scripts/start-postgres.sh)"   → exports AUTOSYNC_POSTGRES_URL
# On failure it exits non-zero with the reason on stderr and prints `false`, so the eval fails too.
set -euo pipefail
fail() {
  echo "[autosync] start-postgres: $1" >&2
  echo false
  exit 1
}
# A free loopback port unless one is given, so a cluster left running elsewhere never collides.
port="${AUTOSYNC_POSTGRES_PORT:-$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$bin" ]; then fail "PostgreSQL is not installed (apt-get install -y postgresql)"; fi
data="$(mktemp -d /tmp/autosync-pg-XXXXXX)"
chmod 755 "$data"
run_as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$data"; fi
if ! run_as_postgres "$bin/initdb" -D "$data/cluster" -A trust -U postgres --no-sync >"$data/initdb.log" 2>&1; then
  tail -5 "$data/initdb.log" >&2
  fail "initdb failed in $data/cluster (full output: $data/initdb.log)"
fi
if ! run_as_postgres "$bin/pg_ctl" -D "$data/cluster" -l "$data/log" -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off" -w start >/dev/null 2>&1; then
  tail -5 "$data/log" >&2 || true
  fail "the PostgreSQL server did not start on 127.0.0.1:$port (log: $data/log)"
fi
echo "export AUTOSYNC_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
echo "export AUTOSYNC_POSTGRES_DATA=$data/cluster"
