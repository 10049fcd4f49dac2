#!/usr/bin/env bash
# demo.sh: PgQ end to end with pgq-java's pgqadm, on a throwaway server.
#
#   ./scripts/demo.sh          run the demo, stop the daemon and the server at the end
#   ./scripts/demo.sh --keep   leave both running and print how to use and stop them
#
# On a fresh Debian bookworm machine run it as root: it installs packages, builds (the build puts
# pljvm into /usr/lib/postgresql/15), starts a server in target/demo (Unix socket only, as
# the OS user postgres), installs pgq-java with "pgqadm install", starts the ticker daemon
# ("pgqadm -d"), creates a queue, registers a consumer, inserts events with psql, waits for a
# tick, reads and finishes the batch with psql, and prints "pgqadm status".
#
# Environment: PG_BINDIR [/usr/lib/postgresql/15/bin] the PostgreSQL 15 to build pljvm for and run;
# PG_CONFIG [$PG_BINDIR/pg_config] the build's pg_config (pljvm is installed where it says);
# DEMO_SETUP [1 without PG_BINDIR, else 0] 1 runs scripts/setup-debian.sh (Debian's packages,
# which is what the default paths are). The server is scripts/lib/pgserver.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

keep=false
case "${1:-}" in
  --keep) keep=true ;;
  "") ;;
  *) echo "usage: $0 [--keep]" >&2; exit 2 ;;
esac

bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
pg_config=${PG_CONFIG:-$bindir/pg_config}
setup=${DEMO_SETUP:-$([ -z "${PG_BINDIR:-}" ] && echo 1 || echo 0)}
port=5432 # names the socket file only: the server does not listen on TCP
pgqadm=$repo/launcher/bin/pgqadm
PGBIN=$bindir
PGS_NAME=demo
. "$repo/scripts/lib/pgserver.sh"

say() { printf '\ndemo: %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

if [ "$setup" = 1 ]; then
  ./scripts/setup-debian.sh
fi

say "building (mvn -B -ntp -DskipTests package); pljvm is installed into PostgreSQL ($pg_config) by its package phase"
mvn -B -ntp -q -DskipTests package -Dpljvm.pg_config="$pg_config"
if [ ! -f launcher/target/pgqadm.jar ]; then
  echo "demo: launcher/target/pgqadm.jar is missing: the build did not make it" >&2
  exit 1
fi

# what an earlier --keep left running
if [ -L target/demo ] || [ -d target/demo ]; then
  old=$(readlink -f target/demo)
  if [ -f "$old/pgqadm.ini" ] && [ -f "$old/pgqadm.pid" ]; then
    say "stopping the ticker left running in target/demo"
    "$pgqadm" -q "$old/pgqadm.ini" -k || true
  fi
  if [ -f "$old/data/postmaster.pid" ]; then
    say "stopping the server left running in target/demo"
    (cd / && pgs_asdb "$bindir/pg_ctl" -D "$old/data" -m fast -w stop >/dev/null) || true
  fi
  rm -rf target/demo
  if [ "${old#/tmp/pgq-java-demo-pgqadm.}" != "$old" ]; then
    rm -rf "$old"
  fi
fi
mkdir -p target/demo

# the socket path must stay under 108 bytes, and postgres must be able to reach the directory
demo=$repo/target/demo
if [ ${#demo} -gt 80 ] || ! pgs_asdb test -x "$repo/target"; then
  rmdir target/demo
  demo=$(mktemp -d /tmp/pgq-java-demo-pgqadm.XXXXXX)
  ln -s "$demo" target/demo
  say "target/demo -> $demo"
fi
mkdir -p "$demo/sock"
if [ "$PGS_DBUSER" = postgres ] && [ "$(id -u)" -eq 0 ]; then
  chown -R postgres: "$demo"
fi

conf=$demo/pgqadm.ini
pg_ctl_stop="$([ "$(id -u)" -eq 0 ] && echo 'runuser -u postgres -- ')$bindir/pg_ctl -D $demo/data -m fast stop"
pgqadm_stop="$pgqadm $conf -s"
demo_stop() { # at exit, before the server stops
  if [ "$PGS_RC" -ne 0 ]; then
    for f in "$demo/pgqadm.log" "$demo/server.log"; do
      if [ -f "$f" ]; then
        echo "demo: failed; last lines of $f:" >&2
        tail -n 20 "$f" >&2
      fi
    done
  fi
  if [ "$keep" = false ] || [ "$PGS_RC" -ne 0 ]; then
    if [ -f "$demo/pgqadm.pid" ]; then
      say "stopping the ticker: $pgqadm_stop"
      "$pgqadm" -q "$conf" -s || true
      for _ in $(seq 1 100); do [ -f "$demo/pgqadm.pid" ] || break; sleep 0.1; done
    fi
    if [ "$PGS_STARTED" = 1 ]; then
      say "stopping the server: $pg_ctl_stop"
    fi
  fi
}
pgs_at_exit demo_stop
PGS_DIR=$demo
PGS_SOCK=$demo/sock
pgs_trap

say "initdb in $demo/data"
# pljvm preloaded, as docs/pljvm.md recommends: backends inherit libjvm loaded
pgs_initdb "$port" <<<"shared_preload_libraries = 'pljvm'"
say "starting the server (log: $PGS_LOG)"
pgs_start

psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$demo/sock" -p "$port" -U postgres)
"${psql[@]}" -d postgres -c "CREATE DATABASE demo"

cat >"$conf" <<EOF
[pgqadm]
job_name = pgqadm_demo
db = dbname=demo host=$demo/sock port=$port user=postgres
loop_delay = 0.2
maint_delay = 60
logfile = $demo/pgqadm.log
pidfile = $demo/pgqadm.pid
EOF
say "config $conf:"
cat "$conf"

say "installing pgq-java into database demo"
show "$pgqadm" "$conf" install

say "starting the ticker daemon"
show "$pgqadm" -d "$conf" ticker
echo "ticker pid $(cat "$demo/pgqadm.pid"), log $demo/pgqadm.log"

say "a queue and a consumer"
show "$pgqadm" "$conf" create demo_queue
show "$pgqadm" "$conf" register demo_queue demo_consumer
show "$pgqadm" "$conf" config demo_queue ticker_max_lag=1
show "$pgqadm" "$conf" config demo_queue

say "producing three events in one transaction, with psql"
sql="BEGIN;
SELECT pgq.insert_event('demo_queue', 'order', 'order 1 placed');
SELECT pgq.insert_event('demo_queue', 'order', 'order 2 placed');
SELECT pgq.insert_event('demo_queue', 'payment', 'order 1 paid');
COMMIT;"
printf '%s\n' "$sql"
"${psql[@]}" -d demo -At -c "$sql" >/dev/null

say "consuming with psql: next_batch, get_batch_events, finish_batch, until the three events are read"
# a batch holds what committed between two ticks: the first may be an idle tick's empty batch
seen=0
for _ in $(seq 1 150); do
  batch=$("${psql[@]}" -d demo -At -c "SELECT pgq.next_batch('demo_queue', 'demo_consumer')")
  if [ -z "$batch" ]; then
    sleep 0.2 # no tick yet since the last batch
    continue
  fi
  n=$("${psql[@]}" -d demo -At -c "SELECT count(*) FROM pgq.get_batch_events($batch)")
  echo "batch $batch: $n event(s)"
  if [ "$n" -gt 0 ]; then
    "${psql[@]}" -d demo -c "SELECT ev_id, ev_type, ev_data FROM pgq.get_batch_events($batch)"
  fi
  "${psql[@]}" -d demo -At -c "SELECT pgq.finish_batch($batch)" >/dev/null
  seen=$((seen + n))
  [ "$seen" -ge 3 ] && break
done
if [ "$seen" -lt 3 ]; then
  echo "demo: read $seen of 3 events in 30 s: is the ticker running? (log: $demo/pgqadm.log)" >&2
  exit 1
fi

say "status"
show "$pgqadm" "$conf" status

say "the daemon's log so far:"
cat "$demo/pgqadm.log"

if [ "$keep" = true ]; then
  PGS_LEAVE_RUNNING=1
  say "the server and the ticker keep running (--keep)"
  echo "  psql:    ${psql[*]} -d demo"
  echo "  pgqadm:  $pgqadm $conf status"
  echo "  stop the ticker: $pgqadm_stop   (-k: at once)"
  echo "  stop the server: $pg_ctl_stop"
else
  say "done; stopping the ticker and the server (--keep leaves them running; then stop them with:"
  echo "  $pgqadm_stop"
  echo "  $pg_ctl_stop )"
fi
