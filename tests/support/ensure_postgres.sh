#!/usr/bin/env bash
# Make sure a PostgreSQL server runs on loopback with a role the tests may use.
# Installs Debian's package when missing (needs root), starts the cluster when down.
# Prints shell assignments for the caller to eval:
#   LIENTHONG_TEST_PG_DSN=...   PG_STARTED_CLUSTER="<version> <name>" (empty if it was running)
set -euo pipefail

log() { echo "[postgres] $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || ! command -v pg_lsclusters >/dev/null; then
  log "installing Debian's postgresql package"
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v {found=1} END {exit !found}'; then
  log "creating cluster $version/main"
  as_root pg_createcluster "$version" main >&2
fi
read -r _ cluster port status _ < <(pg_lsclusters -h | awk -v v="$version" '$1 == v' | head -n 1)

started=""
if [ "$status" != "online" ]; then
  log "starting cluster $version/$cluster on port $port"
  as_root pg_ctlcluster "$version" "$cluster" start >&2
  started="$version $cluster"
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port" || { log "server on 127.0.0.1:$port does not answer"; exit 1; }

as_root runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 >&2 <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lienthong') THEN
    CREATE ROLE lienthong LOGIN CREATEDB PASSWORD 'lienthong';
  END IF;
END $$;
-- lets the tests drop a test database while a stopped worker's connection still lingers
GRANT pg_signal_backend TO lienthong;
SQL

echo "LIENTHONG_TEST_PG_DSN=postgresql://lienthong:lienthong@127.0.0.1:${port}/postgres"
echo "PG_STARTED_CLUSTER=\"${started}\""
