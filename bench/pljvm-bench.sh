#!/usr/bin/env bash
# pljvm-bench.sh: what a pljvm call costs, measured against PL/pgSQL and SQL anchors in the
# same run, on a throwaway PostgreSQL 15.
#
# Needs pljvm installed into the PostgreSQL 15 installation (pljvm.so, pljvm.jar and the
# extension files; e.g. `mvn -pl pljvm -am package` as root), a JDK 17+ (javac, jar) and
# PostgreSQL 15's initdb, pg_ctl, psql and pgbench. Run it as root (the server then runs as the
# OS user postgres) or as any other user (the server runs as that user). See bench/README.md.
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
#   SNAPSHOT [1]         1 = run a copy of the installed pljvm.so and pljvm.jar, taken at the
#                        start, so that a reinstall during the run cannot mix builds; 0 = the
#                        installed files themselves (each new backend loads what is there then)
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

die() { echo "pljvm-bench: $*" >&2; exit 1; }
calc() { awk "BEGIN {printf \"$1\", $2}"; }
say() { echo "== $*"; }

# ---------------------------------------------------------------- prerequisites
for b in initdb pg_ctl postgres psql pgbench pg_config; do
    [ -x "$PGBIN/$b" ] || die "$PGBIN/$b not found (set PGBIN to PostgreSQL 15's bin directory)"
done
"$PGBIN/pg_config" --version | grep -q ' 15\.' || die "$PGBIN is not PostgreSQL 15"
PKGLIBDIR=$("$PGBIN/pg_config" --pkglibdir)
SHAREDIR=$("$PGBIN/pg_config" --sharedir)
PLJVM_JAR="$PKGLIBDIR/pljvm.jar"
[ -f "$PKGLIBDIR/pljvm.so" ] && [ -f "$PLJVM_JAR" ] && [ -f "$SHAREDIR/extension/pljvm.control" ] \
    || die "pljvm is not installed in $PKGLIBDIR (build and install it first: mvn -pl pljvm -am package, as root)"
command -v javac >/dev/null && command -v jar >/dev/null || die "javac and jar (a JDK 17+) are needed"
SRC="$here/src/main/java/org/pgqjava/bench/PljvmBenchFns.java"
[ -f "$SRC" ] || die "$SRC is missing"

if [ "$(id -u)" = 0 ]; then
    DBUSER=postgres
    asdb() { runuser -u postgres -- "$@"; }
else
    DBUSER=$(id -un)
    asdb() { "$@"; }
fi

# ---------------------------------------------------------------- throwaway server
WORK=$(mktemp -d /tmp/pljvm-bench.XXXXXX)
chmod 755 "$WORK"
[ "$DBUSER" = postgres ] && [ "$(id -u)" = 0 ] && chown postgres: "$WORK"
cd "$WORK"   # the postgres OS user must be able to stat its working directory
PGDATA="$WORK/data"
LOG="$WORK/server.log"
PLJVM_SO="$PKGLIBDIR/pljvm.so"
RAW="$WORK/raw.tsv"
: >"$RAW"
started=0
bad=0
checked=0
MEM_PID=
COMP_PID=

JVM_WARNINGS=0
check_log() {
    # Anything found here means pljvm (or the server) misbehaved during the run.
    checked=1
    local hits=""
    if [ -f "$LOG" ]; then
        hits=$(grep -nE 'terminated by signal|PANIC|FATAL|server process \(PID [0-9]+\)|all server processes terminated|reinitializing|\] (WARNING|ERROR): |hs_err|fatal error has been detected' "$LOG" || true)
        # Lines without the server's prefix come from the JVM (its stderr goes to the log). Only
        # the JDK's deprecation notices for the Security Manager (pljvm's exit guard) are expected.
        local raw
        raw=$(grep -nvE '^[0-9]{4}-[0-9]{2}-[0-9]{2} |^	' "$LOG" \
            | grep -vE '^[0-9]+:WARNING: (A terminally deprecated method in java.lang.System has been called|System::setSecurityManager (has been called by|will be removed)|Please consider reporting this to the maintainers of|A command line option has enabled the Security Manager|The Security Manager is deprecated and will be removed in a future release)' || true)
        [ -z "$raw" ] || hits="$hits"$'\n'"$raw"
        JVM_WARNINGS=$(grep -cE '^WARNING: (System::setSecurityManager has been called|A command line option has enabled the Security Manager)' "$LOG" || true)
    fi
    if [ -d "$PGDATA" ] && ls "$PGDATA"/hs_err_pid*.log >/dev/null 2>&1; then
        hits="$hits"$'\n'"HotSpot crash files: $(ls "$PGDATA"/hs_err_pid*.log)"
    fi
    hits=$(echo "$hits" | sed '/^$/d')
    if [ -n "$hits" ]; then
        echo "pljvm-bench: SUSPICIOUS lines in the server log ($LOG):" >&2
        echo "$hits" | head -40 >&2
        bad=1
    fi
}

stop_server() {
    started=0
    asdb "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null 2>&1 || {
        echo "pljvm-bench: pg_ctl stop failed" >&2
        bad=1
    }
}

cleanup() {
    local rc=$?
    set +e
    if [ -n "${MEM_PID:-}" ]; then kill "$MEM_PID" 2>/dev/null; fi
    if [ -n "${COMP_PID:-}" ]; then kill "$COMP_PID" 2>/dev/null; fi
    if [ "$started" = 1 ]; then
        stop_server
    fi
    [ "$checked" = 1 ] || check_log
    cd /
    if [ "$bad" = 1 ] || [ "$rc" != 0 ] || [ "$KEEP_WORK" = 1 ]; then
        echo "pljvm-bench: kept $WORK (server log: $LOG)" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$SNAPSHOT" = 1 ]; then
    mkdir -m 755 "$WORK/lib"
    # an install in progress (make install copies one file after the other) would give a
    # mismatched pair: copy until the installed files stay the same for 2 s
    for ((k = 0; ; k++)); do
        cp "$PKGLIBDIR/pljvm.so" "$PLJVM_JAR" "$WORK/lib/"
        sleep 2
        cmp -s "$PKGLIBDIR/pljvm.so" "$WORK/lib/pljvm.so" && cmp -s "$PLJVM_JAR" "$WORK/lib/pljvm.jar" && break
        [ "$k" -lt 30 ] || die "pljvm.so / pljvm.jar in $PKGLIBDIR keep changing"
    done
    chmod 755 "$WORK/lib/pljvm.so"
    chmod 644 "$WORK/lib/pljvm.jar"
    PLJVM_SO="$WORK/lib/pljvm.so"
    PLJVM_JAR="$WORK/lib/pljvm.jar"
fi

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD_START%% *}" -v n="$(nproc)" 'BEGIN {exit !(l > n / 2)}'; then
    echo "pljvm-bench: note: load average $LOAD_START on $(nproc) CPUs; other work will show up as noise" >&2
fi
pljvm_sums() { sha256sum "$1/pljvm.so" "$1/pljvm.jar" | awk '{printf "%s ", substr($1, 1, 12)}'; }
SUMS_START=$(pljvm_sums "$(dirname "$PLJVM_SO")")   # of the files run (the copies with SNAPSHOT=1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000)))

say "initdb in $PGDATA"
asdb "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C -N >/dev/null
cat >>"$PGDATA/postgresql.conf" <<EOF
# pljvm-bench
port = $PORT
listen_addresses = ''
unix_socket_directories = '$WORK'
synchronous_commit = off
shared_buffers = 128MB
max_connections = 20
# the 1 M-row statements would be JIT-compiled: the same extra time in each, and 50 MB of LLVM
# in the backend's private memory
jit = off
EOF
if [ "$SNAPSHOT" = 1 ]; then echo "pljvm.classpath = '$PLJVM_JAR'" >>"$PGDATA/postgresql.conf"; fi
say "starting PostgreSQL 15 on port $PORT (socket in $WORK)"
asdb "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LOG" -w -t 60 start >/dev/null
started=1

PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORK" -p "$PORT" -U postgres)
PGBENCH=("$PGBIN/pgbench" -n -h "$WORK" -p "$PORT" -U postgres)

# ---------------------------------------------------------------- the Java functions
say "compiling PljvmBenchFns into bench.jar"
mkdir -p "$WORK/classes"
javac --release 17 -cp "$PLJVM_JAR" -d "$WORK/classes" "$SRC"
jar --create --file "$WORK/bench.jar" -C "$WORK/classes" .
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
if [ "$SNAPSHOT" = 1 ]; then
    n=$("${PSQLB[@]}" -At -c "with u as (update pg_catalog.pg_proc set probin = '$WORK/lib/pljvm'
        where probin = '\$libdir/pljvm' returning 1) select count(*) from u")
    [ "$n" -ge 2 ] || die "could not point pljvm's C functions at the snapshot ($n updated)"
fi
maps=$("${PSQLB[@]}" -At -c 'select jnoop(1)' \
    -c "select l from regexp_split_to_table(pg_read_file('/proc/self/maps'), E'\\n') l where l like '%/pljvm.so'")
if ! echo "$maps" | grep -q " $PLJVM_SO\$" || echo "$maps" | grep -v " $PLJVM_SO\$" | grep -q pljvm.so; then
    echo "$maps" >&2
    die "the backend did not load $PLJVM_SO (only)"
fi
[ "$("${PSQLB[@]}" -At -c 'select jnoop(42)')" = 42 ] || die "jnoop(42) did not return 42"
"${PSQLB[@]}" -o /dev/null -c "select jinsert(1, 'x'); select plinsert(2, 'y')"
[ "$("${PSQLB[@]}" -At -c 'select count(*) from bench_t')" = 2 ] || die "jinsert/plinsert did not insert"
"${PSQLB[@]}" -c 'truncate bench_t'

VMOPTIONS=$("${PSQLB[@]}" -At -c 'select jnoop(1)' -c 'show pljvm.vmoptions' | tail -1)
PGVERSION=$("${PSQLB[@]}" -At -c 'show server_version')

# order "$run" a b c ...: the items, reversed on even runs (to spread position effects)
order() {
    local run=$1; shift
    if [ $((run % 2)) = 0 ]; then
        local out=() i
        for ((i = $#; i >= 1; i--)); do out+=("${!i}"); done
        echo "${out[@]}"
    else
        echo "$@"
    fi
}

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
SUMS_END=$(pljvm_sums "$PKGLIBDIR")
if [ "$SUMS_START" != "$SUMS_END" ] && [ "$SNAPSHOT" != 1 ]; then
    echo "pljvm-bench: WARNING: pljvm.so or pljvm.jar was reinstalled during the run; the results mix builds" >&2
fi
say "stopping the server, checking its log"
stop_server
check_log

med() {  # median of the values of key $1
    awk -F'\t' -v k="$1" '$1 == k {print $2}' "$RAW" | sort -g \
        | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
vals() {  # all values of key $1, in run order
    awk -F'\t' -v k="$1" '$1 == k {printf "%s%s", sep, $2; sep = " "} END {print ""}' "$RAW"
}
yes_no() { if awk "BEGIN {exit !($1)}"; then echo yes; else echo NO; fi; }

rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }

# pmed EXPR KEY_A KEY_B [KEY_C]: the median over the runs of EXPR, an awk expression in A, B, C,
# the values of the keys in the same run. Ours and the anchor of one run ran back to back, so
# these per-run ratios are robust against the load changing between runs; "met?" uses them.
pmed() {
    awk -F'\t' -v ka="$2" -v kb="$3" -v kc="${4:-}" '
        $1 == ka {a[++na] = $2} $1 == kb {b[++nb] = $2} kc != "" && $1 == kc {c[++nc] = $2}
        END {for (i = 1; i <= na && i <= nb; i++) {A = a[i]; B = b[i]; C = c[i]; print '"($1)"'}}' "$RAW" \
        | sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
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
    echo "## Set-up"
    echo
    echo "- load average (1/5/15 min) at start: $LOAD_START; at end: $LOAD_END (other work on the machine shows up as noise)"
    echo "- host: $(nproc) CPUs, $(awk '/^MemTotal:/{printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM, $(uname -sr)"
    echo "- PostgreSQL $PGVERSION; synchronous_commit=off, shared_buffers=128MB, jit=off; pgbench -n -T $PGBENCH_SECS, simple protocol, -j = -c"
    echo "- $(java -version 2>&1 | head -1)"
    echo "- pljvm.vmoptions: \`$VMOPTIONS\`"
    if [ "$SNAPSHOT" = 1 ]; then
        echo "- pljvm build (sha256 prefixes of pljvm.so, pljvm.jar): $SUMS_START— a copy taken at the start was run$([ "$SUMS_START" = "$SUMS_END" ] || echo " (the installed files changed during the run, to $SUMS_END)")"
    else
        echo "- pljvm build (sha256 prefixes of pljvm.so, pljvm.jar): $SUMS_START$([ "$SUMS_START" = "$SUMS_END" ] || echo "— **REINSTALLED DURING THE RUN** (at the end: $SUMS_END); the results mix builds")"
    fi
    echo "- server log: no crash, PANIC, FATAL, ERROR or WARNING from the server$([ "$bad" = 1 ] && echo ' — NOT TRUE, see below'); the JVM printed the JDK's Security Manager deprecation notice (2–4 unprefixed WARNING lines) $JVM_WARNINGS times, once per backend that started a JVM"
    echo "- script: bench/pljvm-bench.sh (RUNS=$RUNS FIRST_RUNS=$FIRST_RUNS PGBENCH_SECS=$PGBENCH_SECS LOOP_N=$LOOP_N INSERT_N=$INSERT_N MEM_CALLS=$MEM_CALLS MEM_STMTS=$MEM_STMTS)"
    echo
    echo "## All runs (in run order)"
    echo
    echo "| key | median | values |"
    echo "| --- | --- | --- |"
    for k in $(awk -F'\t' '!seen[$1]++ {print $1}' "$RAW"); do
        echo "| $k | $(med "$k") | $(vals "$k") |"
    done
    echo
    echo "Units: first_*, loop_*, ins_* in ms (psql \\timing); pgb_c<clients>_<script>_tps: steady-state"
    echo "transactions/s, _lat: their mean latency in µs, _tps_all: pgbench's own tps (JVM start"
    echo "included); mem_* in MB from /proc/<pid>/smaps_rollup (priv = Private_Clean + Private_Dirty,"
    echo "dirty = Private_Dirty, rss, pss) and the thread count, a = fresh, b = after 1 call, c = after"
    echo "$MEM_CALLS calls + $MEM_STMTS statements, with a companion JVM backend connected;"
    echo "rows_* = rows counted after each insert loop."
} >"$WORK/report.md"

if [ "$bad" = 1 ]; then
    echo >>"$WORK/report.md"
    echo "**Server log had suspicious lines; see $LOG (kept).**" >>"$WORK/report.md"
fi

mkdir -p "$RESULTS_DIR"
out="$RESULTS_DIR/pljvm-$date_iso.md"
cp "$WORK/report.md" "$out"
echo
cat "$WORK/report.md"
echo
say "written to $out"
