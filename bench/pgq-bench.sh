#!/usr/bin/env bash
# pgq-bench.sh: pgq-java against Debian's PgQ 3.5 (postgresql-15-pgq3), each in its own database
# of the same throwaway PostgreSQL 15, in one run, interleaved: insert_event throughput, consuming
# 1 M events, pgq.ticker() call time, and a plain INSERT into an event-shaped table as the
# physical limit. Prints a markdown table of medians and throughput ratios ours/PgQ and writes it,
# with every single run, to bench/results/pgq-<date>.md.
#
# Needs: pljvm installed into the PostgreSQL 15 installation (pljvm.so, pljvm.jar, extension
# files), the liquibase module built (liquibase/target/liquibase-*.jar and liquibase/target/cli/,
# whose PostgreSQL JDBC driver the client uses) and the bench module built (PgqBenchClient in
# bench/target/classes); all three: `mvn -B -ntp -pl liquibase,bench -am package -DskipTests` as
# root. Also Debian's PgQ (postgresql-15-pgq3: `CREATE EXTENSION pgq`), PostgreSQL 15's initdb,
# pg_ctl, psql, pgbench, a JDK 17+ (java) and python3 (only to pick a free port). Run it as root
# (the server then runs as the OS user postgres) or as any other user. The throwaway server is
# scripts/lib/pgserver.sh's. See bench/README.md.
#
# Environment (defaults in brackets):
#   RUNS [5]             repetitions of every measurement; medians are reported
#   PGBENCH_SECS [6]     -T of every pgbench run (at least 2 and WARM_SECS + 1)
#   WARM_SECS [2]        the first WARM_SECS of every pgbench run are left out (connection,
#                        our JVM start and its JIT: four new backends on two cores reach their
#                        steady rate after ~1.5-2 s); the rest is the steady state that is reported
#   CLIENTS ["1 4"]      pgbench client counts for the insert rows
#   CPU_EVENTS [3000]    events per variant and run in the server-CPU measurement of the
#                        inserts (one psql session each; backend CPU from /proc/PID/schedstat)
#   CONSUME_N [1000000]  events queued and then consumed per run and implementation
#   CHUNK [1000]         events between two ticks while queueing (= events per batch)
#   FILL [direct]        how the CONSUME_N events are queued: direct = INSERT ... SELECT of
#                        CHUNK rows into pgq.current_event_table('qc') (the same rows for both,
#                        fast); insert_event = SELECT pgq.insert_event(...) FROM generate_series
#   TICK_PENDING [100000] events pending (inserted since the last tick) for the ticker row
#   TICK_REPS [5]        timed ticker calls with TICK_PENDING pending, per run (median of them),
#                        both after 10 calls (a fresh backend) and after TICK_DAEMON calls; and
#                        timed calls that tick TICK_QUEUES queues
#   IDLE_CALLS [200]     timed idle ticker calls per run (median of them), with 3 and TICK_QUEUES queues
#   TICK_DAEMON [300]    ticker calls the ticker's connection has made before the main timed ones
#                        (a pgqadm or pgqd connection after five minutes at loop_delay = 1 s)
#   TICK_QUEUES [100]    queues of the many-queues ticker rows (the bench's 3 and more, created
#                        for them and dropped after)
#   PHASES ["insert cpu connect burst consume ticker"]  the parts to run (rows of a part left out show nan);
#                        connect = a new connection per insert_event (pgbench -C), directly and
#                        through PgBouncer in transaction pooling (Debian's pgbouncer, started here
#                        on a free port; the PgBouncer row is nan without /usr/sbin/pgbouncer),
#                        and the first insert_event of fresh backends: their CPU and private memory
#   FRESH [5]            fresh backends per run and implementation for those two rows
#   BURST_CLIENTS [300]  burst = that many JDBC clients connecting at the same moment, each making
#                        one insert_event (max_connections is raised to BURST_CLIENTS + 20 for it)
#   BURST_TIMEOUT [10]   their login timeout, s
#   PGBIN [/usr/lib/postgresql/15/bin]   PostgreSQL binaries
#   LIQUIBASE_DIR [<repo>/liquibase/target]  the built liquibase module (jar and cli/)
#   RESULTS_DIR [bench/results]          where pgq-<date>.md is written (-2, -3 ... if it exists)
#   KEEP_WORK [0]        1 = keep the temporary directory (data, server log) in any case
#   SNAPSHOT [1]         1 = run copies of pljvm.jar and the liquibase jars taken at the start
#                        (a rebuild during the run cannot mix builds; pljvm.so is preloaded by
#                        the server at its start in any case); 0 = the installed files themselves
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
RUNS=${RUNS:-5}
PGBENCH_SECS=${PGBENCH_SECS:-6}
WARM_SECS=${WARM_SECS:-2}
CLIENTS=${CLIENTS:-1 4}
CPU_EVENTS=${CPU_EVENTS:-3000}
CONSUME_N=${CONSUME_N:-1000000}
CHUNK=${CHUNK:-1000}
FILL=${FILL:-direct}
TICK_PENDING=${TICK_PENDING:-100000}
TICK_REPS=${TICK_REPS:-5}
IDLE_CALLS=${IDLE_CALLS:-200}
TICK_DAEMON=${TICK_DAEMON:-300}
TICK_QUEUES=${TICK_QUEUES:-100}
PHASES=${PHASES:-insert cpu connect burst consume ticker}
BURST_CLIENTS=${BURST_CLIENTS:-300}
BURST_TIMEOUT=${BURST_TIMEOUT:-10}
FRESH=${FRESH:-5}
want() { [[ " $PHASES " == *" $1 "* ]]; }
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
LIQUIBASE_DIR=${LIQUIBASE_DIR:-$repo/liquibase/target}
RESULTS_DIR=${RESULTS_DIR:-$here/results}
KEEP_WORK=${KEEP_WORK:-0}
SNAPSHOT=${SNAPSHOT:-1}

PGS_NAME=pgq-bench
PGS_CHECK_LOG=1
# Liquibase's first look for its lock table is an expected ERROR
PGS_LOG_IGNORE='\] ERROR:  relation "public\.databasechangeloglock" does not exist'
. "$here/lib.sh"
T_START=$(date +%s)
elapsed() { echo "$(($(date +%s) - T_START)) s"; }

# ---------------------------------------------------------------- prerequisites
BUILD_HINT="as root: mvn -B -ntp -pl liquibase,bench -am package -DskipTests"
bench_need_pg15 initdb pg_ctl postgres psql pgbench
awk "BEGIN {exit !($PGBENCH_SECS >= 2 && $PGBENCH_SECS >= $WARM_SECS + 1)}" \
    || die "PGBENCH_SECS must be at least 2 and at least WARM_SECS + 1"
[ $((CONSUME_N % CHUNK)) = 0 ] || die "CONSUME_N must be a multiple of CHUNK"
[ $((CPU_EVENTS % 100)) = 0 ] && [ "$CPU_EVENTS" -ge 100 ] || die "CPU_EVENTS must be a multiple of 100"
case $FILL in direct | insert_event) ;; *) die "FILL must be direct or insert_event" ;; esac
bench_need_pljvm "$BUILD_HINT"
[ -f "$SHAREDIR/extension/pgq.control" ] && [ -f "$PKGLIBDIR/pgq_lowlevel.so" ] \
    || die "Debian's PgQ is not installed (apt-get install postgresql-15-pgq3)"
LB_JAR=$(ls "$LIQUIBASE_DIR"/liquibase-*.jar 2>/dev/null | grep -vE -- '-(sources|javadoc|tests)\.jar$' | head -1 || true)
[ -n "$LB_JAR" ] && [ -d "$LIQUIBASE_DIR/cli" ] \
    || die "the liquibase module is not built in $LIQUIBASE_DIR ($BUILD_HINT)"
PGJDBC=$(ls "$LIQUIBASE_DIR"/cli/postgresql-*.jar 2>/dev/null | head -1 || true)
[ -n "$PGJDBC" ] || die "no PostgreSQL JDBC driver in $LIQUIBASE_DIR/cli"
command -v java >/dev/null || die "java (a JDK 17+) is needed"
CLASSES=$here/target/classes
bench_need_classes "$CLASSES" org.pgqjava.bench.PgqBenchClient

# ---------------------------------------------------------------- throwaway server
bench_workdir
CPU_PID=
pgs_at_exit 'if [ -n "${CPU_PID:-}" ]; then kill "$CPU_PID" 2>/dev/null; fi'
pgs_trap
if [ "$SNAPSHOT" = 1 ]; then
    bench_snapshot "$LIQUIBASE_DIR/cli=cli" "$LB_JAR=liquibase.jar" "$CLASSES=classes"
    LB_JAR="$WORK/lib/liquibase.jar"
    LB_CLI="$WORK/lib/cli"
    PGJDBC="$LB_CLI/$(basename "$PGJDBC")"
    CLASSES="$WORK/lib/classes"
else
    LB_CLI="$LIQUIBASE_DIR/cli"
fi
bench_load_note
SUMS_START=$(bench_sums "$PLJVM_SO" "$PLJVM_JAR" "$LB_JAR")

say "initdb in $WORK/data"
pgs_initdb <<EOF
# pljvm preloaded, as docs/pljvm.md recommends: backends inherit libjvm loaded, and this
# pljvm.so whatever is installed during the run (bench_snapshot)
shared_preload_libraries = '$PLJVM_SO'
# TCP on the loopback only, for JDBC (Liquibase, the consumer); psql and pgbench use the socket
listen_addresses = '127.0.0.1'
synchronous_commit = off
shared_buffers = 128MB
# the burst phase's clients, and room for the script's own sessions
max_connections = $((BURST_CLIENTS + 20))
# 1 M-row statements would be JIT-compiled: the same in both, and only noise
jit = off
# checkpoints are taken explicitly before the timed parts, not in the middle of them
checkpoint_timeout = 1h
max_wal_size = 4GB
$(if [ "$SNAPSHOT" = 1 ]; then echo "pljvm.classpath = '$PLJVM_JAR'"; fi)
EOF
PORT=$PGS_PORT
say "starting PostgreSQL 15 on port $PORT (socket in $PGS_SOCK, TCP on 127.0.0.1)"
pgs_start

PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGS_SOCK" -p "$PORT" -U postgres)
PGBENCH=("$PGBIN/pgbench" -n -h "$PGS_SOCK" -p "$PORT" -U postgres)
DB_OURS=pgq_java
DB_PGQ=pgq_debian
URL_OURS="jdbc:postgresql://127.0.0.1:$PORT/$DB_OURS?user=postgres"
URL_PGQ="jdbc:postgresql://127.0.0.1:$PORT/$DB_PGQ?user=postgres"
dbof() { case $1 in ours) echo "$DB_OURS" ;; pgq | plain) echo "$DB_PGQ" ;; esac; }
urlof() { case $1 in ours) echo "$URL_OURS" ;; pgq) echo "$URL_PGQ" ;; esac; }

"${PSQL[@]}" -d postgres -c "create database $DB_OURS" -c "create database $DB_PGQ"

say "installing pgq-java into $DB_OURS with Liquibase's command line"
if ! java -cp "$LB_CLI/*:$LB_JAR" liquibase.integration.commandline.LiquibaseCommandLine \
        --changelog-file=db/pgq/changelog-master.xml --url="$URL_OURS" --username=postgres \
        --analytics-enabled=false --show-banner=false update >"$WORK/liquibase.log" 2>&1; then
    tail -30 "$WORK/liquibase.log" >&2
    die "Liquibase update failed"
fi

say "CREATE EXTENSION pgq (Debian's) in $DB_PGQ"
"${PSQL[@]}" -d "$DB_PGQ" -c 'create extension pgq'

# The same queues in both: q (insert_event), qc (consume, consumer c), qt (ticker)
for db in "$DB_OURS" "$DB_PGQ"; do
    "${PSQL[@]}" -d "$db" -o /dev/null -c "select pgq.create_queue('q'), pgq.create_queue('qc'), pgq.create_queue('qt'),
        pgq.register_consumer('qc', 'c')"
done
# The physical limit: a table with an event table's columns, defaults, index and storage options
for db in "$DB_OURS" "$DB_PGQ"; do
    [ "$("${PSQL[@]}" -d "$db" -At -c "select queue_data_pfx from pgq.queue where queue_name = 'q'")" = pgq.event_1 ] \
        || die "queue q in $db is not pgq.event_1"
done
"${PSQL[@]}" -d "$DB_PGQ" -o /dev/null <<'EOF'
create sequence plain_ev_id_seq;
create table plain_ev (
    ev_id bigint not null default nextval('plain_ev_id_seq'),
    ev_time timestamptz not null,
    ev_txid bigint not null default txid_current(),
    ev_owner int4, ev_retry int4, ev_type text, ev_data text,
    ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text
) with (fillfactor = 100, autovacuum_enabled = off, toast.autovacuum_enabled = off);
create index plain_ev_txid_idx on plain_ev (ev_txid);
EOF

bench_check_loaded "$DB_OURS" 'select pgq.ticker()'
LANG_OURS=$("${PSQL[@]}" -d "$DB_OURS" -At -c "select l.lanname from pg_proc p join pg_language l on l.oid = p.prolang
    where p.oid = 'pgq.insert_event(text,text,text,text,text,text,text)'::regprocedure")
[ "$LANG_OURS" = pljvm ] || die "pgq.insert_event(7) in $DB_OURS is $LANG_OURS, not pljvm"
LANG_PGQ=$("${PSQL[@]}" -d "$DB_PGQ" -At -c "select l.lanname from pg_proc p join pg_language l on l.oid = p.prolang
    where p.oid = 'pgq.insert_event_raw(text,bigint,timestamptz,integer,integer,text,text,text,text,text,text)'::regprocedure")
[ "$LANG_PGQ" = c ] || die "pgq.insert_event_raw in $DB_PGQ is $LANG_PGQ, not C"
PGVERSION=$("${PSQL[@]}" -d "$DB_PGQ" -At -c 'show server_version')
VER_OURS=$("${PSQL[@]}" -d "$DB_OURS" -At -c 'select pgq.version()')
VER_PGQ=$("${PSQL[@]}" -d "$DB_PGQ" -At -c "select extversion from pg_extension where extname = 'pgq'")
DEB_PGQ=$(dpkg-query -W -f '${Package} ${Version}' postgresql-15-pgq3 2>/dev/null || echo 'postgresql-15-pgq3 (version unknown)')
VMOPTIONS=$("${PSQL[@]}" -d "$DB_OURS" -At -c 'select pgq.ticker()' -c 'show pljvm.vmoptions' | tail -1)

CLIENT=(java -XX:+UseSerialGC -cp "$CLASSES:$PGJDBC" org.pgqjava.bench.PgqBenchClient)

# ---------------------------------------------------------------- 1./4. insert_event and plain INSERT
PAYLOAD=$(awk 'BEGIN {s = "payload-"; while (length(s) < 100) s = s sprintf("%c", 97 + length(s) % 26); print s}')
EV="SELECT pgq.insert_event('q', 'type', '$PAYLOAD');"
PL="INSERT INTO plain_ev (ev_time, ev_type, ev_data) VALUES (now(), 'type', '$PAYLOAD');"
for v in ours plain; do
    case $v in ours) one=$EV ;; plain) one=$PL ;; esac
    {   # 1 event per transaction (autocommit)
        echo "$one"
    } >"$WORK/pgb_${v}_1.sql"
    {   # 100 per transaction, 100 statements
        echo 'BEGIN;'
        for ((k = 0; k < 100; k++)); do echo "$one"; done
        echo 'COMMIT;'
    } >"$WORK/pgb_${v}_100tx.sql"
done
echo "SELECT pgq.insert_event('q', 'type', '$PAYLOAD') FROM generate_series(1, 100);" >"$WORK/pgb_ours_100gs.sql"
echo "INSERT INTO plain_ev (ev_time, ev_type, ev_data) SELECT now(), 'type', '$PAYLOAD' FROM generate_series(1, 100);" >"$WORK/pgb_plain_100gs.sql"
for s in 1 100tx 100gs; do cp "$WORK/pgb_ours_$s.sql" "$WORK/pgb_pgq_$s.sql"; done
# bulk: ours = pgq.insert_events (pgq-java only); PgQ has no bulk call, so its anchor is its best,
# insert_event 100 times in one statement; the limit is a plain INSERT ... SELECT from unnest
echo "SELECT pgq.insert_events('q', array_fill('type'::text, ARRAY[100]), array_fill('$PAYLOAD'::text, ARRAY[100]));" >"$WORK/pgb_ours_bulk.sql"
cp "$WORK/pgb_pgq_100gs.sql" "$WORK/pgb_pgq_bulk.sql"
echo "INSERT INTO plain_ev (ev_time, ev_type, ev_data) SELECT now(), u.t, u.d FROM unnest(array_fill('type'::text, ARRAY[100]), array_fill('$PAYLOAD'::text, ARRAY[100])) AS u (t, d);" >"$WORK/pgb_plain_bulk.sql"
evs_per_tx() { case $1 in 1) echo 1 ;; *) echo 100 ;; esac; }

reset_targets() {  # empty the tables the next runs insert into (queue q's 3 tables in both
                   # databases, plain_ev), then one CHECKPOINT (it is cluster-wide)
    local db
    for db in "$DB_OURS" "$DB_PGQ"; do
        printf '%s\n' "select 'truncate ' || string_agg(queue_data_pfx || '_' || i, ', ')
            from pgq.queue, generate_series(0, queue_ntables - 1) i where queue_name = 'q' \\gexec" \
            "$([ "$db" = "$DB_PGQ" ] && echo 'truncate plain_ev; checkpoint;')" \
            | "${PSQL[@]}" -d "$db" -o /dev/null
    done
}
count_target() {  # rows in the target table
    if [ "$1" = plain ]; then
        "${PSQL[@]}" -d "$(dbof "$1")" -At -c 'select count(*) from plain_ev'
    else
        "${PSQL[@]}" -d "$(dbof "$1")" -At -c "select count(*) from pgq.event_1"
    fi
}
pgbench_run() {  # $1 = ours | pgq | plain, $2 = script (1 | 100tx | 100gs | bulk), $3 = clients
    # Steady state, from pgbench's per-transaction log (completion time in µs and latency of
    # every transaction): the window starts WARM_SECS after the last client began its first
    # transaction (our JVM starts in that one) and ends when the first client finished its last;
    # the transactions completed in the window / its length.
    local out logs="$WORK/pgblog" key="ins_$2_c$3_$1"
    rm -rf "$logs" && mkdir "$logs"
    if ! out=$("${PGBENCH[@]}" -T "$PGBENCH_SECS" -c "$3" -j "$3" -f "$WORK/pgb_$1_$2.sql" \
            -l --log-prefix="$logs/tx" "$(dbof "$1")" 2>&1); then
        echo "$out" >&2
        die "pgbench $1 $2 -c $3 failed"
    fi
    local tps res
    tps=$(echo "$out" | awk '/^tps = /{print $3}')
    # log line: client_id transaction_no latency_us script_no time_epoch time_us
    res=$(cat "$logs"/tx.* | awk -v warm="$WARM_SECS" '
        {end = $5 + $6 / 1e6; beg = end - $3 / 1e6; c = $1
         if (!(c in first) || beg < first[c]) first[c] = beg
         if (!(c in last) || end > last[c]) last[c] = end
         e[NR] = end; l[NR] = $3}
        END {ws = -1; we = -1
             for (c in first) {if (ws < 0 || first[c] > ws) ws = first[c]; if (we < 0 || last[c] < we) we = last[c]}
             ws += warm
             for (i = 1; i <= NR; i++) if (e[i] > ws && e[i] <= we) {n++; sl += l[i]}
             if (we - ws < 0.5 || n == 0) print ""; else printf "%.3f %.3f %.2f\n", n / (we - ws), sl / n, we - ws}')
    [ -n "$tps" ] && [ -n "$res" ] \
        || { echo "$out" >&2; die "cannot parse pgbench output or log (is PGBENCH_SECS >= WARM_SECS + 1?)"; }
    local sstps lat secs e rows
    read -r sstps lat secs <<<"$res"
    e=$(evs_per_tx "$2")
    rows=$(count_target "$1")
    # every transaction pgbench counted inserted its events (and nothing else did)
    local txall
    txall=$(echo "$out" | awk '/^number of transactions actually processed: /{print $6}' | cut -d/ -f1)
    [ -n "$txall" ] && [ "$rows" = $((txall * e)) ] || die "$1 $2 -c $3: $rows rows for $txall transactions of $e events"
    printf '%s_evps\t%s\n%s_lat\t%s\n%s_evps_all\t%s\n' \
        "$key" "$(calc %.1f "$sstps * $e")" "$key" "$lat" "$key" "$(calc %.1f "$tps * $e")" >>"$RAW"
    printf '   %-5s %-5s -c %s: %9.0f events/s over %s s steady (%9.0f incl. start), %8.1f us per transaction\n' \
        "$1" "$2" "$3" "$(calc %.1f "$sstps * $e")" "$secs" "$(calc %.1f "$tps * $e")" "$lat"
}

say "1./4. insert_event and plain INSERT: pgbench -T $PGBENCH_SECS, clients $CLIENTS, $RUNS runs ($(elapsed))"
for ((r = 1; r <= RUNS; r++)); do
    want insert || break
    echo "   run $r/$RUNS"
    for c in $CLIENTS; do
        for s in 1 100tx 100gs bulk; do
            reset_targets
            for v in $(order "$r" ours pgq plain); do
                pgbench_run "$v" "$s" "$c"
            done
        done
    done
done
reset_targets

# ---------------------------------------------------------------- 1b. server CPU per event
# Wall-clock throughput on a shared machine moves with everything else that runs on it; the CPU
# time the backend itself used does much less. One psql session per variant runs the same
# statements as the pgbench scripts (a warm-up first: JVM start, JIT, plans), and the backend's
# CPU time (first field of /proc/PID/schedstat) over the timed part / events is recorded.
cpu_session() {  # $1 = ours | pgq | plain, $2 = script; prints backend CPU ns per event
    local n e k
    e=$(evs_per_tx "$2")
    n=$((CPU_EVENTS / e))
    rep() { awk -v n="$1" '{l[NR] = $0} END {for (i = 0; i < n; i++) for (j = 1; j <= NR; j++) print l[j]}' "$2"; }
    rep "$((e == 1 ? 1000 : 10))" "$WORK/pgb_$1_$2.sql" >"$WORK/cpu_warm.sql"
    rep "$n" "$WORK/pgb_$1_$2.sql" >"$WORK/cpu_timed.sql"
    coproc CQ { "${PSQL[@]}" -d "$(dbof "$1")" -At 2>&1; }
    CPU_PID=$CQ_PID
    local in=${CQ[1]} outfd=${CQ[0]} pid a b line
    printf 'select pg_backend_pid();\n' >&"$in"
    IFS= read -r -t 120 -u "$outfd" pid || die "cpu_session: no backend pid"
    [[ $pid =~ ^[0-9]+$ ]] || die "cpu_session: bad backend pid: $pid"
    printf '\\o /dev/null\n\\i %s\n\\o\n\\echo @@warm\n' "$WORK/cpu_warm.sql" >&"$in"
    line=
    while IFS= read -r -t 300 -u "$outfd" line; do [ "$line" = @@warm ] && break; [ -z "$line" ] || die "cpu_session $1 $2: $line"; done
    [ "$line" = @@warm ] || die "cpu_session $1 $2: psql ended or hung in the warm-up"
    a=$(cut -d' ' -f1 "/proc/$pid/schedstat")
    printf '\\o /dev/null\n\\i %s\n\\o\n\\echo @@timed\n' "$WORK/cpu_timed.sql" >&"$in"
    line=
    while IFS= read -r -t 600 -u "$outfd" line; do [ "$line" = @@timed ] && break; [ -z "$line" ] || die "cpu_session $1 $2: $line"; done
    [ "$line" = @@timed ] || die "cpu_session $1 $2: psql ended or hung"
    b=$(cut -d' ' -f1 "/proc/$pid/schedstat")
    printf '\\q\n' >&"$in"
    exec {in}>&-
    wait "$CPU_PID" || die "cpu_session $1 $2: psql failed"
    CPU_PID=
    echo $(((b - a) / CPU_EVENTS))
}
say "1b. server CPU per event: $CPU_EVENTS events per variant in one psql session, $RUNS runs ($(elapsed))"
for ((r = 1; r <= RUNS; r++)); do
    want cpu || break
    reset_targets
    line="   run $r/$RUNS:"
    for s in 1 100tx 100gs bulk; do
        for v in $(order "$r" ours pgq plain); do
            ns=$(cpu_session "$v" "$s") || die "the CPU measurement of $v $s failed"
            printf 'inscpu_%s_%s_us\t%s\n' "$s" "$v" "$(calc %.2f "$ns / 1000")" >>"$RAW"
            line="$line $v/$s $(calc %.1f "$ns / 1000") us"
        done
    done
    echo "$line"
done
reset_targets

# ---------------------------------------------------------------- 2. consuming CONSUME_N events
say "2. queue $CONSUME_N events ($FILL, a tick every $CHUNK) and consume them, $RUNS runs ($(elapsed))"
for ((r = 1; r <= RUNS; r++)); do
    want consume || break
    for v in $(order "$r" ours pgq); do
        out=$("${CLIENT[@]}" consume "$v" "$(urlof "$v")" "$CONSUME_N" "$CHUNK" "$FILL") \
            || die "the consumer run for $v failed"
        echo "$out" >>"$RAW"
        echo "$out" | awk -v r="$r" -v v="$v" -F'\t' '{a[$1] = $2}
            END {printf "   run %d %-4s: fill %6.0f ms (ticker %5.0f us), consume %6.0f ms = %6.0f events/s (server CPU %6.0f ms); per batch: next_batch %4.0f us, get_batch_events %5.0f us, finish_batch %4.0f us\n",
                 r, v, a["fill_" v "_ms"], a["filltick_" v "_us"], a["cons_" v "_ms"], a["cons_" v "_evps"], a["conscpu_" v "_ms"],
                 a["cons_" v "_nb_us"], a["cons_" v "_gbe_us"], a["cons_" v "_fin_us"]}'
    done
done

# ---------------------------------------------------------------- 3. pgq.ticker()
say "3. pgq.ticker() with $TICK_PENDING pending events ($TICK_REPS per run, after 10 and after $TICK_DAEMON calls), idle ($IDLE_CALLS per run), with $TICK_QUEUES queues, $RUNS runs ($(elapsed))"
for ((r = 1; r <= RUNS; r++)); do
    want ticker || break
    for v in $(order "$r" ours pgq); do
        out=$("${CLIENT[@]}" ticker "$v" "$(urlof "$v")" "$TICK_PENDING" "$TICK_REPS" "$IDLE_CALLS" "$TICK_DAEMON" "$TICK_QUEUES") \
            || die "the ticker run for $v failed"
        echo "$out" >>"$RAW"
        echo "$out" | awk -v r="$r" -v v="$v" -F'\t' '{a[$1] = $2}
            END {printf "   run %d %-4s: ticker() with pending events %6.0f us (server CPU %6.0f us; fresh backend %6.0f us), idle %5.0f us (median; mean %5.0f us; server CPU %5.0f us); %d queues: ticking all %6.0f us (CPU %6.0f us), idle %5.0f us (CPU %5.0f us)\n",
                 r, v, a["tickpend_" v "_us"], a["tickpendcpu_" v "_us"], a["tickpendfresh_" v "_us"], a["tickidle_" v "_us"], a["tickidlemean_" v "_us"], a["tickidlecpu_" v "_us"],
                 a["tickmany_" v "_queues"], a["tickmany_" v "_us"], a["tickmanycpu_" v "_us"], a["tickmanyidle_" v "_us"], a["tickmanyidlecpu_" v "_us"]}'
    done
done

# ---------------------------------------------------------------- 1c. a new connection per transaction
# Scripts, PHP and cron jobs connect for every transaction: each such backend starts our JVM.
# pgbench -C -c 1 with the 1-event script, directly and through PgBouncer (transaction pooling,
# so the server backends and their JVMs are reused).
BOUNCER=/usr/sbin/pgbouncer
BPORT=
if want connect && [ -x "$BOUNCER" ]; then
    BPORT=$(pgs_free_port)
    printf '"postgres" ""\n' >"$WORK/userlist.txt"
    printf '%s\n' '[databases]' "* = host=$PGS_SOCK port=$PORT" '[pgbouncer]' 'listen_addr = 127.0.0.1' \
        "listen_port = $BPORT" 'unix_socket_dir =' 'auth_type = trust' "auth_file = $WORK/userlist.txt" \
        'pool_mode = transaction' 'default_pool_size = 4' 'max_client_conn = 50' \
        "logfile = $WORK/pgbouncer.log" "pidfile = $WORK/pgbouncer.pid" >"$WORK/pgbouncer.ini"
    chmod 644 "$WORK/pgbouncer.ini" "$WORK/userlist.txt"
    pgs_asdb "$BOUNCER" -d -q "$WORK/pgbouncer.ini" || die "pgbouncer did not start (see $WORK/pgbouncer.log)"
    pgs_at_exit 'kill "$(cat "$WORK/pgbouncer.pid" 2>/dev/null)" 2>/dev/null'
    for ((k = 0; k < 50; k++)); do
        "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$BPORT" -U postgres -d "$DB_PGQ" -c 'select 1' >/dev/null 2>&1 && break
        sleep 0.1
    done
fi
connect_run() {  # $1 = ours | pgq, $2 = direct | bouncer
    local out tps
    if [ "$2" = direct ]; then
        out=$("${PGBENCH[@]}" -C -T "$PGBENCH_SECS" -c 1 -j 1 -f "$WORK/pgb_$1_1.sql" "$(dbof "$1")" 2>&1) \
            || { echo "$out" >&2; die "pgbench -C $1 failed"; }
    else
        out=$("$PGBIN/pgbench" -n -h 127.0.0.1 -p "$BPORT" -U postgres -C -T "$PGBENCH_SECS" -c 1 -j 1 \
            -f "$WORK/pgb_$1_1.sql" "$(dbof "$1")" 2>&1) || { echo "$out" >&2; die "pgbench -C via PgBouncer $1 failed"; }
    fi
    tps=$(echo "$out" | awk '/^tps = /{print $3; exit}')
    [ -n "$tps" ] || { echo "$out" >&2; die "cannot parse pgbench -C output"; }
    printf 'conn_%s_%s_tps\t%s\n' "$2" "$1" "$tps" >>"$RAW"
    printf '   %-5s %-7s: %8.1f connections+inserts/s\n' "$1" "$2" "$tps"
}
# The first insert_event of a fresh backend: the CPU time of all its threads (ours starts a JVM;
# schedstat of every task) and its private memory afterwards (Private_Clean + Private_Dirty of
# smaps_rollup). A companion session of the same database that made the same call stays
# connected meanwhile: pages of libraries and class-data archives that only one process maps
# count as private, and with many backends they are shared.
cat >"$WORK/fresh_stat.sh" <<'EOS'
#!/bin/sh
# fresh_stat.sh PID TAG OUT: appends "TAG cpu_ns private_kB" of backend PID to OUT
ns=$(cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {printf "%.0f", s}')
kb=$(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' /proc/"$1"/smaps_rollup)
echo "$2 $ns $kb" >>"$3"
EOS
chmod 755 "$WORK/fresh_stat.sh"
{
    echo 'select pg_backend_pid() as pid \gset'
    echo '\setenv PID :pid'
    echo "\\! $WORK/fresh_stat.sh \$PID a $WORK/fresh.out"
    echo "$EV"
    echo "\\! $WORK/fresh_stat.sh \$PID b $WORK/fresh.out"
} >"$WORK/fresh.sql"
fresh_run() {  # $1 = ours | pgq: FRESH fresh sessions, with a companion connected
    local k
    rm -f "$WORK/companion" "$WORK/fresh.out"
    mkfifo "$WORK/companion"
    "${PSQL[@]}" -d "$(dbof "$1")" -o /dev/null -f "$WORK/companion" &
    exec 7>"$WORK/companion"
    echo "$EV" >&7
    sleep 1
    for ((k = 0; k < FRESH; k++)); do
        "${PSQL[@]}" -d "$(dbof "$1")" -o /dev/null -f "$WORK/fresh.sql" || die "fresh session of $1 failed"
    done
    exec 7>&-
    wait
    awk -v v="$1" '$1 == "a" {c = $2} $1 == "b" {printf "fresh_%s_cpu_ms\t%.2f\nfresh_%s_priv_mb\t%.2f\n", v, ($2 - c) / 1e6, v, $3 / 1024}' \
        "$WORK/fresh.out" >>"$RAW"
    awk -v v="$1" '$1 == "a" {c = $2} $1 == "b" {printf "   %-5s fresh backend: first insert_event %6.1f ms CPU, %5.1f MB private\n", v, ($2 - c) / 1e6, $3 / 1024}' \
        "$WORK/fresh.out"
}
say "1c. a fresh backend's first insert_event, $FRESH per run, $RUNS runs ($(elapsed))"
for ((r = 1; r <= RUNS; r++)); do
    want connect || break
    for v in $(order "$r" ours pgq); do fresh_run "$v"; done
done
say "1d. a new connection per insert: pgbench -C -c 1 -T $PGBENCH_SECS, direct$([ -n "$BPORT" ] && echo ' and through PgBouncer'), $RUNS runs ($(elapsed))"
for ((r = 1; r <= RUNS; r++)); do
    want connect || break
    for v in $(order "$r" ours pgq); do
        connect_run "$v" direct
        [ -z "$BPORT" ] || connect_run "$v" bouncer
    done
done
# ---------------------------------------------------------------- 1e. many clients at once
say "1e. $BURST_CLIENTS clients connecting at once, each one insert_event (login timeout $BURST_TIMEOUT s), $RUNS runs ($(elapsed))"
for ((r = 1; r <= RUNS; r++)); do
    want burst || break
    for v in $(order "$r" ours pgq); do
        out=$("${CLIENT[@]}" burst "$v" "$(urlof "$v")" "$BURST_CLIENTS" "$BURST_TIMEOUT") \
            || die "the burst run for $v failed"
        echo "$out" >>"$RAW"
        echo "$out" | awk -v r="$r" -v v="$v" -F'\t' '{a[$1] = $2}
            END {printf "   run %d %-4s: %d failed; connect p50 %6.0f ms, p99 %6.0f ms; connect + insert p50 %6.0f ms, p99 %6.0f ms, max %6.0f ms; %4.1f MB private per backend\n",
                 r, v, a["burst_" v "_failed"], a["burst_" v "_conn_p50_ms"], a["burst_" v "_conn_p99_ms"],
                 a["burst_" v "_total_p50_ms"], a["burst_" v "_total_p99_ms"], a["burst_" v "_total_max_ms"], a["burst_" v "_priv_mb"]}'
        sleep 2   # the backends of this burst end before the next one starts
    done
done

if [ -n "$BPORT" ]; then
    # stop PgBouncer now, so that its server connections end before the server does (a fast
    # shutdown would log FATAL for each)
    bpid=$(cat "$WORK/pgbouncer.pid" 2>/dev/null || true)
    [ -z "$bpid" ] || kill "$bpid" 2>/dev/null || true
    for ((k = 0; k < 100; k++)); do [ -n "$bpid" ] && kill -0 "$bpid" 2>/dev/null || break; sleep 0.1; done
fi
reset_targets

# ---------------------------------------------------------------- report
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
say "stopping the server, checking its log ($(elapsed))"
pgs_stop
pgs_check_log

met() {  # $1 = per-run throughput ratio ours/PgQ, $2 = target (default 1.0; 5 % below counts as noise)
    local t=${2:-1.0}
    if awk "BEGIN {exit !($1 >= $t)}"; then echo yes
    elif awk "BEGIN {exit !($1 >= 0.95 * $t)}"; then echo "NO (within 5 %)"
    else echo NO; fi
}
rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }
# ratio cell: throughput ours/PgQ from the medians, and the median of the per-run ratios
ratio_cell() { echo "**$(calc %.2f "$2")** (medians: $(calc %.2f "$1"))"; }

ev_cell() {  # $1 = key prefix: events/s and µs per event per client
    local evps=$(med "$1_evps") c=$2
    echo "$(calc %.0f "$evps") ev/s ($(calc %.1f "$c * 1000000 / $evps") µs/event)"
}
ins_desc() {
    case $1 in
        1) echo "insert_event, 1 event/transaction (\`SELECT pgq.insert_event('q', 'type', <100 B>)\`, autocommit)" ;;
        100tx) echo "insert_event, 100 events/transaction as BEGIN; 100 × \`SELECT pgq.insert_event(...)\`; COMMIT" ;;
        100gs) echo "insert_event, 100 events/transaction in one statement \`SELECT pgq.insert_event(...) FROM generate_series(1, 100)\`" ;;
        bulk) echo "**bulk**: ours \`SELECT pgq.insert_events('q', <100 types>, <100 payloads>)\`; PgQ: its insert_event × 100 in one statement; plain: \`INSERT … SELECT … FROM unnest(…)\`" ;;
    esac
}
for s in 1 100tx 100gs bulk; do
    target=1.0
    [ "$s" = bulk ] && target=2.0
    for c in $CLIENTS; do
        k="ins_${s}_c${c}"
        pr=$(pmed 'A / B' "${k}_ours_evps" "${k}_pgq_evps")
        row "$(ins_desc "$s"), pgbench -c $c" "$(ev_cell "${k}_ours" "$c")" "$(ev_cell "${k}_pgq" "$c")" \
            "$(ev_cell "${k}_plain" "$c")" "$(ratio_cell "$(med "${k}_ours_evps") / $(med "${k}_pgq_evps")" "$pr")" "$(met "$pr" "$target") (target ≥ $target)"
        if [ "$s" = bulk ]; then
            pr=$(pmed 'A / B' "${k}_ours_evps" "${k}_plain_evps")
            row "… bulk, ours / plain INSERT … SELECT unnest (the physical limit), pgbench -c $c" "$(ev_cell "${k}_ours" "$c")" "–" \
                "$(ev_cell "${k}_plain" "$c")" "$(ratio_cell "$(med "${k}_ours_evps") / $(med "${k}_plain_evps")" "$pr")" "$(met "$pr" 0.667) (target ≥ 1/1.5)"
        fi
    done
    k="inscpu_${s}"
    pr=$(pmed 'B / A' "${k}_ours_us" "${k}_pgq_us")
    row "… the same statements, **server CPU per event** (backend CPU time, one psql session, $CPU_EVENTS events)" \
        "$(calc %.1f "$(med "${k}_ours_us")") µs" "$(calc %.1f "$(med "${k}_pgq_us")") µs" "$(calc %.1f "$(med "${k}_plain_us")") µs" \
        "$(ratio_cell "$(med "${k}_pgq_us") / $(med "${k}_ours_us")" "$pr")" "$(met "$pr")"
done
for mode in direct bouncer; do
    pr=$(pmed 'A / B' "conn_${mode}_ours_tps" "conn_${mode}_pgq_tps")
    case $mode in
        direct) target=0.25; what="a new connection per insert (\`pgbench -C -c 1\`, 1 insert_event per connection): our JVM starts in every backend" ;;
        bouncer) target=0.95; what="… the same through PgBouncer in transaction pooling (server backends and their JVMs reused)" ;;
    esac
    row "$what" "$(calc %.1f "$(med "conn_${mode}_ours_tps")") conn/s" "$(calc %.1f "$(med "conn_${mode}_pgq_tps")") conn/s" "–" \
        "$(ratio_cell "$(med "conn_${mode}_ours_tps") / $(med "conn_${mode}_pgq_tps")" "$pr")" "$(met "$pr" "$target") (target ≥ $target)"
done
# fresh backends: absolute targets for ours (lower is better); the ratio column is PgQ's / ours
fresh_row() {  # $1 = label, $2 = key suffix, $3 = unit, $4 = target (ours at most)
    local o p
    o=$(med "fresh_ours_$2"); p=$(med "fresh_pgq_$2")
    row "$1" "$(calc %.1f "$o") $3" "$(calc %.1f "$p") $3" "–" "$(calc %.2f "$p / $o") (lower is better)" \
        "$(if awk "BEGIN {exit !($o <= $4)}"; then echo yes; elif awk "BEGIN {exit !($o <= 1.05 * $4)}"; then echo "NO (within 5 %)"; else echo NO; fi) (target ours ≤ $4 $3)"
}
fresh_row "first insert_event in a fresh backend: CPU of all its threads (ours starts its JVM; median of $((FRESH * RUNS)))" cpu_ms ms 40
fresh_row "… private memory of that backend afterwards (a companion backend connected)" priv_mb MB 8
# the burst: failures (target 0 for ours), times (PgQ's / ours), private memory
bo=$(med burst_ours_failed); bp=$(med burst_pgq_failed)
row "$BURST_CLIENTS clients connecting at once (JDBC, login timeout $BURST_TIMEOUT s), each one insert_event: clients that failed (median of runs; all runs: ours $(vals burst_ours_failed), PgQ $(vals burst_pgq_failed))" \
    "$bo" "$bp" "–" "–" "$(if [ "$(vals burst_ours_failed | tr -d ' 0')" = "" ] && [ -n "$(vals burst_ours_failed)" ]; then echo yes; else echo NO; fi) (target: none fails)"
for k in conn_p50 conn_p99 total_p50 total_p99; do
    case $k in
        conn_p50) what="… connect time (to a usable session), p50" ;;
        conn_p99) what="… connect time, p99" ;;
        total_p50) what="… connect + insert_event (ours: its JVM start), p50" ;;
        total_p99) what="… connect + insert_event, p99" ;;
    esac
    o=$(med "burst_ours_${k}_ms"); p=$(med "burst_pgq_${k}_ms")
    row "$what" "$(calc %.0f "$o") ms" "$(calc %.0f "$p") ms" "–" "$(calc %.2f "$p / $o") (PgQ's time / ours)" "(info)"
done
row "… private memory per backend after its insert_event (median over the clients; median of runs)" \
    "$(calc %.1f "$(med burst_ours_priv_mb)") MB" "$(calc %.1f "$(med burst_pgq_priv_mb)") MB" "–" "–" "(info; target of the fresh-backend row: ≤ 8 MB)"
# time rows: throughput ratio = PgQ time / our time
trow() {  # $1 = label, $2 = key ours, $3 = key PgQ, $4 = unit, $5 = scale (value * scale), $6 = decimals,
          # $7 = info: a row without a target
    local o p pr
    o=$(med "$2"); p=$(med "$3")
    pr=$(pmed 'B / A' "$2" "$3")
    row "$1" "$(calc "%.${6}f" "$o * $5") $4" "$(calc "%.${6}f" "$p * $5") $4" "–" \
        "$(ratio_cell "$p / $o" "$pr")" "$(if [ "${7:-}" = info ]; then echo '(info: no target)'; else met "$pr"; fi)"
}
o=$(med cons_ours_ms); p=$(med cons_pgq_ms)
pr=$(pmed 'B / A' cons_ours_ms cons_pgq_ms)
row "consume $CONSUME_N events ($(med cons_ours_batches) batches of $CHUNK): next_batch, get_batch_events (all rows fetched by JDBC), finish_batch, commit, until no batch" \
    "$(calc %.2f "$o / 1000") s = $(calc %.0f "$CONSUME_N / $o * 1000") ev/s" "$(calc %.2f "$p / 1000") s = $(calc %.0f "$CONSUME_N / $p * 1000") ev/s" "–" \
    "$(ratio_cell "$p / $o" "$pr")" "$(met "$pr")"
trow "… **server CPU** of the consumer's backend for the whole loop" conscpu_ours_ms conscpu_pgq_ms s 0.001 2
trow "… per batch: \`pgq.next_batch('qc', 'c')\`" cons_ours_nb_us cons_pgq_nb_us µs 1 0
trow "… per batch: \`SELECT * FROM pgq.get_batch_events(id)\`, $CHUNK rows to the client" cons_ours_gbe_us cons_pgq_gbe_us µs 1 0
trow "… per batch: \`pgq.finish_batch(id)\`" cons_ours_fin_us cons_pgq_fin_us µs 1 0
trow "… per batch: commit" cons_ours_commit_us cons_pgq_commit_us µs 1 0
trow "queueing the $CONSUME_N events ($FILL): $((CONSUME_N / CHUNK)) × ($CHUNK-row $([ "$FILL" = direct ] && echo 'INSERT … SELECT into pgq.current_event_table' || echo 'insert_event statement') + \`pgq.ticker()\`)" \
    fill_ours_ms fill_pgq_ms s 0.001 2
trow "… **server CPU** of that session's backend while queueing" fillcpu_ours_ms fillcpu_pgq_ms s 0.001 2
trow "\`pgq.ticker()\` with $CHUNK pending events on qc (mean of the $((CONSUME_N / CHUNK)) calls while queueing; 3 queues)" filltick_ours_us filltick_pgq_us µs 1 0
trow "\`pgq.ticker()\` with $TICK_PENDING pending events on qt (decides and inserts a tick; median of $TICK_REPS per run; 3 queues; the ticker's connection after $TICK_DAEMON calls)" tickpend_ours_us tickpend_pgq_us µs 1 0
trow "… **server CPU** of that call" tickpendcpu_ours_us tickpendcpu_pgq_us µs 1 0
trow "… the same in a fresh backend, after 10 calls (ours: the ticker's Java not yet compiled)" tickpendfresh_ours_us tickpendfresh_pgq_us µs 1 0 info
trow "… **server CPU** of that call" tickpendfreshcpu_ours_us tickpendfreshcpu_pgq_us µs 1 0 info
trow "\`pgq.ticker()\` idle, 0 pending (decides not to tick; median of $IDLE_CALLS calls per run; 3 queues)" tickidle_ours_us tickidle_pgq_us µs 1 0
trow "… **server CPU** per idle call (mean)" tickidlecpu_ours_us tickidlecpu_pgq_us µs 1 0
trow "\`pgq.ticker()\` with $(med tickmany_ours_queues) queues, ticking every one (force_tick on each first; median of $TICK_REPS per run)" tickmany_ours_us tickmany_pgq_us µs 1 0
trow "… **server CPU** of that call" tickmanycpu_ours_us tickmanycpu_pgq_us µs 1 0
trow "\`pgq.ticker()\` with $(med tickmany_ours_queues) queues, idle (median of $IDLE_CALLS calls per run)" tickmanyidle_ours_us tickmanyidle_pgq_us µs 1 0
trow "… **server CPU** per idle call (mean)" tickmanyidlecpu_ours_us tickmanyidlecpu_pgq_us µs 1 0

date_iso=$(date +%F)
{
    echo "# pgq-java vs Debian's PgQ benchmark, $date_iso"
    echo
    echo "Medians of $RUNS runs; ours (pgq-java, database $DB_OURS) and PgQ (Debian's $DEB_PGQ, database"
    echo "$DB_PGQ) in the same server, interleaved within each run (the order rotated by one on every run)."
    echo "**ours/PgQ is a throughput ratio: ≥ 1.00 means ours is at least as fast** (for time rows it is"
    echo "PgQ's time / our time). The bold figure is the median of the per-run ratios (ours and PgQ of one"
    echo "run ran back to back), which \"target met?\" uses; in brackets the ratio of the two medians."
    echo "Insert rows: events/s (pgbench steady state) and, in brackets, µs per event per client"
    echo "(clients / events/s); the plain INSERT column inserts the same row into a table with an event"
    echo "table's columns, defaults (nextval, txid_current()), ev_txid index and storage options."
    echo "Rows marked **server CPU** give the CPU time the serving backend itself used (from"
    echo "/proc/PID/schedstat): other work on the machine disturbs it much less than wall time. Their"
    echo "ratio is PgQ's CPU / our CPU, the throughput ratio of a CPU-bound server."
    echo
    echo "| measurement | ours | PgQ | plain INSERT | ours/PgQ throughput (≥ 1 = ours at least as fast) | target met? (≥ 1.0) |"
    echo "| --- | --- | --- | --- | --- | --- |"
    printf '%s\n' "${rows[@]}"
    echo
    bench_setup_head
    echo "- PostgreSQL $PGVERSION, one throwaway cluster; synchronous_commit=off, shared_buffers=128MB, fsync=on,"
    echo "  jit=off, checkpoint_timeout=1h, max_wal_size=4GB (a CHECKPOINT before every timed part instead)"
    echo "- PgQ: $DEB_PGQ, extension version $VER_PGQ (insert_event plpgsql → insert_event_raw in C)"
    echo "- ours: pgq-java (pgq.version() = $VER_OURS) installed by Liquibase's command line from $(basename "$LB_JAR"),"
    echo "  Java functions on pljvm; $(java -version 2>&1 | head -1); pljvm.vmoptions: \`$VMOPTIONS\`"
    echo "- builds run (sha256 prefixes of pljvm.so, pljvm.jar, the liquibase jar): $SUMS_START$([ "$SNAPSHOT" = 1 ] && echo "— copies taken at the start")"
    echo "- git: $(cd "$repo" && git describe --always --dirty 2>/dev/null || echo unknown)"
    echo "- pgbench -n -T $PGBENCH_SECS, simple query protocol, -j = -c; steady state from the per-transaction"
    echo "  log: the first $WARM_SECS s after the last client started are left out (our JVM start). Every"
    echo "  (script, clients) group of three runs starts with empty target tables (TRUNCATE of queue q's 3"
    echo "  tables in both databases and of plain_ev) and a CHECKPOINT; each run's row count is checked"
    echo "  against pgbench's transaction count. Payload: 100 bytes of text."
    echo "- consume: queue qc (one consumer), $CONSUME_N events queued as $((CONSUME_N / CHUNK)) chunks of $CHUNK"
    echo "  ($FILL), each followed by \`select pgq.ticker()\` (autocommit; every chunk gives a tick, so a"
    echo "  batch is $CHUNK events), CHECKPOINT, then one JDBC connection ($(basename "$PGJDBC"), TCP on"
    echo "  127.0.0.1, prepared statements) loops next_batch → get_batch_events (all rows and columns read)"
    echo "  → finish_batch → commit, one transaction per batch, until next_batch is NULL; the event count"
    echo "  is checked. The connection is warmed up (and drained) first, so our JVM start is not in it."
    echo "- ticker: one JDBC connection per run and implementation: CHECKPOINT, 10 ticker calls, then"
    echo "  $TICK_REPS × ($TICK_PENDING rows inserted into qt's current table, drawing its event sequence, which"
    echo "  is what the ticker reads; one timed \`select pgq.ticker()\` that must tick qt): the fresh-backend"
    echo "  rows; untimed calls until the connection made $TICK_DAEMON, the same $TICK_REPS timed ticks again (the"
    echo "  main rows), $IDLE_CALLS idle calls. No CHECKPOINT between the warm-up and the timed calls: the"
    echo "  first change of a page after one logs the whole page, a cost set by how full pgq.tick's and"
    echo "  pgq.queue's pages happen to be, which a daemon's tick meets once in hundreds. Then more"
    echo "  queues up to $TICK_QUEUES: $TICK_REPS × (force_tick on every queue, one timed call that must tick"
    echo "  them all), $IDLE_CALLS idle calls; the extra queues are dropped. Times are client side (JDBC,"
    echo "  one loopback round trip included); server CPU is the backend thread's (/proc/PID/schedstat)."
    echo "- burst: per run and implementation one JVM client (java -XX:+UseSerialGC, $(basename "$PGJDBC")) opens $BURST_CLIENTS"
    echo "  JDBC connections to 127.0.0.1 from as many threads released at the same moment (loginTimeout and"
    echo "  connectTimeout $BURST_TIMEOUT s); each makes one insert_event and stays connected until all have; then"
    echo "  each backend's Private_Clean + Private_Dirty is read. max_connections = $((BURST_CLIENTS + 20))."
    echo "- server CPU of the inserts: per run and variant one psql session (Unix socket) runs the pgbench"
    echo "  script's statements, first as a warm-up (1000 statements, or 10 transactions of 100), then"
    echo "  $CPU_EVENTS events' worth timed by the backend's /proc/PID/schedstat."
    echo "- fresh backends: per run and implementation a companion psql session makes one insert_event and"
    echo "  stays connected; then $FRESH new psql sessions each make one; the CPU of all the backend's threads"
    echo "  (/proc/PID/task/*/schedstat) over that call and its Private_Clean + Private_Dirty after it"
    echo "  (/proc/PID/smaps_rollup) are recorded"
    echo "- server log: no crash, PANIC, FATAL, ERROR or WARNING$([ "$PGS_BAD" = 1 ] && echo ' — NOT TRUE, see below'); the JVM's Security Manager deprecation notice was printed $PGS_JVM_WARNINGS times (once per backend that started a JVM)"
    echo "- script: bench/pgq-bench.sh (PHASES=\"$PHASES\" RUNS=$RUNS PGBENCH_SECS=$PGBENCH_SECS WARM_SECS=$WARM_SECS CLIENTS=\"$CLIENTS\" CONSUME_N=$CONSUME_N CHUNK=$CHUNK FILL=$FILL BURST_CLIENTS=$BURST_CLIENTS BURST_TIMEOUT=$BURST_TIMEOUT TICK_PENDING=$TICK_PENDING TICK_REPS=$TICK_REPS IDLE_CALLS=$IDLE_CALLS TICK_DAEMON=$TICK_DAEMON TICK_QUEUES=$TICK_QUEUES FRESH=$FRESH), $(elapsed)"
    echo
    echo "## All runs (in run order)"
    echo
    all_runs_table
    echo
    echo "Keys: ins_<1|100tx|100gs>_c<clients>_<ours|pgq|plain>_evps = steady-state events/s, _lat = mean"
    echo "transaction latency in µs, _evps_all = pgbench's own figure (start included); fill_* ms,"
    echo "filltick_* µs (mean ticker call while queueing; filltickmed_* its median), cons_*_ms total"
    echo "consume time, cons_*_{nb,gbe,fin,commit}_us per batch; tickpend_* µs, tickidle_* µs (median;"
    echo "tickidlemean_* mean; tickidle_*_ticks idle ticks made among the calls), tickpendfresh_* the same"
    echo "after 10 calls, tickmany_* / tickmanyidle_* with tickmany_*_queues queues; server CPU:"
    echo "inscpu_<script>_<variant>_us per event, conscpu_*/fillcpu_* ms, tick*cpu_* µs."
} >"$WORK/report.md"

bench_publish "$WORK/report.md" "$RESULTS_DIR/pgq-$date_iso.md"
