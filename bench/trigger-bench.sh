#!/usr/bin/env bash
# trigger-bench.sh: what PgQ's table triggers add per changed row, pgq-java's (Java on pljvm)
# against Debian's PgQ 3.5 (C), each in its own database of the same throwaway PostgreSQL 15, in
# one run, interleaved. A 10-column table without a trigger is the limit; the same table with
# pgq.logutriga, pgq.jsontriga or pgq.sqltriga (AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW,
# queue argument only) gets INSERT, UPDATE and DELETE of ROWS rows in one statement, and of
# ROW_STMTS rows one row per statement (one transaction). Measured: the serving backend's CPU time
# (/proc/PID/schedstat) and the wall time of each statement group. Reported per trigger, operation
# and mode: the cost a trigger adds per row (its table's time minus the plain table's, same
# implementation, same run, divided by the rows), ours and C's, and the median per-run ratio
# ours/C (≤ 1 = ours adds no more than C). Writes the table, with every single run, to
# bench/results/trigger-<date>.md.
#
# Needs what bench/pgq-bench.sh needs except the bench module: pljvm installed, the liquibase
# module built (`mvn -B -ntp -pl liquibase -am package -DskipTests` as root), Debian's PgQ
# (postgresql-15-pgq3), PostgreSQL 15's binaries, a JDK (java, for Liquibase), python3 (a free
# port). Run as root (the server runs as the OS user postgres) or as any other user.
#
# Environment (defaults in brackets):
#   RUNS [5]            repetitions; medians are reported
#   ROWS [100000]       rows of the one-statement INSERT, UPDATE, DELETE
#   ROW_STMTS [20000]   rows of the one-row-per-statement variant
#   KINDS ["logutriga jsontriga sqltriga"]  triggers measured (the plain table always is)
#   MODES ["stmt row"]  stmt = one statement for all rows, row = one statement per row
#   PGBIN [/usr/lib/postgresql/15/bin]   PostgreSQL binaries
#   LIQUIBASE_DIR [<repo>/liquibase/target]  the built liquibase module (jar and cli/)
#   RESULTS_DIR [bench/results]          where trigger-<date>.md is written (-2, -3 ... if it exists)
#   KEEP_WORK [0]       1 = keep the temporary directory (data, server log) in any case
#   SNAPSHOT [1]        1 = run copies of pljvm.jar and the liquibase jars taken at the start (pljvm.so is preloaded)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
RUNS=${RUNS:-5}
ROWS=${ROWS:-100000}
ROW_STMTS=${ROW_STMTS:-20000}
KINDS=${KINDS:-logutriga jsontriga sqltriga}
MODES=${MODES:-stmt row}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
LIQUIBASE_DIR=${LIQUIBASE_DIR:-$repo/liquibase/target}
RESULTS_DIR=${RESULTS_DIR:-$here/results}
KEEP_WORK=${KEEP_WORK:-0}
SNAPSHOT=${SNAPSHOT:-1}

PGS_NAME=trigger-bench
PGS_CHECK_LOG=1
PGS_LOG_IGNORE='\] ERROR:  relation "public\.databasechangeloglock" does not exist'
. "$here/lib.sh"
T_START=$(date +%s)
elapsed() { echo "$(($(date +%s) - T_START)) s"; }

# ---------------------------------------------------------------- prerequisites
BUILD_HINT="as root: mvn -B -ntp -pl liquibase -am package -DskipTests"
bench_need_pg15 initdb pg_ctl postgres psql
bench_need_pljvm "$BUILD_HINT"
[ -f "$SHAREDIR/extension/pgq.control" ] && [ -f "$PKGLIBDIR/pgq_triggers.so" ] \
    || die "Debian's PgQ is not installed (apt-get install postgresql-15-pgq3)"
LB_JAR=$(ls "$LIQUIBASE_DIR"/liquibase-*.jar 2>/dev/null | grep -vE -- '-(sources|javadoc|tests)\.jar$' | head -1 || true)
[ -n "$LB_JAR" ] && [ -d "$LIQUIBASE_DIR/cli" ] || die "the liquibase module is not built in $LIQUIBASE_DIR ($BUILD_HINT)"
command -v java >/dev/null || die "java (a JDK 17+) is needed"
for k in $KINDS; do case $k in logutriga | jsontriga | sqltriga) ;; *) die "KINDS: unknown trigger $k" ;; esac; done
for m in $MODES; do case $m in stmt | row) ;; *) die "MODES: stmt and/or row" ;; esac; done

# ---------------------------------------------------------------- throwaway server
bench_workdir
pgs_at_exit 'for p in ${SESSION_PIDS:-}; do kill "$p" 2>/dev/null; done'
pgs_trap
if [ "$SNAPSHOT" = 1 ]; then
    bench_snapshot "$LIQUIBASE_DIR/cli=cli" "$LB_JAR=liquibase.jar"
    LB_JAR="$WORK/lib/liquibase.jar"
    LB_CLI="$WORK/lib/cli"
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
listen_addresses = '127.0.0.1'
synchronous_commit = off
shared_buffers = 256MB
max_connections = 20
jit = off
checkpoint_timeout = 1h
max_wal_size = 8GB
autovacuum = off
$(if [ "$SNAPSHOT" = 1 ]; then echo "pljvm.classpath = '$PLJVM_JAR'"; fi)
EOF
PORT=$PGS_PORT
say "starting PostgreSQL 15 on port $PORT"
pgs_start
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGS_SOCK" -p "$PORT" -U postgres)
DB_OURS=pgq_java
DB_PGQ=pgq_debian
dbof() { case $1 in ours) echo "$DB_OURS" ;; pgq) echo "$DB_PGQ" ;; esac; }
"${PSQL[@]}" -d postgres -c "create database $DB_OURS" -c "create database $DB_PGQ"
say "installing pgq-java into $DB_OURS with Liquibase's command line"
if ! java -cp "$LB_CLI/*:$LB_JAR" liquibase.integration.commandline.LiquibaseCommandLine \
        --changelog-file=db/pgq/changelog-master.xml --url="jdbc:postgresql://127.0.0.1:$PORT/$DB_OURS?user=postgres" \
        --username=postgres --analytics-enabled=false --show-banner=false update >"$WORK/liquibase.log" 2>&1; then
    tail -30 "$WORK/liquibase.log" >&2
    die "Liquibase update failed"
fi
"${PSQL[@]}" -d "$DB_PGQ" -c 'create extension pgq'

# the same queue and tables in both: t_plain without a trigger, t_<kind> with one
for db in "$DB_OURS" "$DB_PGQ"; do
    {
        echo "select pgq.create_queue('tq');"
        for t in plain $KINDS; do
            echo "create table t_$t (id int primary key, c1 text, c2 int, c3 numeric, c4 timestamptz, c5 text,
                  c6 bool, c7 int8, c8 text, c9 date);"
            [ "$t" = plain ] || echo "create trigger tg after insert or update or delete on t_$t for each row
                  execute procedure pgq.$t('tq');"
        done
    } | "${PSQL[@]}" -d "$db" -o /dev/null
done
for k in $KINDS; do
    l=$("${PSQL[@]}" -d "$DB_OURS" -At -c "select l.lanname from pg_proc p join pg_language l on l.oid = p.prolang where p.oid = 'pgq.$k()'::regprocedure")
    [ "$l" = pljvm ] || die "pgq.$k() in $DB_OURS is $l, not pljvm"
    l=$("${PSQL[@]}" -d "$DB_PGQ" -At -c "select l.lanname from pg_proc p join pg_language l on l.oid = p.prolang where p.oid = 'pgq.$k()'::regprocedure")
    [ "$l" = c ] || die "pgq.$k() in $DB_PGQ is $l, not C"
done
bench_check_loaded "$DB_OURS" 'select pgq.ticker()'
PGVERSION=$("${PSQL[@]}" -d "$DB_PGQ" -At -c 'show server_version')
DEB_PGQ=$(dpkg-query -W -f '${Package} ${Version}' postgresql-15-pgq3 2>/dev/null || echo 'postgresql-15-pgq3 (version unknown)')
VMOPTIONS=$("${PSQL[@]}" -d "$DB_OURS" -At -c 'select pgq.ticker()' -c 'show pljvm.vmoptions' | tail -1)

# ---------------------------------------------------------------- the statements
ROWEXPR="i, 'text ' || i, i, i * 1.5, '2020-01-01'::timestamptz + i * interval '1 s', md5(i::text), i % 2 = 0,
         i * 1000, 'x', '2020-01-01'::date + (i % 100)"
for t in plain $KINDS; do
    echo "insert into t_$t select $ROWEXPR from generate_series(1, $ROWS) i;" >"$WORK/stmt_ins_$t.sql"
    echo "update t_$t set c2 = c2 + 1;" >"$WORK/stmt_upd_$t.sql"
    echo "delete from t_$t;" >"$WORK/stmt_del_$t.sql"
    awk -v n="$ROW_STMTS" -v t="$t" 'BEGIN {print "begin;"; for (i = 1; i <= n; i++)
        printf "insert into t_%s values (%d, %c%s%d%c, %d, %s, %c2020-01-01%c::timestamptz + %d * interval %c1 s%c, md5(%c%d%c), %s, %d, %cx%c, %c2020-01-01%c::date + %d);\n",
            t, i, 39, "text ", i, 39, i, i * 1.5, 39, 39, i, 39, 39, 39, i, 39, (i % 2 == 0 ? "true" : "false"), i * 1000, 39, 39, 39, 39, i % 100;
        print "commit;"}' >"$WORK/row_ins_$t.sql"
    awk -v n="$ROW_STMTS" -v t="$t" 'BEGIN {print "begin;"; for (i = 1; i <= n; i++) printf "update t_%s set c2 = c2 + 1 where id = %d;\n", t, i; print "commit;"}' >"$WORK/row_upd_$t.sql"
    awk -v n="$ROW_STMTS" -v t="$t" 'BEGIN {print "begin;"; for (i = 1; i <= n; i++) printf "delete from t_%s where id = %d;\n", t, i; print "commit;"}' >"$WORK/row_del_$t.sql"
done

# ---------------------------------------------------------------- one psql session per implementation
SESSION_PIDS=
declare -A SIN SOUT SPID
open_session() {  # $1 = ours | pgq
    local fin=$WORK/in_$1 fout=$WORK/out_$1 pid fdin fdout
    mkfifo "$fin" "$fout"
    "${PSQL[@]}" -d "$(dbof "$1")" -At <"$fin" >"$fout" 2>&1 &
    SESSION_PIDS="$SESSION_PIDS $!"
    exec {fdin}>"$fin"
    exec {fdout}<"$fout"
    SIN[$1]=$fdin
    SOUT[$1]=$fdout
    printf 'select pg_backend_pid();\n' >&"$fdin"
    IFS= read -r -t 60 -u "$fdout" pid || die "no backend pid for $1"
    [[ $pid =~ ^[0-9]+$ ]] || die "bad backend pid for $1: $pid"
    SPID[$1]=$pid
}
# run_file IMPL FILE: runs FILE in IMPL's session; prints "<backend CPU ns> <wall ns>"
run_file() {
    local a b w0 w1 line
    a=$(cut -d' ' -f1 "/proc/${SPID[$1]}/schedstat")
    w0=$(date +%s%N)
    printf '\\o /dev/null\n\\i %s\n\\o\n\\echo @@done\n' "$2" >&"${SIN[$1]}"
    line=
    while IFS= read -r -t 900 -u "${SOUT[$1]}" line; do [ "$line" = @@done ] && break; [ -z "$line" ] || die "$1 $2: $line"; done
    [ "$line" = @@done ] || die "$1 $2: psql ended or hung"
    w1=$(date +%s%N)
    b=$(cut -d' ' -f1 "/proc/${SPID[$1]}/schedstat")
    echo "$((b - a)) $((w1 - w0))"
}
# sql IMPL STATEMENT: runs it, untimed, and prints its one-line output
sql() {
    local line out=
    printf '%s\n\\echo @@done\n' "$2" >&"${SIN[$1]}"
    while IFS= read -r -t 300 -u "${SOUT[$1]}" line; do [ "$line" = @@done ] && break; out="$out$line"; done
    echo "$out"
}
for i in ours pgq; do open_session "$i"; done

reset_tables() {  # $1 = impl: empty tables and queue, vacuumed, checkpointed
    sql "$1" "truncate t_plain $(for k in $KINDS; do printf ', t_%s' "$k"; done), pgq.event_1_0, pgq.event_1_1, pgq.event_1_2;" >/dev/null
    sql "$1" "checkpoint;" >/dev/null
}

# one pass: for a mode, per table, impls in turn: insert, update, delete (each timed)
pass() {  # $1 = run (0 = warm-up), $2 = mode
    local r=$1 m=$2 t i op res n ev
    n=$([ "$m" = stmt ] && echo "$ROWS" || echo "$ROW_STMTS")
    for t in $(order "$r" plain $KINDS); do
        for i in $(order "$((r + 1))" ours pgq); do
            reset_tables "$i"
            for op in ins upd del; do
                res=$(run_file "$i" "$WORK/${m}_${op}_$t.sql")
                if [ "$r" -gt 0 ]; then
                    printf '%s_%s_%s_%s_cpu\t%s\n' "$m" "$op" "$t" "$i" "${res% *}" >>"$RAW"
                    printf '%s_%s_%s_%s_wall\t%s\n' "$m" "$op" "$t" "$i" "${res#* }" >>"$RAW"
                fi
            done
            ev=$(sql "$i" "select count(*) from pgq.event_template;")
            [ "$ev" = "$([ "$t" = plain ] && echo 0 || echo $((3 * n)))" ] || die "$i t_$t $m: $ev events, expected $([ "$t" = plain ] && echo 0 || echo $((3 * n)))"
        done
    done
}

say "warm-up: every statement once per implementation (JVM start, JIT, plans)"
for m in $MODES; do pass 0 "$m"; done
for ((r = 1; r <= RUNS; r++)); do
    say "run $r/$RUNS ($(elapsed))"
    for m in $(order "$r" $MODES); do pass "$r" "$m"; done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
pgs_check_log

# ---------------------------------------------------------------- report
# per run: added ns per row = (t_kind - t_plain) / rows, same implementation; ratio ours/C
rows=()
opname() { case $1 in ins) echo INSERT ;; upd) echo UPDATE ;; del) echo DELETE ;; esac; }
for m in $MODES; do
    n=$([ "$m" = stmt ] && echo "$ROWS" || echo "$ROW_STMTS")
    mdesc=$([ "$m" = stmt ] && echo "one statement, $n rows" || echo "one row per statement, $n statements in one transaction")
    for op in ins upd del; do
        base_o=$(med "${m}_${op}_plain_ours_cpu")
        base_p=$(med "${m}_${op}_plain_pgq_cpu")
        rows+=("| no trigger (the limit) | $(opname "$op") | $mdesc | $(calc '%.2f' "$base_o / $n / 1000") µs | $(calc '%.2f' "$base_p / $n / 1000") µs | – | – |")
        for k in $KINDS; do
            ko="${m}_${op}_${k}_ours_cpu"; kp="${m}_${op}_${k}_pgq_cpu"
            po="${m}_${op}_plain_ours_cpu"; pp="${m}_${op}_plain_pgq_cpu"
            add_o=$(awk -F'\t' -v ka="$ko" -v kb="$po" '$1 == ka {a[++na] = $2} $1 == kb {b[++nb] = $2}
                END {for (i = 1; i <= na; i++) print (a[i] - b[i])}' "$RAW" | median)
            add_p=$(awk -F'\t' -v ka="$kp" -v kb="$pp" '$1 == ka {a[++na] = $2} $1 == kb {b[++nb] = $2}
                END {for (i = 1; i <= na; i++) print (a[i] - b[i])}' "$RAW" | median)
            ratio=$(awk -F'\t' -v k1="$ko" -v k2="$po" -v k3="$kp" -v k4="$pp" '
                $1 == k1 {a[++n1] = $2} $1 == k2 {b[++n2] = $2} $1 == k3 {c[++n3] = $2} $1 == k4 {d[++n4] = $2}
                END {for (i = 1; i <= n1; i++) if (c[i] - d[i] > 0) print (a[i] - b[i]) / (c[i] - d[i])}' "$RAW" | median)
            target=$([ "$k" = sqltriga ] && echo 1.2 || echo 1.0)
            met=$(awk -v r="$ratio" -v t="$target" 'BEGIN {print (r <= t) ? "yes" : ((r <= t * 1.05) ? "within 5 %" : "NO")}')
            rows+=("| $k | $(opname "$op") | $mdesc | $(calc '%.2f' "$add_o / $n / 1000") µs | $(calc '%.2f' "$add_p / $n / 1000") µs | **$(calc '%.2f' "$ratio")** | $met (≤ $target) |")
        done
    done
done

date_iso=$(date +%Y-%m-%d)
{
    echo "# PgQ's table triggers: pgq-java (Java) vs Debian's PgQ 3.5 (C), $date_iso"
    echo
    echo "Backend CPU time (/proc/PID/schedstat) that each trigger adds per changed row: the trigger's"
    echo "table minus the plain table, same implementation, same run, divided by the rows; medians over"
    echo "$RUNS runs. **ours/C** is the median of the per-run ratios of the added costs: ≤ 1 means ours"
    echo "adds no more than the C trigger (lower is better). The no-trigger rows give the whole cost per"
    echo "row of the statement without a trigger in each database (the limit)."
    echo
    echo "| trigger | operation | mode | ours: added per row | C: added per row | ours/C (≤ target = met) | target met? |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    printf '%s\n' "${rows[@]}"
    echo
    bench_setup_head
    echo "- PostgreSQL $PGVERSION, one throwaway cluster; synchronous_commit=off, shared_buffers=256MB,"
    echo "  autovacuum=off, jit=off; before every table's insert/update/delete sequence its tables and the"
    echo "  queue's event tables are truncated and a CHECKPOINT is taken"
    echo "- PgQ: $DEB_PGQ (pgq_triggers.so; its insert_event(7) plpgsql → insert_event_raw in C)"
    echo "- ours: pgq-java installed by Liquibase from $(basename "$LB_JAR"); pljvm.vmoptions: \`$VMOPTIONS\`"
    echo "- builds (sha256 prefixes of pljvm.so, pljvm.jar, the liquibase jar): $SUMS_START"
    echo "- git: $(cd "$repo" && git describe --always --dirty 2>/dev/null || echo unknown)"
    echo "- table: id int primary key and 9 columns (text, int, numeric, timestamptz, text, bool, int8,"
    echo "  text, date); triggers AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW with the queue as only"
    echo "  argument; UPDATE sets one int column of every row; one psql session per implementation (Unix"
    echo "  socket) runs everything, a warm-up pass first; every run checks that the queue got 3 × rows events"
    echo "- server log: no crash, PANIC, FATAL, ERROR or WARNING$([ "$PGS_BAD" = 1 ] && echo ' — NOT TRUE, see below')"
    echo "- script: bench/trigger-bench.sh (RUNS=$RUNS ROWS=$ROWS ROW_STMTS=$ROW_STMTS KINDS=\"$KINDS\" MODES=\"$MODES\"), $(elapsed)"
    echo
    echo "## All runs (in run order)"
    echo
    all_runs_table
    echo
    echo "Keys: <stmt|row>_<ins|upd|del>_<table>_<ours|pgq>_<cpu|wall>: backend CPU ns and wall ns of the statement group."
} >"$WORK/report.md"

bench_publish "$WORK/report.md" "$RESULTS_DIR/trigger-$date_iso.md"
