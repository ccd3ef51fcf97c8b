#!/usr/bin/env bash
# Starts the PostgreSQL server the tests use and prints its URL. Idempotent.
# Installs Debian's postgresql when it is missing.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 1
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='blankett'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE blankett LOGIN PASSWORD 'blankett' CREATEDB\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='blankett_test'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE DATABASE blankett_test OWNER blankett\""
echo "postgres://blankett:blankett@127.0.0.1:5432/blankett_test"
