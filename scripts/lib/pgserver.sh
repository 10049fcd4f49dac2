# pgserver.sh: a throwaway PostgreSQL for the scripts of this repository (bench/*.sh,
# scripts/demo.sh). Source it; it only defines functions and PGS_* variables.
#
#   PGS_NAME=my-script                 # prefix of messages, name of the temporary directory
#   PGBIN=/usr/lib/postgresql/15/bin   # initdb, pg_ctl, postgres
#   . "$repo/scripts/lib/pgserver.sh"
#   pgs_workdir                        # PGS_DIR=/tmp/my-script.XXXXXX, removed at exit (or: PGS_DIR=...)
#   pgs_trap                           # at exit: hooks, server stop, log check, directory
#   pgs_initdb <<EOF                   # data in $PGS_DIR/data, socket in $PGS_SOCK, port $PGS_PORT
#   shared_buffers = 128MB             # (more postgresql.conf lines on stdin)
#   EOF
#   pgs_start
#   "$PGBIN/psql" -h "$PGS_SOCK" -p "$PGS_PORT" -U postgres ...
#
# What will bite:
#   - As root the server runs as the OS user postgres (pgs_asdb: runuser). postgres must be able
#     to reach $PGS_DIR, and initdb/pg_ctl fail in a working directory postgres cannot read:
#     they run from /.
#   - A Unix socket path is at most 107 bytes: keep PGS_SOCK short (/tmp, not a deep checkout).
#   - pgs_trap replaces the EXIT, INT and TERM traps. Add clean-up steps with pgs_at_exit (run
#     first, in order, while the server still runs; PGS_RC is the exit status); set
#     PGS_LEAVE_RUNNING=1 to keep the server at a successful exit.
#   - With PGS_CHECK_LOG=1 the exit runs pgs_check_log unless the script already did; anything
#     it finds keeps the directory and makes PGS_BAD=1.

PGS_NAME=${PGS_NAME:-$(basename "$0" .sh)}
PGS_DIR=${PGS_DIR:-}
PGS_STARTED=0
PGS_BAD=0
PGS_CHECKED=0
PGS_RM_DIR=0
PGS_LEAVE_RUNNING=0
PGS_CHECK_LOG=${PGS_CHECK_LOG:-0}
PGS_JVM_WARNINGS=0
PGS_AT_EXIT=()
PGS_RC=0

pgs_die() { echo "$PGS_NAME: $*" >&2; exit 1; }

# pgs_asdb CMD...: CMD as the server's OS user (postgres when we are root)
if [ "$(id -u)" = 0 ]; then
    PGS_DBUSER=postgres
    pgs_asdb() { runuser -u postgres -- "$@"; }
else
    PGS_DBUSER=$(id -un)
    pgs_asdb() { "$@"; }
fi

# pgs_free_port: a TCP port of 127.0.0.1 that is free now (python3; a random high port without it)
pgs_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}

# pgs_workdir: PGS_DIR = a new /tmp/$PGS_NAME.XXXXXX the server's user can use; removed at exit
# unless something went wrong or KEEP_WORK=1
pgs_workdir() {
    PGS_DIR=$(mktemp -d "/tmp/$PGS_NAME.XXXXXX")
    chmod 755 "$PGS_DIR"
    if [ "$PGS_DBUSER" = postgres ] && [ "$(id -u)" = 0 ]; then chown postgres: "$PGS_DIR"; fi
    PGS_RM_DIR=1
}

# pgs_initdb [PORT]: initdb into $PGS_DIR/data (superuser postgres, trust, UTF8, C locale, no
# fsync wait); postgresql.conf gets the port, the socket directory $PGS_SOCK (default: $PGS_DIR),
# no TCP (listen_addresses = ''), then the lines on stdin, which may override these.
pgs_initdb() {
    [ -n "$PGS_DIR" ] || pgs_die "pgs_initdb: no PGS_DIR (call pgs_workdir or set it)"
    PGS_DATA=$PGS_DIR/data
    PGS_LOG=$PGS_DIR/server.log
    PGS_SOCK=${PGS_SOCK:-$PGS_DIR}
    PGS_PORT=${1:-$(pgs_free_port)}
    [ -d "$PGS_SOCK" ] || pgs_asdb mkdir -p "$PGS_SOCK"
    (cd / && pgs_asdb "$PGBIN/initdb" -D "$PGS_DATA" -U postgres --auth=trust -E UTF8 --locale=C -N) \
        >"$PGS_DIR/initdb.log" 2>&1 || { cat "$PGS_DIR/initdb.log" >&2; pgs_die "initdb failed"; }
    {
        echo "# $PGS_NAME (scripts/lib/pgserver.sh)"
        echo "port = $PGS_PORT"
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$PGS_SOCK'"
        echo "log_line_prefix = '%m [%p] '"
        cat
    } | pgs_asdb tee -a "$PGS_DATA/postgresql.conf" >/dev/null
}

# pgs_start: starts the server, waits until it accepts connections (60 s at most)
pgs_start() {
    (cd / && pgs_asdb "$PGBIN/pg_ctl" -D "$PGS_DATA" -l "$PGS_LOG" -w -t 60 start >/dev/null) \
        || { tail -20 "$PGS_LOG" >&2; pgs_die "the server did not start (log: $PGS_LOG)"; }
    PGS_STARTED=1
}

# pgs_stop [MODE]: stops the server (pg_ctl -m MODE, default fast); a failure makes PGS_BAD=1
pgs_stop() {
    PGS_STARTED=0
    (cd / && pgs_asdb "$PGBIN/pg_ctl" -D "$PGS_DATA" -m "${1:-fast}" -w -t 60 stop >/dev/null 2>&1) || {
        echo "$PGS_NAME: pg_ctl stop failed" >&2
        PGS_BAD=1
    }
}

# pgs_check_log: looks through the server log for what means pljvm, PgQ or the server
# misbehaved: a crash, PANIC, FATAL, ERROR or WARNING lines (PGS_LOG_IGNORE: an extended regex
# of lines that are expected), JVM output other than the JDK's Security Manager notices
# (pljvm's exit guard), HotSpot crash files. Prints what it found and sets PGS_BAD=1;
# PGS_JVM_WARNINGS = the number of backends that printed the notice.
pgs_check_log() {
    PGS_CHECKED=1
    local hits="" raw
    if [ -f "$PGS_LOG" ]; then
        hits=$(grep -nE 'terminated by signal|PANIC|FATAL|server process \(PID [0-9]+\)|all server processes terminated|reinitializing|\] (WARNING|ERROR): |hs_err|fatal error has been detected' "$PGS_LOG" \
            | grep -vE "${PGS_LOG_IGNORE:-^\$}" || true)
        # lines without the server's prefix come from the JVM (its stderr goes to the log)
        raw=$(grep -nvE '^[0-9]{4}-[0-9]{2}-[0-9]{2} |^	' "$PGS_LOG" \
            | grep -vE '^[0-9]+:WARNING: (A terminally deprecated method in java.lang.System has been called|System::setSecurityManager (has been called by|will be removed)|Please consider reporting this to the maintainers of|A command line option has enabled the Security Manager|The Security Manager is deprecated and will be removed in a future release)' || true)
        [ -z "$raw" ] || hits="$hits"$'\n'"$raw"
        PGS_JVM_WARNINGS=$(grep -cE '^WARNING: (System::setSecurityManager has been called|A command line option has enabled the Security Manager)' "$PGS_LOG" || true)
    fi
    if [ -d "$PGS_DATA" ] && ls "$PGS_DATA"/hs_err_pid*.log >/dev/null 2>&1; then
        hits="$hits"$'\n'"HotSpot crash files: $(ls "$PGS_DATA"/hs_err_pid*.log)"
    fi
    hits=$(echo "$hits" | sed '/^$/d')
    if [ -n "$hits" ]; then
        echo "$PGS_NAME: SUSPICIOUS lines in the server log ($PGS_LOG):" >&2
        echo "$hits" | head -40 >&2
        PGS_BAD=1
    fi
}

# pgs_at_exit 'COMMAND': run at exit, before the server stops (e.g. stop a daemon using it)
pgs_at_exit() { PGS_AT_EXIT+=("$1"); }

pgs_cleanup() {
    local rc=$? h
    PGS_RC=$rc
    set +e
    for h in "${PGS_AT_EXIT[@]}"; do eval "$h"; done
    if [ "$PGS_STARTED" = 1 ] && { [ "$PGS_LEAVE_RUNNING" != 1 ] || [ "$rc" != 0 ]; }; then
        pgs_stop
    fi
    if [ "$PGS_CHECK_LOG" = 1 ] && [ "$PGS_CHECKED" = 0 ] && [ -n "${PGS_LOG:-}" ]; then pgs_check_log; fi
    cd /
    if [ "$PGS_RM_DIR" = 1 ] && [ -n "$PGS_DIR" ]; then
        if [ "$PGS_BAD" = 1 ] || [ "$rc" != 0 ] || [ "${KEEP_WORK:-0}" = 1 ]; then
            echo "$PGS_NAME: kept $PGS_DIR (server log: ${PGS_LOG:-none})" >&2
        else
            rm -rf "$PGS_DIR"
        fi
    fi
    exit "$rc"
}

# pgs_trap: pgs_cleanup at exit; Ctrl-C and TERM exit through it (status 130)
pgs_trap() {
    trap pgs_cleanup EXIT
    trap 'exit 130' INT TERM
}
