#!/usr/bin/env bash
# Start the Debian PostgreSQL cluster (with PostGIS) for the store tests and print the URL the
# tests read from NINGBO_TEST_DATABASE_URL. Used by .ci/run; needs root and the Debian packages
# postgresql and postgis. Prints nothing (and exits 0) where it cannot start a server: the
# PostgreSQL store tests then skip, saying why.
set -u
command -v pg_lsclusters >/dev/null 2>&1 || exit 0
version=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
[ -n "$version" ] || exit 0
if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
  pg_createcluster "$version" main >/dev/null 2>&1 || exit 0
fi
cluster=$(pg_lsclusters -h | head -1 | awk '{print $1" "$2}')
port=$(pg_lsclusters -h | head -1 | awk '{print $3}')
pg_ctlcluster $cluster start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" || exit 0
runuser -u postgres -- psql -q -p "$port" -tc "SELECT 1 FROM pg_roles WHERE rolname='ningbo_test'" \
  | grep -q 1 || runuser -u postgres -- psql -q -p "$port" \
  -c "CREATE ROLE ningbo_test LOGIN PASSWORD 'ningbo_test' CREATEDB" >/dev/null
# DROP DATABASE ... WITH (FORCE) of a test database ends the autovacuum worker that may be on
# it; a worker belongs to no role, so only a member of pg_signal_backend may end it
runuser -u postgres -- psql -q -p "$port" -c "GRANT pg_signal_backend TO ningbo_test" \
  >/dev/null 2>&1 || true
runuser -u postgres -- psql -q -p "$port" -tc "SELECT 1 FROM pg_database WHERE datname='ningbo_test'" \
  | grep -q 1 || runuser -u postgres -- psql -q -p "$port" \
  -c "CREATE DATABASE ningbo_test OWNER ningbo_test" >/dev/null
runuser -u postgres -- psql -q -p "$port" -d ningbo_test \
  -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null 2>&1 || true
echo "postgresql+psycopg://ningbo_test:ningbo_test@127.0.0.1:${port}/ningbo_test"
