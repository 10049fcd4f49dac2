# lib.sh: what the bench scripts share besides the server (that is scripts/lib/pgserver.sh,
# which this sources): prerequisites, snapshots of the pljvm build, the raw file of
# "key<TAB>value" lines and its medians. Source it after setting PGS_NAME and PGBIN.
#
# What will bite: the functions read and write the scripts' globals RAW (the raw file), PSQL
# (psql as an array, connected to the throwaway server) and the PLJVM_* paths set by
# bench_need_pljvm (and replaced by bench_snapshot).

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/pgserver.sh"

die() { pgs_die "$@"; }
say() { echo "== $*"; }
calc() { awk "BEGIN {printf \"$1\", $2}"; }

# bench_workdir: the temporary directory (pgs_workdir) as WORK and working directory (the
# server's OS user must be able to stat it), with an empty raw file RAW in it
bench_workdir() {
    pgs_workdir
    WORK=$PGS_DIR
    cd "$WORK"
    RAW=$WORK/raw.tsv
    : >"$RAW"
}

# bench_need_pg15 BIN...: these PostgreSQL 15 binaries are in PGBIN
bench_need_pg15() {
    local b
    for b in "$@" pg_config; do
        [ -x "$PGBIN/$b" ] || die "$PGBIN/$b not found (set PGBIN to PostgreSQL 15's bin directory)"
    done
    "$PGBIN/pg_config" --version | grep -q ' 15\.' || die "$PGBIN is not PostgreSQL 15"
}

# bench_need_pljvm HINT: pljvm is installed into PGBIN's PostgreSQL; sets PKGLIBDIR, SHAREDIR,
# PLJVM_SO, PLJVM_JAR. HINT says how to build and install it.
bench_need_pljvm() {
    PKGLIBDIR=$("$PGBIN/pg_config" --pkglibdir)
    SHAREDIR=$("$PGBIN/pg_config" --sharedir)
    PLJVM_SO=$PKGLIBDIR/pljvm.so
    PLJVM_JAR=$PKGLIBDIR/pljvm.jar
    [ -f "$PLJVM_SO" ] && [ -f "$PLJVM_JAR" ] && [ -f "$SHAREDIR/extension/pljvm.control" ] \
        || die "pljvm is not installed in $PKGLIBDIR ($1)"
}

# bench_need_classes DIR CLASS...: the bench module is built (DIR = its target/classes)
bench_need_classes() {
    local dir=$1 c
    shift
    for c in "$@"; do
        [ -f "$dir/${c//.//}.class" ] || die "$c is not built in $dir (mvn -B -ntp -pl bench -am package -DskipTests)"
    done
}

# bench_snapshot [SRC=NAME]...: copies pljvm.jar (and each SRC, a file or a directory, as NAME)
# into $PGS_DIR/lib, writes the jar copy's class-data archive, and points PLJVM_JAR at the copy.
# A JVM start reads the jar and the archive, so a rebuild during the run would otherwise mix
# builds; an install in progress (make install copies one file after the other) would give a
# mismatched pair, hence: copy until the files stay the same for 2 s. pljvm.so needs no copy: the
# benchmark's server preloads it (shared_preload_libraries = PLJVM_SO) and every backend
# inherits that library, whatever is installed later (PostgreSQL finds a loaded library by name).
bench_snapshot() {
    local lib=$PGS_DIR/lib k spec same
    mkdir -p -m 755 "$lib"
    for ((k = 0; ; k++)); do
        cp "$PLJVM_JAR" "$lib/"
        for spec in "$@"; do rm -rf "${lib:?}/${spec#*=}" && cp -r "${spec%%=*}" "$lib/${spec#*=}"; done
        sleep 2
        same=1
        cmp -s "$PLJVM_JAR" "$lib/pljvm.jar" || same=0
        for spec in "$@"; do
            [ -d "${spec%%=*}" ] || cmp -s "${spec%%=*}" "$lib/${spec#*=}" || same=0
        done
        [ "$same" = 1 ] && break
        [ "$k" -lt 30 ] || die "pljvm.jar / $* keep changing"
    done
    chmod 644 "$lib/pljvm.jar"
    # the copy's class-data archive, so that the snapshot starts its JVMs as an installed pljvm does
    if [ -x "$PKGLIBDIR/pljvm-archive.sh" ]; then
        "$PKGLIBDIR/pljvm-archive.sh" "$(command -v java)" "$lib/pljvm.jar" "$PKGLIBDIR/pljvm.classlist" \
            || die "pljvm-archive.sh failed for the snapshot"
    fi
    PLJVM_JAR=$lib/pljvm.jar
}

# bench_check_loaded DB SQL: after SQL (which calls Java), the backend has mapped PLJVM_SO and
# no other pljvm.so
bench_check_loaded() {
    local maps
    maps=$("${PSQL[@]}" -d "$1" -At -c "$2" \
        -c "select l from regexp_split_to_table(pg_read_file('/proc/self/maps'), E'\\n') l where l like '%/pljvm.so'")
    if ! echo "$maps" | grep -q " $PLJVM_SO\$" || echo "$maps" | grep -v " $PLJVM_SO\$" | grep -q pljvm.so; then
        echo "$maps" >&2
        die "the backend did not load $PLJVM_SO (only)"
    fi
}

# bench_load_note: LOAD_START = the load average now; a note when it is above half the CPUs
bench_load_note() {
    LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
    if awk -v l="${LOAD_START%% *}" -v n="$(nproc)" 'BEGIN {exit !(l > n / 2)}'; then
        echo "$PGS_NAME: note: load average $LOAD_START on $(nproc) CPUs; other work will show up as noise" >&2
    fi
}

# bench_setup_head: the start of a report's "Set-up" section: heading, load average (LOAD_START
# from bench_load_note, LOAD_END), host
bench_setup_head() {
    echo "## Set-up"
    echo
    echo "- load average (1/5/15 min) at start: $LOAD_START; at end: $LOAD_END (other work on the machine shows up as noise)"
    echo "- host: $(nproc) CPUs, $(awk '/^MemTotal:/{printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM, $(uname -sr)"
}

# bench_sums FILE...: sha256 prefixes, for the report
bench_sums() { sha256sum "$@" | awk '{printf "%s ", substr($1, 1, 12)}'; }

# order RUN A B C ...: the items rotated by RUN - 1 (run 1: A B C, run 2: B C A, run 3: C A B, ...),
# so that every item takes every position equally often over a multiple of their number of runs
# (reversing on even runs, as before, left the middle one of three in the middle every time)
order() {
    local run=$1
    shift
    local n=$# k i out=()
    k=$(((run - 1) % n))
    for ((i = 0; i < n; i++)); do
        local j=$(((k + i) % n + 1))
        out+=("${!j}")
    done
    echo "${out[@]}"
}

# median of the numbers on stdin, "nan" for none
median() {
    sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# med KEY: the median of the values of KEY in RAW
med() { awk -F'\t' -v k="$1" '$1 == k {print $2}' "$RAW" | median; }

# vals KEY: all values of KEY, in run order
vals() { awk -F'\t' -v k="$1" '$1 == k {printf "%s%s", sep, $2; sep = " "} END {print ""}' "$RAW"; }

# pmed EXPR KEY_A KEY_B [KEY_C]: the median over the runs of EXPR, an awk expression in A, B, C,
# the values of the keys in the same run. Ours and the anchor of one run ran back to back, so
# these per-run ratios are robust against the load changing between runs; "met?" uses them.
pmed() {
    awk -F'\t' -v ka="$2" -v kb="$3" -v kc="${4:-}" '
        $1 == ka {a[++na] = $2} $1 == kb {b[++nb] = $2} kc != "" && $1 == kc {c[++nc] = $2}
        END {for (i = 1; i <= na && i <= nb; i++) {A = a[i]; B = b[i]; C = c[i]; print '"($1)"'}}' "$RAW" | median
}

# all_runs_table: the "| key | median | values |" rows of every key in RAW, in first-seen order
all_runs_table() {
    local k
    echo "| key | median | values |"
    echo "| --- | --- | --- |"
    for k in $(awk -F'\t' '!seen[$1]++ {print $1}' "$RAW"); do
        echo "| $k | $(med "$k") | $(vals "$k") |"
    done
}

# bench_publish REPORT FILE: adds the log check's verdict to REPORT, copies it to FILE (or, if
# that exists, FILE with -2, -3 ... before .md: docs cite earlier runs' files) and prints it
bench_publish() {
    if [ "$PGS_BAD" = 1 ]; then
        { echo; echo "**Server log had suspicious lines; see $PGS_LOG (kept).**"; } >>"$1"
    fi
    local out=$2 k=2
    mkdir -p "$(dirname "$out")"
    # a second run on the same day gets its own file: results already cited stay as they were
    while [ -e "$out" ]; do out=${2%.md}-$k.md; k=$((k + 1)); done
    cp "$1" "$out"
    echo
    cat "$1"
    echo
    say "written to $out"
}

# bench_need_daemons: what the daemon benchmarks (pgqadm-bench, push-bench) need: pgqadm.jar and
# the bench module's PgqadmLatency (built when missing), pgqd (installed when missing, as root),
# the pgq extension, java. Sets jar, pgqadm, CLASSES.
bench_need_daemons() {
    bench_need_pg15 initdb pg_ctl psql pgbench
    jar=$repo/launcher/target/pgqadm.jar
    pgqadm=$repo/launcher/bin/pgqadm
    CLASSES=$here/target/classes
    if [ ! -f "$jar" ] || [ ! -f "$CLASSES/org/pgqjava/bench/PgqadmLatency.class" ]; then
        say "building pgqadm.jar and the bench module (mvn -B -ntp -DskipTests package)"
        (cd "$repo" && mvn -B -ntp -q -DskipTests package)
    fi
    bench_need_classes "$CLASSES" org.pgqjava.bench.PgqadmLatency
    if ! command -v pgqd >/dev/null; then
        [ "$(id -u)" = 0 ] || die "pgqd is missing: apt-get install pgqd (as root)"
        say "installing Debian's pgqd"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends pgqd >/dev/null
    fi
    [ -f "$("$PGBIN/pg_config" --sharedir)/extension/pgq.control" ] || die "the pgq extension is missing: apt-get install postgresql-15-pgq3"
    command -v java >/dev/null || die "java (17+) is needed"
}

# bench_daemon_server: the throwaway server of the daemon benchmarks (settings on stdin are added
# to the common ones), database "ours" with pgq-java installed by pgqadm (pgqadm.ini written)
# and database "deb" with Debian's PgQ; the daemons are killed at exit. Sets work, sock, port,
# psql.
bench_daemon_server() {
    pgs_workdir
    work=$PGS_DIR
    PGS_SOCK=$work/sock
    # the daemons first: they hold connections to the server
    pgs_at_exit '[ -f "$work/pgqadm.ini" ] && "$pgqadm" -q "$work/pgqadm.ini" -k >/dev/null 2>&1'
    pgs_at_exit '[ -f "$work/pgqd.pid" ] && pgqd -k "$work/pgqd.ini" >/dev/null 2>&1'
    pgs_trap
    say "server in $work"
    # not a pipe: pgs_initdb sets variables in this shell
    pgs_initdb < <(
        echo "# pljvm preloaded, as docs/pljvm.md recommends: backends inherit libjvm loaded"
        echo "shared_preload_libraries = 'pljvm'"
        echo "listen_addresses = '127.0.0.1'"
        echo "max_connections = 50"
        echo "shared_buffers = 256MB"
        cat
    )
    port=$PGS_PORT
    sock=$PGS_SOCK
    pgs_start
    psql=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres)
    "${psql[@]}" -d postgres -c "CREATE DATABASE ours" -c "CREATE DATABASE deb"
    "${psql[@]}" -d deb -c "CREATE EXTENSION pgq"
    cat >"$work/pgqadm.ini" <<EOF
[pgqadm]
job_name = bench
db = dbname=ours host=$sock port=$port user=postgres
logfile = $work/pgqadm.log
pidfile = $work/pgqadm.pid
EOF
    say "pgqadm install into ours"
    "$pgqadm" -q "$work/pgqadm.ini" install
}

# cpu_ticks PID: user + system CPU of the process so far, in clock ticks (getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
