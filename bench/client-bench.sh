#!/usr/bin/env bash
# client-bench.sh: the Java client library's consumer (pgq-client, docs/client.md) against the
# same loop written by hand over JDBC and against python-pgq's Consumer (Debian's python3-pgq),
# on one throwaway PostgreSQL 15, database "ours" with pgq-java installed by pgqadm.
#
# Each run queues EVENTS events of ~110 bytes into one queue, BATCH per tick, for three consumers
# registered before; then each consumer drains them, one after the other in an order that
# rotates from run to run: all three read the same events from the same tables. Each times the
# events after its first WARM (JIT warm-up; its JVM's or Python's start is not in it either) up
# to its last commit; the empty handler only counts. Prints events/s medians and per-run ratios (the library
# against the hand-written loop: target >= 0.95; against python-pgq: target >= 2) and writes
# bench/results/client-<date>.md.
#
# Needs what bench/pgqadm-bench.sh needs (pgqadm.jar and the bench module built, the pgq
# extension, PostgreSQL 15's binaries, a JDK 17+), the client module built
# (client/target/pgq-client-*.jar) and python3-pgq (installed when missing, as root).
#
# Environment (defaults in brackets):
#   EVENTS [200000]   events per run
#   BATCH [1000]      events per tick (per batch)
#   RUNS [5]          rounds
#   WARM [EVENTS / 5] events each consumer reads before its clock starts (JIT warm-up)
#   PGBIN [/usr/lib/postgresql/15/bin]   PostgreSQL binaries
#   PYTHON [/usr/bin/python3]            the Python with python3-pgq
#   RESULTS_DIR [bench/results]          where client-<date>.md is written
#   KEEP_WORK [0]     1 = keep the temporary directory
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
EVENTS=${EVENTS:-200000}
BATCH=${BATCH:-1000}
RUNS=${RUNS:-5}
WARM=${WARM:-$((EVENTS / 5))}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
# Debian's python3, where python3-pgq lives (a python3 earlier in PATH may be another one)
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS_DIR=${RESULTS_DIR:-$here/results}
KEEP_WORK=${KEEP_WORK:-0}

PGS_NAME=client-bench
. "$here/lib.sh"

# ---------------------------------------------------------------- prerequisites
bench_need_daemons
CLIENT_JAR=$(ls "$repo"/client/target/pgq-client-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -1 || true)
if [ -z "$CLIENT_JAR" ] || [ ! -f "$CLASSES/org/pgqjava/bench/ClientBench.class" ]; then
    say "building the client and bench modules (mvn -B -ntp -DskipTests package)"
    (cd "$repo" && mvn -B -ntp -q -DskipTests package)
    CLIENT_JAR=$(ls "$repo"/client/target/pgq-client-*.jar | grep -v -e sources -e javadoc | head -1)
fi
bench_need_classes "$CLASSES" org.pgqjava.bench.ClientBench
CLI=$repo/liquibase/target/cli
PGJDBC=$(ls "$CLI"/postgresql-*.jar 2>/dev/null | head -1 || true)
SLF4J=$(ls "$CLI"/slf4j-api-*.jar 2>/dev/null | head -1 || true)
[ -n "$PGJDBC" ] && [ -n "$SLF4J" ] || die "pgjdbc and slf4j-api are missing from $CLI: build the liquibase module"
if ! "$PYTHON" -c 'import pgq' 2>/dev/null; then
    [ "$(id -u)" = 0 ] || die "python3-pgq is missing: apt-get install python3-pgq (as root)"
    say "installing Debian's python3-pgq"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-pgq >/dev/null
fi
[ $((EVENTS % BATCH)) = 0 ] || die "EVENTS ($EVENTS) must be a multiple of BATCH ($BATCH)"
bench_load_note

# ---------------------------------------------------------------- server, queue
# commits without waiting for the WAL flush, as the other benches run: the consumers' CPU paths,
# not the disk, are measured (each consumer commits once per batch all the same)
bench_daemon_server <<EOC
synchronous_commit = off
EOC
"${psql[@]}" -d ours -c "SELECT pgq.create_queue('cb')" \
    -c "SELECT pgq.set_queue_config('cb', 'ticker_max_lag', '0')" \
    -c "SELECT pgq.set_queue_config('cb', 'ticker_idle_period', '0')" >/dev/null
URL="jdbc:postgresql://127.0.0.1:$port/ours?user=postgres"
JAVA=(java -XX:+UseSerialGC -cp "$CLASSES:$CLIENT_JAR:$PGJDBC:$SLF4J" org.pgqjava.bench.ClientBench)
RAW=$work/raw.tsv
: >"$RAW"

# fill: EVENTS events, BATCH per tick, in one psql session
fill() {
    local i
    for ((i = 0; i < EVENTS / BATCH; i++)); do
        echo "SELECT pgq.insert_events('cb', array_fill('t'::text, array[$BATCH]), array(SELECT repeat('x', 100) || g FROM generate_series(1, $BATCH) g));"
        echo "SELECT pgq.ticker('cb');"
    done | "${psql[@]}" -d ours -o /dev/null
}

# run VARIANT CONSUMER: drains EVENTS events as CONSUMER; prints "events secs"
run_variant() {
    local v=$1 consumer=$2 out
    case $v in
        lib|hand) out=$("${JAVA[@]}" "$v" "$URL" cb "$consumer" "$EVENTS" "$WARM" 2>"$work/$v.err") ;;
        py)
            cat >"$work/py.ini" <<EOI
[client_bench]
job_name = $consumer
src_db = dbname=ours host=$sock port=$port user=postgres
queue_name = cb
consumer_name = $consumer
want_events = $EVENTS
warm_events = $WARM
loop_delay = 0.01
logfile = $work/py.log
pidfile = $work/py.pid
EOI
            out=$("$PYTHON" "$here/client_bench_consumer.py" "$work/py.ini" 2>"$work/py.err") ;;
    esac
    echo "$out" | sed -n 's/^events=\([0-9]*\) secs=\([0-9.]*\)$/\1 \2/p'
}

for ((run = 1; run <= RUNS; run++)); do
    for v in lib hand py; do
        "${psql[@]}" -d ours -c "SELECT pgq.register_consumer('cb', 'c_${v}_$run')" >/dev/null
    done
    fill
    for v in $(order "$run" lib hand py); do
        read -r n secs < <(run_variant "$v" "c_${v}_$run") || die "$v failed in run $run: $(tail -5 "$work/$v.err")"
        [ "$n" = $((EVENTS - WARM)) ] || die "$v timed $n events, not $((EVENTS - WARM)), in run $run"
        printf '%s_evps\t%s\n' "$v" "$(calc '%.1f' "$n / $secs")" >>"$RAW"
        say "run $run: $v $(calc '%.0f' "$n / $secs") events/s"
    done
    for v in lib hand py; do
        "${psql[@]}" -d ours -c "SELECT pgq.unregister_consumer('cb', 'c_${v}_$run')" >/dev/null
    done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
report=$work/report.md
lib=$(med lib_evps); hand=$(med hand_evps); py=$(med py_evps)
r_hand=$(pmed 'A / B' lib_evps hand_evps); r_py=$(pmed 'A / B' lib_evps py_evps)
met() { awk -v r="$1" -v t="$2" 'BEGIN {print (r >= t ? "yes" : "NO")}'; }
{
    echo "# client-bench $(date -u +%Y-%m-%d): pgq-client's consumer against a hand-written JDBC loop and python-pgq"
    echo
    echo "$EVENTS events of ~110 bytes per run, $BATCH per batch, $RUNS runs; each consumer drains the same events, timed after its first $WARM; empty handlers; server with synchronous_commit = off."
    echo
    echo "| consumer | events/s (median) | library / it (median of per-run ratios) | target | met? |"
    echo "| --- | --- | --- | --- | --- |"
    echo "| pgq-client \`Consumer\`, empty event handler (fetchSize 1000: next_batch_info with get_batch_cursor(0) in one statement, prepared FETCH) | $(calc '%.0f' "$lib") | – | – | – |"
    echo "| the same loop by hand over JDBC (next_batch_info, get_batch_events, finish_batch, commit) | $(calc '%.0f' "$hand") | **$(calc '%.2f' "$r_hand")** | ≥ 0.95 | $(met "$r_hand" 0.95) |"
    echo "| python-pgq \`pgq.Consumer\`, empty process_event (its default lazy fetch, 300) | $(calc '%.0f' "$py") | **$(calc '%.2f' "$r_py")** | ≥ 2 | $(met "$r_py" 2) |"
    echo
    echo "### Every run"
    echo
    all_runs_table
    echo
    bench_setup_head
    echo "- pgq-java installed by pgqadm (launcher/target/pgqadm.jar); client jar $(basename "$CLIENT_JAR") ($(bench_sums "$CLIENT_JAR")); java: $(java -version 2>&1 | head -1); python3-pgq $(dpkg-query -W -f '${Version}' python3-pgq 2>/dev/null || echo '?')"
} >"$report"
LOAD_END=$LOAD_END bench_publish "$report" "$RESULTS_DIR/client-$(date -u +%Y-%m-%d).md"
