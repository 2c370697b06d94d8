#!/usr/bin/env bash
# The whole test suite as CI runs it: lint and types, PostgreSQL on loopback, a Kafka broker booted by the
# test session from Maven Central jars, unit + integration + end-to-end tests. Stops what it
# started, whatever the outcome.
set -euo pipefail
cd "$(dirname "$0")/../.."

eval "$(bash tests/support/ensure_postgres.sh)"
export LIENTHONG_TEST_PG_DSN
eval "$(bash tests/support/ensure_mariadb.sh)"
export LIENTHONG_TEST_MYSQL_DSN
bash tests/support/ensure_test_tools.sh

stop_started() {
  if [ -n "${PG_STARTED_CLUSTER:-}" ]; then
    # shellcheck disable=SC2086
    pg_ctlcluster $PG_STARTED_CLUSTER stop || true
  fi
  if [ -n "${MARIADB_STARTED:-}" ]; then
    mariadb-admin -uroot shutdown || true
  fi
}
trap stop_started EXIT

echo "[lint] ruff and mypy"
.venv/bin/ruff check lienthong connectors streams schemas tests
.venv/bin/ruff format --check lienthong connectors streams schemas tests
.venv/bin/mypy

.venv/bin/python -m pytest "$@"
