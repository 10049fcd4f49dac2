#!/usr/bin/env bash
# pgqadm-bench.sh: pgq-java's ticker daemon (pgqadm ticker) against Debian's pgqd, on one
# throwaway PostgreSQL 15 in one run: two databases, "ours" with pgq-java (pgqadm install) served
# by pgqadm, "deb" with Debian's PgQ (CREATE EXTENSION pgq) served by pgqd.
#
# Measures:
#   - latency from an insert's commit to a consumer having the event in a batch (median, p99),
#     at the default settings (pgqadm loop_delay = 1.0, pgqd ticker_period = 1) and at 0.1 s;
#     queue settings are PgQ's defaults (ticker_max_lag 3 s, ticker_max_count 500) in both;
#   - CPU (% of one core) and resident memory of each daemon, idle and while pgbench inserts
#     LOAD_RATE events/s into its database.
# Prints a table of medians and ratios and writes it to bench/results/pgqadm-<date>.md.
#
# Needs: launcher/target/pgqadm.jar and the bench module's PgqadmLatency (both built when
# missing: mvn -B -ntp -DskipTests package, which also installs pljvm; as root), pgqd (apt-get
# install pgqd when missing; root), PostgreSQL 15's binaries incl. pgbench, the pgq extension
# (postgresql-15-pgq3), a JDK 17+, python3 (to pick a free port). The throwaway server is
# scripts/lib/pgserver.sh's.
#
# Environment (defaults in brackets):
#   LAT_EVENTS [200]   events per latency run (one per transaction)
#   LAT_RATE [20]      their rate, events/s
#   IDLE_SECS [20]     idle measurement window
#   LOAD_SECS [20]     load measurement window
#   LOAD_RATE [5000]   events/s pgbench aims at: -R LOAD_RATE/LOAD_TX_EVENTS transactions/s, 4 clients
#   LOAD_TX_EVENTS [10] events per producer transaction under load
#   PGBIN [/usr/lib/postgresql/15/bin]   PostgreSQL binaries
#   RESULTS_DIR [bench/results]          where pgqadm-<date>.md is written
#   KEEP_WORK [0]      1 = keep the temporary directory (server and daemon logs)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
LAT_EVENTS=${LAT_EVENTS:-200}
LAT_RATE=${LAT_RATE:-20}
IDLE_SECS=${IDLE_SECS:-20}
LOAD_SECS=${LOAD_SECS:-20}
LOAD_RATE=${LOAD_RATE:-5000}
LOAD_TX_EVENTS=${LOAD_TX_EVENTS:-10}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
RESULTS_DIR=${RESULTS_DIR:-$here/results}
KEEP_WORK=${KEEP_WORK:-0}

PGS_NAME=pgqadm-bench
. "$here/lib.sh"

# ---------------------------------------------------------------- prerequisites
bench_need_daemons

# ---------------------------------------------------------------- server, databases
bench_daemon_server </dev/null
for db in ours deb; do
    "${psql[@]}" -d "$db" -c "SELECT pgq.create_queue('lat')" -c "SELECT pgq.create_queue('load')" >/dev/null
done
echo "ours: pgq $("${psql[@]}" -d ours -Atc 'SELECT pgq.version()'), deb: pgq $("${psql[@]}" -d deb -Atc 'SELECT pgq.version()')"

# ---------------------------------------------------------------- the latency client
latency() { # db -> "median p99 received missing"
    java -cp "$CLASSES:$jar" org.pgqjava.bench.PgqadmLatency "jdbc:postgresql://127.0.0.1:$port/$1?user=postgres" \
        "$LAT_EVENTS" "$LAT_RATE"
}

# ---------------------------------------------------------------- daemons
start_daemons() { # pgqadm loop_delay, pgqd ticker_period
    sed -i '/^loop_delay/d' "$work/pgqadm.ini"
    echo "loop_delay = $1" >>"$work/pgqadm.ini"
    cat >"$work/pgqd.ini" <<EOF
[pgqd]
base_connstr = host=$sock port=$port user=postgres
initial_database = postgres
database_list = deb
logfile = $work/pgqd.log
pidfile = $work/pgqd.pid
ticker_period = $2
EOF
    "$pgqadm" -q -d "$work/pgqadm.ini" ticker
    pgqd -q -d "$work/pgqd.ini"
    sleep 5 # connected, first maintenance done, JIT warm
    # read the pids only now: pgqd may write its pidfile before it has finished detaching
    ours_pid=$(cat "$work/pgqadm.pid")
    deb_pid=$(cat "$work/pgqd.pid")
    kill -0 "$ours_pid" && kill -0 "$deb_pid" || die "a daemon is not running (pgqadm $ours_pid, pgqd $deb_pid)"
}
stop_daemons() {
    "$pgqadm" -q "$work/pgqadm.ini" -s
    pgqd -s "$work/pgqd.ini" >/dev/null 2>&1 || kill -INT "$deb_pid"
    for _ in $(seq 1 200); do
        kill -0 "$ours_pid" 2>/dev/null || kill -0 "$deb_pid" 2>/dev/null || return 0
        sleep 0.1
    done
    die "daemons did not stop"
}
hz=$(getconf CLK_TCK)
rss_mb() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# measure SECS PID... -> "cpu% rssMB" per pid, one line each
measure() {
    local secs=$1; shift
    local -a before=()
    for p in "$@"; do before+=("$(cpu_ticks "$p")"); done
    sleep "$secs"
    local i=0
    for p in "$@"; do
        echo "$(calc "%.2f" "($(cpu_ticks "$p") - ${before[$i]}) * 100 / $hz / $secs") $(rss_mb "$p")"
        i=$((i + 1))
    done
}
load() { # db pid -> "events/s cpu% rssMB": pgbench inserts while the daemon is measured
    local db=$1 pid=$2
    echo "SELECT pgq.insert_event('load', 'load', 'x') FROM generate_series(1, $LOAD_TX_EVENTS);" >"$work/insert.sql"
    "$PGBIN/pgbench" -n -h "$sock" -p "$port" -U postgres -f "$work/insert.sql" -R "$((LOAD_RATE / LOAD_TX_EVENTS))" \
        -c 4 -j 2 -T "$((LOAD_SECS + 4))" "$db" >"$work/pgbench-$db.txt" 2>&1 &
    local bench=$!
    sleep 2
    local m
    m=$(measure "$LOAD_SECS" "$pid")
    wait "$bench"
    local tps
    tps=$(awk '/^tps/ {printf "%.0f", $3; exit}' "$work/pgbench-$db.txt")
    echo "$((tps * LOAD_TX_EVENTS)) $m"
}

# ---------------------------------------------------------------- phase 1: defaults
say "defaults: pgqadm loop_delay = 1.0, pgqd ticker_period = 1"
start_daemons 1.0 1
mapfile -t idle < <(measure "$IDLE_SECS" "$ours_pid" "$deb_pid") # the same window for both
read -r ours_idle_cpu ours_idle_rss <<<"${idle[0]}"
read -r deb_idle_cpu deb_idle_rss <<<"${idle[1]}"
echo "idle: pgqadm ${ours_idle_cpu}% ${ours_idle_rss} MB, pgqd ${deb_idle_cpu}% ${deb_idle_rss} MB"
read -r ours_lat1_med ours_lat1_p99 ours_lat1_n ours_lat1_miss _ < <(latency ours)
read -r deb_lat1_med deb_lat1_p99 deb_lat1_n deb_lat1_miss _ < <(latency deb)
echo "latency (ms, median p99): pgqadm $ours_lat1_med $ours_lat1_p99 ($ours_lat1_miss missing), pgqd $deb_lat1_med $deb_lat1_p99 ($deb_lat1_miss missing)"
read -r ours_rate ours_load_cpu ours_load_rss < <(load ours "$ours_pid")
read -r deb_rate deb_load_cpu deb_load_rss < <(load deb "$deb_pid")
echo "load: pgqadm ${ours_load_cpu}% ${ours_load_rss} MB at $ours_rate ev/s, pgqd ${deb_load_cpu}% ${deb_load_rss} MB at $deb_rate ev/s"
stop_daemons

# ---------------------------------------------------------------- phase 2: 0.1 s
say "fast: pgqadm loop_delay = 0.1, pgqd ticker_period = 0.1"
start_daemons 0.1 0.1
mapfile -t idle < <(measure "$IDLE_SECS" "$ours_pid" "$deb_pid")
read -r ours_idle2_cpu ours_idle2_rss <<<"${idle[0]}"
read -r deb_idle2_cpu deb_idle2_rss <<<"${idle[1]}"
read -r ours_lat2_med ours_lat2_p99 ours_lat2_n ours_lat2_miss _ < <(latency ours)
read -r deb_lat2_med deb_lat2_p99 deb_lat2_n deb_lat2_miss _ < <(latency deb)
echo "latency (ms, median p99): pgqadm $ours_lat2_med $ours_lat2_p99, pgqd $deb_lat2_med $deb_lat2_p99"
stop_daemons

# ---------------------------------------------------------------- report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
date=$(date +%F)
{
    echo "# pgqadm (pgq-java) vs pgqd (Debian PgQ 3.5), $date"
    echo
    echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "PostgreSQL $("${psql[@]}" -d postgres -Atc 'show server_version'), $(java -version 2>&1 | head -1), pgqd $(pgqd -V 2>&1 | awk '{print $3}')."
    echo "Latency: $LAT_EVENTS events at $LAT_RATE/s, one per transaction, consumer polling next_batch every 10 ms;"
    echo "queue settings PgQ's defaults (ticker_max_lag 3 s, ticker_max_count 500) in both databases."
    echo "CPU: % of one core over ${IDLE_SECS} s idle / ${LOAD_SECS} s under load (pgbench, 4 clients, $LOAD_TX_EVENTS events per"
    echo "transaction, aiming at $LOAD_RATE events/s); RSS at the end of the window."
    echo
    echo "| measure | pgqadm | pgqd | ratio pgqadm/pgqd |"
    echo "| --- | --- | --- | --- |"
    row "latency median, defaults (ms)" "$ours_lat1_med" "$deb_lat1_med"
    row "latency p99, defaults (ms)" "$ours_lat1_p99" "$deb_lat1_p99"
    row "latency median, 0.1 s (ms)" "$ours_lat2_med" "$deb_lat2_med"
    row "latency p99, 0.1 s (ms)" "$ours_lat2_p99" "$deb_lat2_p99"
    row "events lost (defaults + 0.1 s)" "$((ours_lat1_miss + ours_lat2_miss))" "$((deb_lat1_miss + deb_lat2_miss))"
    row "CPU idle, defaults (%)" "$ours_idle_cpu" "$deb_idle_cpu"
    row "CPU idle, 0.1 s (%)" "$ours_idle2_cpu" "$deb_idle2_cpu"
    row "RSS idle, defaults (MB)" "$ours_idle_rss" "$deb_idle_rss"
    row "CPU under load, defaults (%)" "$ours_load_cpu" "$deb_load_cpu"
    row "RSS under load (MB)" "$ours_load_rss" "$deb_load_rss"
    row "insert rate reached (events/s)" "$ours_rate" "$deb_rate"
} >"$work/report.md"
bench_publish "$work/report.md" "$RESULTS_DIR/pgqadm-$date.md"
