#!/usr/bin/env bash
# push-bench.sh: push delivery (docs/push.md) against plain ticking, on one throwaway
# PostgreSQL 15 in one run: database "ours" with pgq-java served by pgqadm (queue lat_push with
# push on, queue lat with push off), database "deb" with Debian's PgQ served by pgqd (queue lat).
# Everything at its defaults (pgqadm loop_delay 1 s, pgqd ticker_period 1 s, ticker_max_lag 3 s,
# ticker_max_count 500, push_min_interval 10 ms).
#
# Measures, per rate of RATES (events/s, one per autocommit transaction, PRODUCERS producers at
# the highest rate), the three interleaved, RUNS times:
#   - latency from an insert's commit to a consumer having the event in a batch (median, p99;
#     push: the consumer LISTENs on the tick channel, the others poll next_batch every 10 ms);
#   - batches (= ticks the consumer saw) per second and events per batch;
#   - pgqadm's CPU (% of one core) during the push runs;
# and the producers' throughput with push on against off (pgbench -c 4, insert_event, 1 per
# transaction, no rate limit), interleaved, RUNS times.
# Prints medians and writes bench/results/push-<date>.md.
#
# Needs what bench/pgqadm-bench.sh needs (pgqadm.jar and the bench module built, pgqd, the
# pgq extension, PostgreSQL 15's binaries, a JDK 17+).
#
# Environment (defaults in brackets):
#   RATES ["20 1000 10000"]  events/s
#   SECS [10]                seconds of events per latency run
#   PRODUCERS [4]            producer connections at rates of 5000/s and more (1 below)
#   RUNS [3]                 rounds
#   TPUT_SECS [10]           seconds per throughput run
#   PGBIN [/usr/lib/postgresql/15/bin]   PostgreSQL binaries
#   RESULTS_DIR [bench/results]          where push-<date>.md is written
#   KEEP_WORK [0]            1 = keep the temporary directory (server and daemon logs)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
RATES=${RATES:-20 1000 10000}
SECS=${SECS:-10}
PRODUCERS=${PRODUCERS:-4}
RUNS=${RUNS:-3}
TPUT_SECS=${TPUT_SECS:-10}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
RESULTS_DIR=${RESULTS_DIR:-$here/results}
KEEP_WORK=${KEEP_WORK:-0}

PGS_NAME=push-bench
. "$here/lib.sh"

# ---------------------------------------------------------------- prerequisites
bench_need_daemons

# ---------------------------------------------------------------- server, databases, daemons
bench_daemon_server <<EOF
synchronous_commit = off
EOF
for q in lat lat_push; do
    "${psql[@]}" -d ours -c "SELECT pgq.create_queue('$q')" >/dev/null
done
"${psql[@]}" -d ours -c "SELECT pgq.set_queue_config('lat_push', 'push', 'on')" >/dev/null
"${psql[@]}" -d deb -c "SELECT pgq.create_queue('lat')" >/dev/null
# each queue's first event is not counted as new (docs/push.md): queue one before measuring
for db in ours deb; do
    for q in $([ "$db" = ours ] && echo "lat lat_push" || echo lat); do
        "${psql[@]}" -d "$db" -c "SELECT pgq.insert_event('$q', 'warm-up', '')" >/dev/null
    done
done
cat >"$work/pgqd.ini" <<EOF
[pgqd]
base_connstr = host=$sock port=$port user=postgres
initial_database = postgres
database_list = deb
logfile = $work/pgqd.log
pidfile = $work/pgqd.pid
EOF
"$pgqadm" -q -d "$work/pgqadm.ini" ticker
pgqd -q -d "$work/pgqd.ini"
sleep 5
ours_pid=$(cat "$work/pgqadm.pid")
deb_pid=$(cat "$work/pgqd.pid")
kill -0 "$ours_pid" && kill -0 "$deb_pid" || die "a daemon is not running (pgqadm $ours_pid, pgqd $deb_pid)"
hz=$(getconf CLK_TCK)

# ---------------------------------------------------------------- the runs
# lat DB QUEUE MODE RATE -> "median p99 received missing batches cpu%" (cpu: pgqadm's, during the run)
lat() {
    local db=$1 q=$2 mode=$3 rate=$4 producers=1 before after t0 t1 out
    [ "$rate" -ge 5000 ] && producers=$PRODUCERS
    before=$(cpu_ticks "$ours_pid")
    t0=$(date +%s.%N)
    out=$(java -cp "$CLASSES:$jar" org.pgqjava.bench.PgqadmLatency "jdbc:postgresql://127.0.0.1:$port/$db?user=postgres" \
        "$((rate * SECS))" "$rate" "$q" "$mode" "$producers")
    t1=$(date +%s.%N)
    after=$(cpu_ticks "$ours_pid")
    echo "$out $(calc "%.2f" "($after - $before) * 100 / $hz / ($t1 - $t0)")"
}
raw=$work/raw.txt
: >"$raw"
for run in $(seq 1 "$RUNS"); do
    for rate in $RATES; do
        for v in $(order "$run" push off pgqd); do
            case $v in
                push) r=$(lat ours lat_push listen "$rate") ;;
                off) r=$(lat ours lat poll "$rate") ;;
                pgqd) r=$(lat deb lat poll "$rate") ;;
            esac
            echo "$run $rate $v $r" | tee -a "$raw"
        done
    done
done
# producer throughput, push on against off
tput() { # queue -> events/s
    echo "SELECT pgq.insert_event('$1', 'tput', 'x');" >"$work/tput-$1.sql"
    "$PGBIN/pgbench" -n -h "$sock" -p "$port" -U postgres -f "$work/tput-$1.sql" -c 4 -j 2 -T "$TPUT_SECS" ours \
        >"$work/tput-$1.txt" 2>&1 || { cat "$work/tput-$1.txt" >&2; die "pgbench failed"; }
    awk '/^tps/ {printf "%.0f", $3; exit}' "$work/tput-$1.txt"
}
for run in $(seq 1 "$RUNS"); do
    for v in $(order "$run" push off); do
        case $v in
            push) t=$(tput lat_push) ;;
            off) t=$(tput lat) ;;
        esac
        echo "$run tput $v $t" | tee -a "$raw"
    done
done

# ---------------------------------------------------------------- report
date=$(date +%F)
{
    echo "# Push delivery: push on vs push off vs pgqd (Debian's PgQ), $date"
    echo
    echo "$(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). PostgreSQL"
    echo "$("${psql[@]}" -d postgres -Atc 'show server_version'), $(java -version 2>&1 | head -1), pgqd $(pgqd -V 2>&1 | awk '{print $3}')."
    echo "Defaults everywhere (pgqadm loop_delay 1 s, pgqd ticker_period 1 s, ticker_max_lag 3 s, max_count 500,"
    echo "push_min_interval 10 ms). Each latency run: $SECS s of events at the rate, one per autocommit transaction"
    echo "($PRODUCERS producer connections from 5000/s on); push consumers LISTEN on the tick channel, the others poll"
    echo "next_batch every 10 ms. Medians of $RUNS interleaved runs. Throughput: pgbench -c 4, insert_event, one per"
    echo "transaction, ${TPUT_SECS} s per run."
    echo
    echo "| rate (events/s) | variant | latency median (ms) | p99 (ms) | batches/s | events/batch | lost | pgqadm CPU (%) |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
    for rate in $RATES; do
        for v in push off pgqd; do
            awk -v rate="$rate" -v v="$v" -v secs="$SECS" '
                $2 == rate && $3 == v { n++; med[n] = $4; p99[n] = $5; rec[n] = $6; miss += $7; b[n] = $8; cpu[n] = $9 }
                function m(a,   i, j, t, k) { k = n; for (i = 1; i <= k; i++) s[i] = a[i];
                    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
                    return s[int((k + 1) / 2)] }
                END { if (n == 0) exit; bm = m(b);
                    printf "| %s | %s | %.1f | %.1f | %.1f | %.1f | %d | %s |\n", rate, (v == "push" ? "push on (pgqadm)" : v == "off" ? "push off (pgqadm)" : "pgqd, Debian PgQ"),
                        m(med), m(p99), bm / secs, (bm > 0 ? m(rec) / bm : 0), miss, (v == "pgqd" ? "-" : m(cpu)) }' "$raw"
        done
    done
    echo
    awk '$2 == "tput" { if ($3 == "push") p[++np] = $4; else o[++no] = $4 }
        function med(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return a[int((k + 1) / 2)] }
        END { pm = med(p, np); om = med(o, no); printf "Producer throughput: push on %d events/s, push off %d events/s: **%.2f** of push off.\n", pm, om, pm / om }' "$raw"
    echo
    echo "Raw lines (run rate variant median p99 received missing batches cpu%):"
    echo
    echo '```'
    cat "$raw"
    echo '```'
} >"$work/report.md"
bench_publish "$work/report.md" "$RESULTS_DIR/push-$date.md"
