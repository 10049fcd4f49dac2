#!/usr/bin/env bash
# demo.sh: set-up, build, install pljvm, and call a Java method from SQL on a throwaway server.
#
#   ./scripts/demo.sh          run the demo, stop the server at the end
#   ./scripts/demo.sh --keep   leave the server running and print how to connect and stop it
#
# On a fresh Debian bookworm machine run it as root: it installs packages and puts pljvm into
# /usr/lib/postgresql/15. The server lives in target/demo (a link to a /tmp directory when the
# OS user postgres cannot reach target/ or the socket path would be too long), runs as postgres
# when we are root, and listens on a Unix socket only, so it never clashes with another server.
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
port=5432 # names the socket file only: the server does not listen on TCP
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  as_pg=(runuser -u postgres --)
fi

say() { printf 'demo: %s\n' "$*"; }

./scripts/setup-debian.sh

say "building, pljvm installed into PostgreSQL by its package phase"
mvn -B -ntp -DskipTests -Dpljvm.install.skip=false package

control="$("$bindir/pg_config" --sharedir)/extension/pljvm.control"
if [ ! -f "$control" ]; then
  echo "demo: $control is missing: the build did not install pljvm (needs root, or -Dpljvm.install.skip=false)" >&2
  exit 1
fi

# a server left running by an earlier --keep
if [ -f target/demo/data/postmaster.pid ]; then
  say "stopping the demo server left running in target/demo"
  (cd / && "${as_pg[@]}" "$bindir/pg_ctl" -D "$repo/target/demo/data" -m fast -w stop) || true
fi
old=$(readlink target/demo || true)
rm -rf target/demo
if [ -n "$old" ] && [ "${old#/tmp/pgq-java-demo.}" != "$old" ]; then
  rm -rf "$old"
fi
mkdir -p target/demo

# the socket path must stay under 108 bytes, and postgres must be able to reach the directory
demo=$repo/target/demo
if [ ${#demo} -gt 80 ] || { [ ${#as_pg[@]} -gt 0 ] && ! "${as_pg[@]}" test -x "$repo/target"; }; then
  rmdir target/demo
  demo=$(mktemp -d /tmp/pgq-java-demo.XXXXXX)
  ln -s "$demo" target/demo
  say "target/demo -> $demo"
fi
mkdir -p "$demo/sock"
if [ ${#as_pg[@]} -gt 0 ]; then
  chown -R postgres: "$demo"
fi

pg_ctl_stop="${as_pg[*]}${as_pg[*]:+ }$bindir/pg_ctl -D $demo/data -m fast stop"
stop_server() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -f "$demo/server.log" ]; then
    echo "demo: failed; last lines of $demo/server.log:" >&2
    tail -n 20 "$demo/server.log" >&2
  fi
  if [ "$keep" = false ] && [ -f "$demo/data/postmaster.pid" ]; then
    say "stopping the server"
    (cd / && "${as_pg[@]}" "$bindir/pg_ctl" -D "$demo/data" -m fast -w stop >/dev/null) || true
  elif [ "$rc" -ne 0 ] && [ -f "$demo/data/postmaster.pid" ]; then
    say "the server keeps running (--keep); stop it with: $pg_ctl_stop"
  fi
  exit "$rc"
}
trap stop_server EXIT

say "initdb in $demo/data"
# cd /: initdb and pg_ctl, run as postgres, fail in a working directory postgres cannot read
(cd / && "${as_pg[@]}" "$bindir/initdb" -D "$demo/data" -U postgres -A trust -E UTF8 --no-locale >"$demo/initdb.log")
cat >>"$demo/data/postgresql.conf" <<EOF
# added by scripts/demo.sh
listen_addresses = ''
unix_socket_directories = '$demo/sock'
port = $port
log_line_prefix = '%m [%p] '
EOF
say "starting the server (log: $demo/server.log)"
(cd / && "${as_pg[@]}" "$bindir/pg_ctl" -D "$demo/data" -l "$demo/server.log" -w start >/dev/null)

psql=("$bindir/psql" -X -v ON_ERROR_STOP=1 -h "$demo/sock" -p "$port" -U postgres -d postgres)
say "running SQL:"
sql="CREATE EXTENSION pljvm;
CREATE FUNCTION jabs(int8) RETURNS int8 LANGUAGE pljvm AS 'java.lang.Math.abs';
SELECT jabs(-42) AS \"jabs(-42)\";"
printf '%s\n' "$sql"
"${psql[@]}" -c "CREATE EXTENSION pljvm" \
  -c "CREATE FUNCTION jabs(int8) RETURNS int8 LANGUAGE pljvm AS 'java.lang.Math.abs'" \
  -c 'SELECT jabs(-42) AS "jabs(-42)"'

if [ "$keep" = true ]; then
  say "the server keeps running (--keep)"
  say "connect: ${psql[*]}"
  say "stop:    $pg_ctl_stop"
else
  say "done; the server is stopped on exit (--keep leaves it running; then stop it with: $pg_ctl_stop)"
fi
