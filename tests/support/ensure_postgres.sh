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

# Log-based change capture (the pgcdc connector) decodes the WAL through replication slots.
# The settings live in a conf.d file of their own; changing them needs a restart, done only
# when the running server does not have them yet.
conf_dir="/etc/postgresql/$version/$cluster/conf.d"
wanted_conf="# lienthong: logical decoding for the pgcdc connector and its tests
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
# a slot left behind by a killed test run may not fill the disk
max_slot_wal_keep_size = 4GB"
if [ "$(cat "$conf_dir/lienthong-logical.conf" 2>/dev/null)" != "$wanted_conf" ]; then
  log "writing $conf_dir/lienthong-logical.conf"
  as_root mkdir -p "$conf_dir"
  printf '%s\n' "$wanted_conf" | as_root tee "$conf_dir/lienthong-logical.conf" >/dev/null
  as_root chown postgres:postgres "$conf_dir/lienthong-logical.conf"
fi
pg_setting() { as_root runuser -u postgres -- psql -Atq -p "$port" -c "SHOW $1"; }
if [ "$(pg_setting wal_level)" != "logical" ] || [ "$(pg_setting max_replication_slots)" -lt 20 ]; then
  # Other test sessions may be connected: give them a minute to finish before restarting.
  for _ in $(seq 1 60); do
    others=$(as_root runuser -u postgres -- psql -Atq -p "$port" -c \
      "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")
    [ "$others" -eq 0 ] && break
    sleep 1
  done
  log "restarting cluster $version/$cluster for wal_level=logical"
  as_root pg_ctlcluster "$version" "$cluster" restart >&2
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
  done
  pg_isready -q -h 127.0.0.1 -p "$port" || { log "server on 127.0.0.1:$port does not answer"; exit 1; }
  [ "$(pg_setting wal_level)" = "logical" ] || { log "wal_level is still not logical"; exit 1; }
fi

as_root runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 >&2 <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lienthong') THEN
    CREATE ROLE lienthong LOGIN CREATEDB PASSWORD 'lienthong';
  END IF;
END $$;
-- lets the tests drop a test database while a stopped worker's connection still lingers
GRANT pg_signal_backend TO lienthong;
-- creating, reading and advancing logical replication slots (the pgcdc connector's tests)
ALTER ROLE lienthong REPLICATION;
SQL

echo "LIENTHONG_TEST_PG_DSN=postgresql://lienthong:lienthong@127.0.0.1:${port}/postgres"
echo "PG_STARTED_CLUSTER=\"${started}\""
