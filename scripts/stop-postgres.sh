#!/usr/bin/env bash
# Stops the scratch cluster scripts/start-postgres.sh started and removes its folder.
# Usage: scripts/stop-postgres.sh   (reads AUTOSYNC_POSTGRES_DATA, which start-postgres.sh exported)
set -euo pipefail
data="${AUTOSYNC_POSTGRES_DATA:?set by eval \"\$(scripts/start-postgres.sh)\"}"
case "$data" in /tmp/autosync-pg-*/cluster) ;; *) echo "[autosync] stop-postgres: $data is not a scratch cluster" >&2; exit 1 ;; esac
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$data" -m fast stop >/dev/null
else "$bin/pg_ctl" -D "$data" -m fast stop >/dev/null; fi
rm -rf "$(dirname "$data")"
echo "[autosync] stopped and removed the scratch cluster in $(dirname "$data")"
