#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster on a private loopback port.
# The cluster lives in a temporary directory, owned by user postgres, and is
# stopped and removed when the command ends. REHABKOLL_TEST_POSTGRES_URL tells
# the tests where it is. With CI=true a cluster that cannot start fails the run;
# elsewhere the PostgreSQL tests are skipped with a warning.
set -uo pipefail

fail_or_skip() {
  local msg=$1
  shift
  if [ "${CI:-}" = "true" ]; then
    echo "with-postgres: $msg (CI=true: PostgreSQL is required)" >&2
    exit 1
  fi
  echo "with-postgres: $msg; PostgreSQL tests will be skipped" >&2
  exec "$@"
}

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  ls /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1
}

INITDB=$(find_bin initdb)
if [ -z "$INITDB" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  INITDB=$(find_bin initdb)
fi
[ -n "$INITDB" ] || fail_or_skip "initdb not found" "$@"
PGBIN=$(dirname "$(readlink -f "$INITDB")")

PORT=${REHABKOLL_TEST_PG_PORT:-$(( 54000 + RANDOM % 900 ))}
DIR=$(mktemp -d /tmp/rehabkoll-pg.XXXXXX)
chmod 755 "$DIR"
AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$DIR" 2>/dev/null || true
  AS=(runuser -u postgres --)
fi

cleanup() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

if ! "${AS[@]}" "$PGBIN/initdb" -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$DIR/data" >"$DIR/initdb.log" 2>&1; then
  cat "$DIR/initdb.log" >&2
  fail_or_skip "initdb failed" "$@"
fi
OPTS="-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if ! "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -o "$OPTS" -l "$DIR/server.log" -w -t 60 start >/dev/null; then
  cat "$DIR/server.log" >&2
  fail_or_skip "the server did not start" "$@"
fi
"${AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres rehabkoll_test || fail_or_skip "createdb failed" "$@"

export REHABKOLL_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/rehabkoll_test"
"$@"
status=$?
exit $status
