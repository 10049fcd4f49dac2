#!/usr/bin/env bash
# pljvm-bench.sh: what a pljvm call costs, measured against PL/pgSQL and SQL anchors in the
# same run, on a throwaway PostgreSQL 15.
#
# Needs pljvm installed into the PostgreSQL 15 installation (pljvm.so, pljvm.jar and the
# extension files) and the bench module built (bench/target/classes); both, as root:
# `mvn -B -ntp -pl pljvm,bench -am package -DskipTests`. Also a JDK 17+ (jar), python3 (to pick
# a free port) and PostgreSQL 15's initdb, pg_ctl, psql and pgbench. Run it as root (the server
# then runs as the OS user postgres) or as any other user (the server runs as that user). The
# throwaway server is scripts/lib/pgserver.sh's. See bench/README.md.
#
# Environment (defaults in brackets):
#   RUNS [5]             repetitions of every measurement; medians are reported
#   FIRST_RUNS [2*RUNS+1] fresh connections per variant for the first-call latency
#   PGBENCH_SECS [6]     -T of every pgbench run (>= 3: only the whole seconds from 1 s after
#                        the start count, so connection and JVM start are left out)
#   LOOP_N [1000000]     calls in the one-statement loop
#   INSERT_N [100000]    rows inserted in the one-statement insert loop
#   MEM_CALLS [1000000]  calls in one statement before the "after many calls" memory reading
#   MEM_STMTS [1000]     separate short statements after that
#   PGBIN [/usr/lib/postgresql/15/bin]   PostgreSQL binaries
#   RESULTS_DIR [bench/results]          where pljvm-<date>.md is written
#   KEEP_WORK [0]        1 = keep the temporary directory (data, server log) in any case
#   SNAPSHOT [1]         1 = run a copy of the installed pljvm.jar, taken at the start, so that a
#                        reinstall during the run cannot mix builds (pljvm.so is preloaded by the
#                        server at its start in any case); 0 = the installed jar itself
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-5}
FIRST_RUNS=${FIRST_RUNS:-$((2 * RUNS + 1))}
PGBENCH_SECS=${PGBENCH_SECS:-6}
LOOP_N=${LOOP_N:-1000000}
INSERT_N=${INSERT_N:-100000}
MEM_CALLS=${MEM_CALLS:-1000000}
MEM_STMTS=${MEM_STMTS:-1000}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
RESULTS_DIR=${RESULTS_DIR:-$here/results}
KEEP_WORK=${KEEP_WORK:-0}
SNAPSHOT=${SNAPSHOT:-1}

PGS_NAME=pljvm-bench
PGS_CHECK_LOG=1
. "$here/lib.sh"

# ---------------------------------------------------------------- prerequisites
bench_need_pg15 initdb pg_ctl postgres psql pgbench
bench_need_pljvm "build and install it first: mvn -pl pljvm -am package, as root"
command -v jar >/dev/null || die "jar (a JDK 17+) is needed"
CLASSES=$here/target/classes
bench_need_classes "$CLASSES" org.pgqjava.bench.PljvmBenchFns

# ---------------------------------------------------------------- throwaway server
bench_workdir
MEM_PID=
COMP_PID=
pgs_at_exit 'if [ -n "${MEM_PID:-}" ]; then kill "$MEM_PID" 2>/dev/null; fi'
pgs_at_exit 'if [ -n "${COMP_PID:-}" ]; then kill "$COMP_PID" 2>/dev/null; fi'
pgs_trap

if [ "$SNAPSHOT" = 1 ]; then bench_snapshot; fi
bench_load_note
pljvm_sums() { bench_sums "$1" "$2"; }
SUMS_START=$(pljvm_sums "$PLJVM_SO" "$PLJVM_JAR")   # of the files run (the jar's copy with SNAPSHOT=1)

say "initdb in $WORK/data"
pgs_initdb <<EOF
# pljvm preloaded, as docs/pljvm.md recommends: backends inherit libjvm loaded, and this
# pljvm.so whatever is installed during the run (bench_snapshot)
shared_preload_libraries = '$PLJVM_SO'
synchronous_commit = off
shared_buffers = 128MB
max_connections = 20
# the 1 M-row statements would be JIT-compiled: the same extra time in each, and 50 MB of LLVM
# in the backend's private memory
jit = off
$(if [ "$SNAPSHOT" = 1 ]; then echo "pljvm.classpath = '$PLJVM_JAR'"; fi)
EOF
say "starting PostgreSQL 15 on port $PGS_PORT (socket in $PGS_SOCK)"
pgs_start

PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGS_SOCK" -p "$PGS_PORT" -U postgres)
PGBENCH=("$PGBIN/pgbench" -n -h "$PGS_SOCK" -p "$PGS_PORT" -U postgres)

# ---------------------------------------------------------------- the Java functions
say "bench.jar: PljvmBenchFns, built by the bench module"
jar --create --file "$WORK/bench.jar" -C "$CLASSES" org/pgqjava/bench/PljvmBenchFns.class
chmod 644 "$WORK/bench.jar"

"${PSQL[@]}" -d postgres -c 'create database bench'
"${PSQL[@]}" -d bench -o /dev/null <<EOF
create extension pljvm;
select pljvm.install_jar('bench', pg_read_binary_file('$WORK/bench.jar'));
select pljvm.set_classpath('', array['bench']);
create table bench_t(id int8, txt text);
create function jnoop(int8) returns int8 language pljvm as 'org.pgqjava.bench.PljvmBenchFns.noop';
create function jinsert(int8, text) returns void language pljvm as 'org.pgqjava.bench.PljvmBenchFns.insert';
create function plnoop(x int8) returns int8 language plpgsql as \$\$begin return x; end\$\$;
create function plinsert(x int8, t text) returns void language plpgsql
    as \$\$begin insert into bench_t(id, txt) values (x, t); end\$\$;
create function sqlnoop(int8) returns int8 language sql as 'select \$1';
EOF
PSQLB=("${PSQL[@]}" -d bench)
bench_check_loaded bench 'select jnoop(1)'
[ "$("${PSQLB[@]}" -At -c 'select jnoop(42)')" = 42 ] || die "jnoop(42) did not return 42"
"${PSQLB[@]}" -o /dev/null -c "select jinsert(1, 'x'); select plinsert(2, 'y')"
[ "$("${PSQLB[@]}" -At -c 'select count(*) from bench_t')" = 2 ] || die "jinsert/plinsert did not insert"
"${PSQLB[@]}" -c 'truncate bench_t'

VMOPTIONS=$("${PSQLB[@]}" -At -c 'select jnoop(1)' -c 'show pljvm.vmoptions' | tail -1)
PGVERSION=$("${PSQLB[@]}" -At -c 'show server_version')

# ---------------------------------------------------------------- 1. first call in a fresh backend
say "1. first call in a fresh backend ($FIRST_RUNS connections each)"
first_call() {  # $1 = function; prints the psql \timing of its first call, in ms
    "${PSQLB[@]}" -At -c '\timing on' -c "select $1(1)" | awk '/^Time: /{print $2}'
}
for ((r = 1; r <= FIRST_RUNS; r++)); do
    for v in $(order "$r" java pl); do
        case $v in java) f=jnoop ;; pl) f=plnoop ;; esac
        t=$(first_call "$f")
        [ -n "$t" ] || die "no timing for the first call of $f"
        printf 'first_%s\t%s\n' "$v" "$t" >>"$RAW"
    done
done

# ---------------------------------------------------------------- 2./3. pgbench
say "2./3. pgbench, -T $PGBENCH_SECS, $RUNS runs each"
for s in java pl sql bare jins plins; do
    case $s in
        java) q='SELECT jnoop(:id);' ;;
        pl) q='SELECT plnoop(:id);' ;;
        sql) q='SELECT sqlnoop(:id);' ;;
        bare) q='SELECT :id::bigint;' ;;
        jins) q="SELECT jinsert(:id, 'x');" ;;
        plins) q="SELECT plinsert(:id, 'x');" ;;
    esac
    printf '\\set id random(1, 1000000)\n%s\n' "$q" >"$WORK/pgb_$s.sql"
done
pgbench_run() {  # $1 = script name, $2 = clients
    # Steady state, from pgbench's per-second aggregate log: only the whole seconds that start
    # at least 1 s after pgbench was started (the connection and the JVM start fall before; row 1
    # measures those) and end before it exited.
    local out logs="$WORK/pgblog" t0 t1
    rm -rf "$logs" && mkdir "$logs"
    t0=$(date +%s.%N)
    if ! out=$("${PGBENCH[@]}" -T "$PGBENCH_SECS" -c "$2" -j "$2" -f "$WORK/pgb_$1.sql" \
            -l --aggregate-interval=1 --log-prefix="$logs/agg" bench 2>&1); then
        echo "$out" >&2
        die "pgbench $1 -c $2 failed"
    fi
    t1=$(date +%s.%N)
    local tps res
    tps=$(echo "$out" | awk '/^tps = /{print $3}')
    # per interval: transactions, sum of latencies (µs); summed over the threads' files
    res=$(cat "$logs"/agg.* | awk -v t0="$t0" -v t1="$t1" '
        $1 >= t0 + 1 && $1 + 1 <= t1 {n[$1] += $2; l[$1] += $3}
        END {for (t in n) {sn += n[t]; sl += l[t]; k++}
             if (k == 0 || sn == 0) print ""; else printf "%.3f %.3f %d\n", sn / k, sl / sn, k}')
    [ -n "$tps" ] && [ -n "$res" ] \
        || { echo "$out" >&2; die "cannot parse pgbench output (is PGBENCH_SECS >= 3?)"; }
    local sstps lat secs
    read -r sstps lat secs <<<"$res"
    printf 'pgb_c%s_%s_tps\t%s\npgb_c%s_%s_lat\t%s\npgb_c%s_%s_tps_all\t%s\n' \
        "$2" "$1" "$sstps" "$2" "$1" "$lat" "$2" "$1" "$tps" >>"$RAW"
    printf '   %-6s -c %s: %8.0f tps over %s s steady (%8.0f incl. start), %6.1f us per call\n' \
        "$1" "$2" "$sstps" "$secs" "$tps" "$(calc %.3f "$2 * 1000000 / $sstps")"
}
for ((r = 1; r <= RUNS; r++)); do
    echo "   run $r/$RUNS"
    for c in 1 2; do
        for s in $(order "$r" java pl sql bare); do
            pgbench_run "$s" "$c"
        done
    done
    for s in $(order "$r" jins plins); do
        "${PSQLB[@]}" -c 'truncate bench_t'
        pgbench_run "$s" 1
    done
done
"${PSQLB[@]}" -c 'truncate bench_t'

# ---------------------------------------------------------------- 2./3. loops in one statement
say "2./3. $LOOP_N calls and $INSERT_N inserts in one statement, $RUNS runs each (one warm session)"
loop_sql() {  # $1 = variant
    case $1 in
        java) echo "select sum(jnoop(i)) from generate_series(1::int8, $LOOP_N) i;" ;;
        pl) echo "select sum(plnoop(i)) from generate_series(1::int8, $LOOP_N) i;" ;;
        bare) echo "select sum(i + 0) from generate_series(1::int8, $LOOP_N) i;" ;;
        jins) echo "select count(*) from (select jinsert(i, 'x') from generate_series(1::int8, $INSERT_N) i) s;" ;;
        plins) echo "select count(*) from (select plinsert(i, 'x') from generate_series(1::int8, $INSERT_N) i) s;" ;;
    esac
}
{
    echo '\o /dev/null'
    # warm-up: JVM start, JIT, plan caches, plpgsql compile
    for v in java pl bare java pl bare; do loop_sql "$v"; done
    for v in jins plins jins plins; do echo 'truncate bench_t;'; loop_sql "$v"; done
    for ((r = 1; r <= RUNS; r++)); do
        for v in $(order "$r" java pl bare); do
            echo "\\echo @@ loop_$v"
            echo '\timing on'
            loop_sql "$v"
            echo '\timing off'
        done
        for v in $(order "$r" jins plins); do
            echo 'truncate bench_t;'
            echo 'checkpoint;'
            echo "\\echo @@ ins_$v"
            echo '\timing on'
            loop_sql "$v"
            echo '\timing off'
            echo "\\echo @@ rows_$v"
            echo '\o'
            echo 'select count(*) from bench_t;'
            echo '\o /dev/null'
        done
    done
    echo 'truncate bench_t;'
} >"$WORK/loops.sql"
"${PSQLB[@]}" -At -f "$WORK/loops.sql" >"$WORK/loops.out"
awk '/^@@ /{k=$2; next} /^Time: /{print k "\t" $2; next} k ~ /^rows_/ && /^[0-9]+$/{print k "\t" $1}' \
    "$WORK/loops.out" >>"$RAW"
bad_rows=$(awk -v n="$INSERT_N" '$1 ~ /^rows_/ && $2 != n' "$RAW")
[ -z "$bad_rows" ] || die "an insert loop did not insert $INSERT_N rows: $bad_rows"
[ "$(grep -c '^loop_java' "$RAW")" = "$RUNS" ] || { cat "$WORK/loops.out" >&2; die "cannot parse the loop timings"; }

# ---------------------------------------------------------------- 4. backend memory
say "4. backend private memory, $RUNS backends per language"
# A page of a file mapping (libjvm.so, the CDS archive classes.jsa, postgres itself) counts as
# private while only one process maps it. With many backends those pages are shared, so a
# companion backend that has started its JVM (and PL/pgSQL) stays connected meanwhile: what is
# left private is what one more backend costs.
mkfifo "$WORK/companion.fifo"
"${PSQLB[@]}" -At <"$WORK/companion.fifo" >"$WORK/companion.out" 2>&1 &
COMP_PID=$!
exec {COMP_FD}>"$WORK/companion.fifo"
printf 'select jnoop(1);\nselect plnoop(1);\n\\echo @@ready\n' >&"$COMP_FD"
for ((k = 0; k < 600; k++)); do
    grep -q '^@@ready' "$WORK/companion.out" && break
    sleep 0.1
done
grep -q '^@@ready' "$WORK/companion.out" || { cat "$WORK/companion.out" >&2; die "the companion session did not start"; }

mem_read() {  # $1 = pid; prints "private_MB private_dirty_MB rss_MB pss_MB threads"
    awk '/^Rss:/{r=$2} /^Pss:/{p=$2} /^Private_Clean:/{pc=$2} /^Private_Dirty:/{pd=$2}
         END{printf "%.2f %.2f %.2f %.2f", (pc + pd) / 1024, pd / 1024, r / 1024, p / 1024}' "/proc/$1/smaps_rollup"
    awk '/^Threads:/{printf " %d\n", $2}' "/proc/$1/status"
}
mem_record() {  # $1 = java | pl, $2 = a | b | c, $3 = pid
    local m
    read -r -a m <<<"$(mem_read "$3")"
    printf 'mem_%s_%s_priv\t%s\nmem_%s_%s_dirty\t%s\nmem_%s_%s_rss\t%s\nmem_%s_%s_pss\t%s\nmem_%s_%s_threads\t%s\n' \
        "$1" "$2" "${m[0]}" "$1" "$2" "${m[1]}" "$1" "$2" "${m[2]}" "$1" "$2" "${m[3]}" "$1" "$2" "${m[4]}" >>"$RAW"
}
pq_send() { printf '%s\n' "$@" >&"${PQ[1]}"; }
pq_read() {  # reads one line of the session's output into REPLY
    IFS= read -r -t 300 -u "${PQ[0]}" REPLY || die "the psql session ended or hung"
}
pq_sync() {  # waits until everything sent so far has been executed
    pq_send '\echo @@sync'
    while pq_read; [ "$REPLY" != '@@sync' ]; do :; done
}
mem_session() {  # $1 = java | pl
    local f
    case $1 in java) f=jnoop ;; pl) f=plnoop ;; esac
    coproc PQ { "${PSQLB[@]}" -At 2>&1; }
    MEM_PID=$PQ_PID
    pq_send 'select pg_backend_pid();'
    pq_read
    local pid=$REPLY k
    [[ $pid =~ ^[0-9]+$ ]] || die "bad backend pid: $pid"
    pq_send 'select 1;'
    pq_sync
    mem_record "$1" a "$pid"
    pq_send "select $f(1);"
    pq_sync
    mem_record "$1" b "$pid"
    pq_send "select sum($f(i)) from generate_series(1::int8, $MEM_CALLS) i;"
    for ((k = 1; k <= MEM_STMTS; k++)); do pq_send "select $f($k);"; done
    pq_sync
    mem_record "$1" c "$pid"
    pq_send '\q'
    local wfd=${PQ[1]}
    exec {wfd}>&-
    wait "$MEM_PID" || die "the psql session for $1 failed"
    MEM_PID=
}
for ((r = 1; r <= RUNS; r++)); do
    for v in $(order "$r" java pl); do
        mem_session "$v"
    done
done
exec {COMP_FD}>&-
wait "$COMP_PID" || die "the companion session failed: $(cat "$WORK/companion.out")"
COMP_PID=

# ---------------------------------------------------------------- report
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
SUMS_END=$(pljvm_sums "$PKGLIBDIR/pljvm.so" "$PKGLIBDIR/pljvm.jar")
if [ "$SUMS_START" != "$SUMS_END" ] && [ "$SNAPSHOT" != 1 ]; then
    echo "pljvm-bench: WARNING: pljvm.so or pljvm.jar was reinstalled during the run; the results mix builds" >&2
fi
say "stopping the server, checking its log"
pgs_stop
pgs_check_log

yes_no() { if awk "BEGIN {exit !($1)}"; then echo yes; else echo NO; fi; }

rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }

ratio_cell() {  # $1 = ratio of the medians, $2 = median of the per-run ratios
    echo "$(calc %.2f "$1")× (per-run pairs: $(calc %.2f "$2")×); lower is better"
}

# 1. first call
fj=$(med first_java); fp=$(med first_pl)
row "First call in a fresh backend, \`select f(1)\` (ms)" "$(calc %.1f "$fj")" "$(calc %.1f "$fp") (PL/pgSQL)" \
    "$(ratio_cell "$fj / $fp" "$(pmed 'A / B' first_java first_pl)")" "≤ 50 ms" "$(yes_no "$fj <= 50")"

# 2. pgbench noop: time per call = clients / tps (steady state)
pgb_row() {  # $1 = clients, $2 = ours, $3 = anchor, $4 = label, $5 = anchor name, $6 = target ratio or ""
    local jt at ju au pr
    jt=$(med "pgb_c$1_$2_tps"); at=$(med "pgb_c$1_$3_tps")
    ju=$(calc %.6f "$1 * 1000000 / $jt"); au=$(calc %.6f "$1 * 1000000 / $at")
    pr=$(pmed 'B / A' "pgb_c$1_$2_tps" "pgb_c$1_$3_tps")
    row "$4" "$(calc %.1f "$ju") µs ($(calc %.0f "$jt") tps)" "$(calc %.1f "$au") µs ($(calc %.0f "$at") tps), $5" \
        "$(ratio_cell "$ju / $au" "$pr")" "$(if [ -n "$6" ]; then echo "≤ $6×"; else echo '–'; fi)" \
        "$(if [ -n "$6" ]; then yes_no "$pr <= $6"; else echo '(info)'; fi)"
}
for c in 1 2; do
    pgb_row "$c" java pl "pgbench -c $c \`SELECT f(:id)\`, time per call" "PL/pgSQL \`return x\`" 1.2
    pgb_row "$c" java sql "pgbench -c $c \`SELECT f(:id)\`, time per call" "SQL fn \`select \$1\` (inlined)" ""
    pgb_row "$c" java bare "pgbench -c $c \`SELECT f(:id)\`, time per call" "no function: \`SELECT :id::bigint\`" ""
done

# 2. loop
lj=$(med loop_java); lp=$(med loop_pl); lb=$(med loop_bare)
pr=$(pmed 'A / B' loop_java loop_pl)
row "$LOOP_N calls in one statement, per call (µs)" \
    "$(calc %.3f "$lj * 1000 / $LOOP_N")" "$(calc %.3f "$lp * 1000 / $LOOP_N") (PL/pgSQL)" \
    "$(ratio_cell "$lj / $lp" "$pr")" "≤ 1.2×" "$(yes_no "$pr <= 1.2")"
pr=$(pmed '(A - C) / (B - C)' loop_java loop_pl loop_bare)
row "$LOOP_N calls in one statement, per call over the bare \`i + 0\` loop (µs)" \
    "+$(calc %.3f "($lj - $lb) * 1000 / $LOOP_N")" "+$(calc %.3f "($lp - $lb) * 1000 / $LOOP_N") (PL/pgSQL; bare loop $(calc %.3f "$lb * 1000 / $LOOP_N") µs)" \
    "$(ratio_cell "($lj - $lb) / ($lp - $lb)" "$pr")" "≤ 1.2×" "$(yes_no "$pr <= 1.2")"

# 3. inserts
ij=$(med ins_jins); ip=$(med ins_plins)
pr=$(pmed 'A / B' ins_jins ins_plins)
row "INSERT via saved plan, $INSERT_N rows in one statement, per row (µs)" \
    "$(calc %.2f "$ij * 1000 / $INSERT_N")" "$(calc %.2f "$ip * 1000 / $INSERT_N") (PL/pgSQL)" \
    "$(ratio_cell "$ij / $ip" "$pr")" "≤ 1.2×" "$(yes_no "$pr <= 1.2")"
pgb_row 1 jins plins "pgbench -c 1 \`SELECT f(:id, 'x')\` (one INSERT), time per call" "PL/pgSQL" 1.2

# 4. memory
ma=$(med mem_java_a_priv); pa=$(med mem_pl_a_priv)
mb=$(med mem_java_b_priv); pb=$(med mem_pl_b_priv)
mc=$(med mem_java_c_priv); pc=$(med mem_pl_c_priv)
row "Backend private memory, fresh, after \`select 1\` (MB)" "$(calc %.1f "$ma")" "$(calc %.1f "$pa") (PL/pgSQL session)" \
    "+$(calc %.1f "$ma - $pa") MB" "–" "(info)"
pr=$(pmed 'A - B' mem_java_b_priv mem_pl_b_priv)
row "Backend private memory, idle after 1 call (MB; a companion JVM backend connected)" "$(calc %.1f "$mb")" "$(calc %.1f "$pb") (PL/pgSQL)" \
    "+$(calc %.1f "$mb - $pb") MB (per-run pairs: +$(calc %.1f "$pr") MB)" "≤ +20 MB" "$(yes_no "$pr <= 20")"
pr=$(pmed 'A - B' mem_java_c_priv mem_pl_c_priv)
row "Backend private memory, idle after $MEM_CALLS calls + $MEM_STMTS statements (MB; companion connected)" "$(calc %.1f "$mc")" "$(calc %.1f "$pc") (PL/pgSQL)" \
    "+$(calc %.1f "$mc - $pc") MB (per-run pairs: +$(calc %.1f "$pr") MB)" "≤ +20 MB" "$(yes_no "$pr <= 20")"

date_iso=$(date +%F)
{
    echo "# pljvm benchmark, $date_iso"
    echo
    echo "Medians of $RUNS runs ($FIRST_RUNS fresh connections for the first call), ours and the anchors"
    echo "interleaved in the same run. Ours = the pljvm function; anchor = the same in PL/pgSQL (or SQL)."
    echo "Ratios are ours / anchor in time (lower is better): the ratio of the medians, and the median of"
    echo "the per-run ratios (ours and the anchor of one run ran back to back), which \"met?\" uses;"
    echo "memory compares private MB (ours − anchor)."
    echo
    echo "| measurement | ours (median) | anchor (median) | ratio | target | met? |"
    echo "| --- | --- | --- | --- | --- | --- |"
    printf '%s\n' "${rows[@]}"
    echo
    bench_setup_head
    echo "- PostgreSQL $PGVERSION; synchronous_commit=off, shared_buffers=128MB, jit=off; pgbench -n -T $PGBENCH_SECS, simple protocol, -j = -c"
    echo "- $(java -version 2>&1 | head -1)"
    echo "- pljvm.vmoptions: \`$VMOPTIONS\`"
    if [ "$SNAPSHOT" = 1 ]; then
        echo "- pljvm build (sha256 prefixes of pljvm.so, pljvm.jar): $SUMS_START— a copy taken at the start was run$([ "$SUMS_START" = "$SUMS_END" ] || echo " (the installed files changed during the run, to $SUMS_END)")"
    else
        echo "- pljvm build (sha256 prefixes of pljvm.so, pljvm.jar): $SUMS_START$([ "$SUMS_START" = "$SUMS_END" ] || echo "— **REINSTALLED DURING THE RUN** (at the end: $SUMS_END); the results mix builds")"
    fi
    echo "- server log: no crash, PANIC, FATAL, ERROR or WARNING from the server$([ "$PGS_BAD" = 1 ] && echo ' — NOT TRUE, see below'); the JVM printed the JDK's Security Manager deprecation notice (2–4 unprefixed WARNING lines) $PGS_JVM_WARNINGS times, once per backend that started a JVM"
    echo "- script: bench/pljvm-bench.sh (RUNS=$RUNS FIRST_RUNS=$FIRST_RUNS PGBENCH_SECS=$PGBENCH_SECS LOOP_N=$LOOP_N INSERT_N=$INSERT_N MEM_CALLS=$MEM_CALLS MEM_STMTS=$MEM_STMTS)"
    echo
    echo "## All runs (in run order)"
    echo
    all_runs_table
    echo
    echo "Units: first_*, loop_*, ins_* in ms (psql \\timing); pgb_c<clients>_<script>_tps: steady-state"
    echo "transactions/s, _lat: their mean latency in µs, _tps_all: pgbench's own tps (JVM start"
    echo "included); mem_* in MB from /proc/<pid>/smaps_rollup (priv = Private_Clean + Private_Dirty,"
    echo "dirty = Private_Dirty, rss, pss) and the thread count, a = fresh, b = after 1 call, c = after"
    echo "$MEM_CALLS calls + $MEM_STMTS statements, with a companion JVM backend connected;"
    echo "rows_* = rows counted after each insert loop."
} >"$WORK/report.md"

bench_publish "$WORK/report.md" "$RESULTS_DIR/pljvm-$date_iso.md"
