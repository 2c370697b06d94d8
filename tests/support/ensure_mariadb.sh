#!/usr/bin/env bash
# Make sure a MariaDB server runs on 127.0.0.1:3306 with a user and database the tests may use.
# Installs Debian's package when missing (needs root), starts the server when down.
# Prints shell assignments for the caller to eval:
#   export LIENTHONG_TEST_MYSQL_DSN=...   MARIADB_STARTED="yes" (empty if it was running)
# Stop a server this script started with: mariadb-admin -uroot shutdown
set -euo pipefail

log() { echo "[mariadb] $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
alive() { as_root mariadb-admin -uroot --silent ping >/dev/null 2>&1; }

if ! command -v mariadbd >/dev/null 2>&1 || ! command -v mariadb >/dev/null 2>&1; then
  log "installing Debian's mariadb-server package"
  as_root apt-get update -qq >&2
  # The package's own start attempt may fail without an init system: the server is started below.
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq mariadb-server >&2 || true
  command -v mariadbd >/dev/null 2>&1 || { log "mariadb-server did not install"; exit 1; }
fi

started=""
if ! alive; then
  log "starting the server on 127.0.0.1:3306"
  as_root install -d -o mysql -g mysql /run/mysqld
  if [ ! -d /var/lib/mysql/mysql ]; then
    as_root mariadb-install-db --user=mysql --datadir=/var/lib/mysql >&2
  fi
  # Started detached, so it outlives this script and the shell that evals its output.
  as_root setsid mariadbd-safe --user=mysql --bind-address=127.0.0.1 --port=3306 \
    >/dev/null 2>&1 </dev/null &
  started="yes"
  for _ in $(seq 1 120); do
    alive && break
    sleep 0.5
  done
fi
alive || { log "the server on 127.0.0.1:3306 does not answer"; exit 1; }

# PROCESS lets the outbox connector see open InnoDB transactions (information_schema.innodb_trx);
# the lt_test_ pattern lets the tests create and drop a fresh database each.
as_root mariadb -uroot >&2 <<'SQL'
CREATE DATABASE IF NOT EXISTS lienthong;
CREATE USER IF NOT EXISTS 'lienthong'@'127.0.0.1' IDENTIFIED BY 'lienthong';
CREATE USER IF NOT EXISTS 'lienthong'@'localhost' IDENTIFIED BY 'lienthong';
GRANT ALL PRIVILEGES ON `lienthong`.* TO 'lienthong'@'127.0.0.1', 'lienthong'@'localhost';
GRANT ALL PRIVILEGES ON `lt\_test\_%`.* TO 'lienthong'@'127.0.0.1', 'lienthong'@'localhost';
GRANT PROCESS ON *.* TO 'lienthong'@'127.0.0.1', 'lienthong'@'localhost';
FLUSH PRIVILEGES;
SQL

echo "export LIENTHONG_TEST_MYSQL_DSN=mysql+pymysql://lienthong:lienthong@127.0.0.1:3306/lienthong"
echo "MARIADB_STARTED=\"${started}\""
