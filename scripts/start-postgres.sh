#!/usr/bin/env bash
# Starts a scratch PostgreSQL cluster on loopback and prints its URL (for the Postgres test lane).
# Usage: eval "$(scripts/start-postgres.sh)"   → exports AUTOSYNC_POSTGRES_URL
set -euo pipefail
# A free loopback port unless one is given, so a cluster left running elsewhere never collides.
port="${AUTOSYNC_POSTGRES_PORT:-$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$bin" ]; then echo "echo 'PostgreSQL not installed (apt-get install -y postgresql)' >&2"; exit 1; fi
data="$(mktemp -d /tmp/autosync-pg-XXXXXX)"
chmod 755 "$data"
run_as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$data"; fi
run_as_postgres "$bin/initdb" -D "$data/cluster" -A trust -U postgres --no-sync >/dev/null
run_as_postgres "$bin/pg_ctl" -D "$data/cluster" -l "$data/log" -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off" -w start >/dev/null
echo "export AUTOSYNC_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
echo "export AUTOSYNC_POSTGRES_DATA=$data/cluster"
