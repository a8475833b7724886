#!/usr/bin/env bash
# Creates the PostgreSQL role and database for Prefect's server in Debian's main cluster,
# idempotently, and prints the connection URL for PREFECT_API_DATABASE_CONNECTION_URL.
# Run as root after scripts/setup.sh (which installs postgresql). See docs/scale-out.md.
set -euo pipefail
secret_dir=/etc/jimu
secret="$secret_dir/prefect-db-password"
install -d -m 700 "$secret_dir"
[ -s "$secret" ] || (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$secret")
password="$(cat "$secret")"

version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main
pg_ctlcluster "$version" main start 2>/dev/null || true

as_postgres() { runuser -u postgres -- "$@"; }
as_postgres psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'prefect'" | grep -q 1 \
  || as_postgres psql -qc "CREATE ROLE prefect LOGIN"
as_postgres psql -qc "ALTER ROLE prefect PASSWORD '$password'"
as_postgres psql -qtAc "SELECT 1 FROM pg_database WHERE datname = 'prefect'" | grep -q 1 \
  || as_postgres createdb -O prefect prefect
port="$(as_postgres psql -qtAc 'SHOW port')"
echo "postgresql+asyncpg://prefect:${password}@127.0.0.1:${port}/prefect"
