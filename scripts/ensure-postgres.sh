#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers at 127.0.0.1:5432 (user postgres, trust auth)
# with a database named `test`, starting or installing one if needed.
# Padu's storage tests run against it for real; if it cannot be reached this
# script fails loudly instead of letting the tests skip.
set -euo pipefail

PGHOST=127.0.0.1
PGPORT=5432

ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1; then
  echo "ensure-postgres: installing PostgreSQL from Debian packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql postgresql-contrib >/dev/null
fi

if ! ready; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for v in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
    done
  fi
  for _ in $(seq 1 30); do ready && break; sleep 1; done
fi

if ! ready; then
  echo "ensure-postgres: no PostgreSQL server at $PGHOST:$PGPORT and none could be started" >&2
  exit 1
fi

if ! psql -h "$PGHOST" -p "$PGPORT" -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
  psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -Atc 'create database test' >/dev/null
fi
psql -h "$PGHOST" -p "$PGPORT" -U postgres -d test -Atc 'select 1' >/dev/null
echo "ensure-postgres: PostgreSQL ready at $PGHOST:$PGPORT" >&2
