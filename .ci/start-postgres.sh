#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server (Debian's package) on a loopback port for the storage tests.
# Usage: eval "$(bash .ci/start-postgres.sh)"   — exports TEST_DATABASE_URL.
set -euo pipefail
port="${PGPORT_TEST:-55432}"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi
dir=/tmp/ndx-pg-$port
as_pg() { su postgres -s /bin/bash -c "$1"; }
if ! as_pg "$bindir/pg_ctl -D $dir status" >/dev/null 2>&1; then
  rm -rf "$dir" "$dir.pw"
  install -d -o postgres -g postgres "$dir"
  echo ndx >"$dir.pw" && chown postgres "$dir.pw"
  as_pg "$bindir/initdb -D $dir -A scram-sha-256 --pwfile=$dir.pw -U ndx >/dev/null"
  rm -f "$dir.pw"
  as_pg "$bindir/pg_ctl -D $dir -l $dir/server.log -w -o '-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off' start >/dev/null"
fi
echo "export TEST_DATABASE_URL=postgres://ndx:ndx@127.0.0.1:$port/postgres"
