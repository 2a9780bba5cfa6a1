#!/usr/bin/env bash
# Start a throw-away PostgreSQL for the server tests (as the postgres user, never as root) and
# print its URL: export STORESHIFT_TEST_PG="$(tools/test-postgres.sh)".
set -euo pipefail
PORT="${STORESHIFT_PG_PORT:-5433}"
DATA="${STORESHIFT_PG_DATA:-/tmp/storeshift-test-pg}"
PASSWORD="storeshift-test"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$BIN" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >&2
    $SUDO apt-get install -y -qq postgresql >&2
    BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi
as_postgres() {
    if [ "$(id -un)" = postgres ]; then bash -c "$1"; elif [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$1"
    else sudo -u postgres bash -c "$1"; fi
}
if ! as_postgres "'$BIN/pg_ctl' -D '$DATA' status" >/dev/null 2>&1; then
    as_postgres "[ -f '$DATA/PG_VERSION' ] || '$BIN/initdb' -D '$DATA' -A scram-sha-256 --pwfile=<(echo '$PASSWORD') -U postgres >/dev/null"
    as_postgres "'$BIN/pg_ctl' -D '$DATA' -l '$DATA.log' -w -o \"-k /tmp -p $PORT -c listen_addresses=localhost\" start" >&2
fi
# The tests' administrator: may create databases and roles, is no superuser (row-level security binds).
PGPASSWORD="$PASSWORD" "$BIN/psql" -h localhost -p "$PORT" -U postgres -d postgres -q -v ON_ERROR_STOP=1 >&2 <<SQL
SELECT 'CREATE ROLE storeshift_admin LOGIN CREATEDB CREATEROLE PASSWORD ''$PASSWORD'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'storeshift_admin') \gexec
SELECT 'CREATE DATABASE storeshift OWNER storeshift_admin'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'storeshift') \gexec
SQL
echo "postgresql://storeshift_admin:$PASSWORD@localhost:$PORT/storeshift"
