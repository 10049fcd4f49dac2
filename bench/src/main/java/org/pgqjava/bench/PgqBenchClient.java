package org.pgqjava.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * The JDBC side of bench/pgq-bench.sh: queue-and-consume and ticker timings against one database
 * (ours or Debian's PgQ; both have the same SQL API, so the same code runs against either).
 * Prints "key<TAB>value" lines for the script's raw file; anything else goes to stderr.
 *
 * <pre>
 * java org.pgqjava.bench.PgqBenchClient consume LABEL URL N CHUNK FILL   (FILL = direct | insert_event)
 * java org.pgqjava.bench.PgqBenchClient ticker  LABEL URL PENDING REPS IDLE_CALLS DAEMON_CALLS QUEUES
 * java org.pgqjava.bench.PgqBenchClient burst   LABEL URL CLIENTS TIMEOUT_S
 * </pre>
 *
 * No dependencies but the PostgreSQL JDBC driver, which the script puts on the class path.
 * Numbers are printed with {@link Locale#ROOT} (a decimal point, no grouping): the script's awk
 * reads them.
 */
public final class PgqBenchClient {
    private static final String QC = "qc";      // queue of the consume measurement
    private static final String QT = "qt";      // queue of the ticker measurement
    private static final String CONSUMER = "c";
    private static int backendPid;

    private PgqBenchClient() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            usage();
        }
        switch (args[0]) {
            case "consume":
                if (args.length != 6) {
                    usage();
                }
                consume(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), args[5]);
                break;
            case "ticker":
                if (args.length != 8) {
                    usage();
                }
                ticker(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                        Integer.parseInt(args[6]), Integer.parseInt(args[7]));
                break;
            case "burst":
                if (args.length != 5) {
                    usage();
                }
                burst(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                break;
            default:
                usage();
        }
    }

    private static void usage() {
        System.err.println("usage: PgqBenchClient consume LABEL URL N CHUNK direct|insert_event"
                + " | ticker LABEL URL PENDING REPS IDLE_CALLS DAEMON_CALLS QUEUES | burst LABEL URL CLIENTS TIMEOUT_S");
        System.exit(2);
    }

    private static void out(String key, Object value) {
        System.out.println(key + "\t" + value);
    }

    /** {@code value} with one decimal, as the raw file wants it whatever the locale. */
    private static String dec1(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String payload() {
        StringBuilder b = new StringBuilder("payload-");
        while (b.length() < 100) {
            b.append((char) ('a' + b.length() % 26));
        }
        return b.toString();
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Column 1 of the first row of {@code sql}, {@code ?} bound to {@code args}; null if there is none. */
    private static Object scalar(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1) : null;
            }
        }
    }

    /** The current event table of {@code queue}, quoted for SQL (pgq.quote_fqname is in both PgQs). */
    private static String currentEventTable(Connection c, String queue) throws SQLException {
        return (String) scalar(c, "select pgq.quote_fqname(pgq.current_event_table(?))", queue);
    }

    /**
     * CPU time the connection's backend process has used so far, in ns (first field of
     * /proc/PID/schedstat; the server runs on this host). Unlike wall time it does not grow
     * while the backend waits for a CPU that other work holds. -1 if it cannot be read.
     */
    static long backendCpuNs(Connection c) throws SQLException {
        if (backendPid == 0) {
            // one connection per process: its backend's pid, asked once (not inside a timed interval)
            backendPid = ((Number) scalar(c, "select pg_backend_pid()")).intValue();
        }
        int pid = backendPid;
        try {
            return Long.parseLong(Files.readString(Path.of("/proc/" + pid + "/schedstat")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** TRUNCATE of all child tables of a queue (the events are consumed, or nobody reads them). */
    static void truncateQueue(Connection c, String queue) throws SQLException {
        String tables = (String) scalar(c, "select string_agg(pgq.quote_fqname(queue_data_pfx || '_' || i), ', ')"
                + " from pgq.queue, generate_series(0, queue_ntables - 1) i where queue_name = ?", queue);
        exec(c, "truncate " + tables);
    }

    /** Drains the consumer (batches from idle ticks) and warms up the code paths; returns events seen. */
    static long drain(Connection c) throws SQLException {
        long[] t = new long[4];
        long[] n = consumeAll(c, t);
        return n[1];
    }

    /**
     * next_batch, get_batch_events (every row fetched to the client, every column read),
     * finish_batch, commit, until next_batch gives NULL. t[] accumulates ns per step:
     * 0 next_batch, 1 get_batch_events, 2 finish_batch, 3 commit. Returns {batches, events, bytes}.
     */
    static long[] consumeAll(Connection c, long[] t) throws SQLException {
        c.setAutoCommit(false);
        long batches = 0;
        long events = 0;
        long bytes = 0;
        try (PreparedStatement nb = c.prepareStatement("select pgq.next_batch(?, ?)");
                PreparedStatement ev = c.prepareStatement("select * from pgq.get_batch_events(?)");
                PreparedStatement fin = c.prepareStatement("select pgq.finish_batch(?)")) {
            nb.setString(1, QC);
            nb.setString(2, CONSUMER);
            while (true) {
                long t0 = System.nanoTime();
                long batchId;
                try (ResultSet rs = nb.executeQuery()) {
                    rs.next();
                    batchId = rs.getLong(1);
                    if (rs.wasNull()) {
                        batchId = -1;
                    }
                }
                long t1 = System.nanoTime();
                t[0] += t1 - t0;
                if (batchId < 0) {
                    c.commit();
                    break;
                }
                ev.setLong(1, batchId);
                try (ResultSet rs = ev.executeQuery()) {
                    while (rs.next()) {
                        events++;
                        bytes += rs.getLong(1) & 1;
                        rs.getTimestamp(2);
                        bytes += rs.getLong(3) & 1;
                        rs.getInt(4);
                        for (int i = 5; i <= 10; i++) {
                            String s = rs.getString(i);
                            bytes += s == null ? 0 : s.length();
                        }
                    }
                }
                long t2 = System.nanoTime();
                t[1] += t2 - t1;
                fin.setLong(1, batchId);
                try (ResultSet rs = fin.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) != 1) {
                        throw new IllegalStateException("finish_batch(" + batchId + ") returned " + rs.getInt(1));
                    }
                }
                long t3 = System.nanoTime();
                t[2] += t3 - t2;
                c.commit();
                t[3] += System.nanoTime() - t3;
                batches++;
            }
        } finally {
            c.setAutoCommit(true);
        }
        return new long[] {batches, events, bytes};
    }

    static void consume(String label, String url, int n, int chunk, String fill) throws SQLException {
        if (n % chunk != 0) {
            throw new IllegalArgumentException("N must be a multiple of CHUNK");
        }
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(true);
            backendCpuNs(c);
            // warm-up: backend, (our) JVM, classes, plans; drains batches of idle ticks
            exec(c, "select pgq.ticker()");
            long stale = drain(c);
            if (stale != 0) {
                throw new IllegalStateException(label + ": " + stale + " events were left in queue " + QC);
            }
            truncateQueue(c, QC);
            exec(c, "checkpoint");

            // queue N events, a tick after every CHUNK of them
            String p = payload();
            String table = currentEventTable(c, QC);
            boolean direct = fill.equals("direct");
            if (!direct && !fill.equals("insert_event")) {
                throw new IllegalArgumentException("FILL must be direct or insert_event");
            }
            String insert = direct
                    ? "insert into " + table + " (ev_time, ev_type, ev_data) select now(), 'type', ? from generate_series(1, ?)"
                    : "select count(pgq.insert_event(?, 'type', ?)) from generate_series(1, ?)";
            long ticks = 0;
            long tickNs = 0;
            long[] tickEach = new long[n / chunk];
            long fcpu0 = backendCpuNs(c);
            long f0 = System.nanoTime();
            try (PreparedStatement ins = c.prepareStatement(insert);
                    PreparedStatement tick = c.prepareStatement("select pgq.ticker()")) {
                int arg = 1;
                if (!direct) {
                    ins.setString(arg++, QC);
                }
                ins.setString(arg++, p);
                ins.setInt(arg, chunk);
                for (int k = 0; k < n / chunk; k++) {
                    ins.execute();
                    long a = System.nanoTime();
                    try (ResultSet rs = tick.executeQuery()) {
                        rs.next();
                        ticks += rs.getLong(1);
                    }
                    tickEach[k] = System.nanoTime() - a;
                    tickNs += tickEach[k];
                }
            }
            long fillNs = System.nanoTime() - f0;
            long fcpu1 = backendCpuNs(c);
            if (ticks < n / chunk) {
                throw new IllegalStateException(label + ": only " + ticks + " ticks for " + n / chunk + " chunks");
            }
            exec(c, "checkpoint");

            // consume them
            long[] t = new long[4];
            long cpu0 = backendCpuNs(c);
            long c0 = System.nanoTime();
            long[] r = consumeAll(c, t);
            long consNs = System.nanoTime() - c0;
            long cpu1 = backendCpuNs(c);
            if (r[1] != n) {
                throw new IllegalStateException(label + ": consumed " + r[1] + " events, queued " + n);
            }
            truncateQueue(c, QC);

            Arrays.sort(tickEach);
            out("fill_" + label + "_ms", dec1(fillNs / 1e6));
            if (fcpu0 >= 0 && fcpu1 >= 0) {
                out("fillcpu_" + label + "_ms", dec1((fcpu1 - fcpu0) / 1e6));
            }
            out("filltick_" + label + "_us", dec1(tickNs / 1e3 / (n / chunk)));
            out("filltickmed_" + label + "_us", dec1(tickEach[tickEach.length / 2] / 1e3));
            out("cons_" + label + "_ms", dec1(consNs / 1e6));
            out("cons_" + label + "_evps", String.format(Locale.ROOT, "%.0f", n / (consNs / 1e9)));
            out("cons_" + label + "_batches", r[0]);
            out("cons_" + label + "_nb_us", dec1(t[0] / 1e3 / r[0]));
            out("cons_" + label + "_gbe_us", dec1(t[1] / 1e3 / r[0]));
            out("cons_" + label + "_fin_us", dec1(t[2] / 1e3 / r[0]));
            out("cons_" + label + "_commit_us", dec1(t[3] / 1e3 / r[0]));
            if (cpu0 >= 0 && cpu1 >= 0) {
                out("conscpu_" + label + "_ms", dec1((cpu1 - cpu0) / 1e6));
            }
        }
    }

    /**
     * ticker() timings on one connection, in the order a daemon's connection lives them: with
     * PENDING events on qt after 10 calls (a fresh backend: our Java still interpreted), again
     * once the connection has made DAEMON_CALLS calls (pgqadm's after that many loop_delays),
     * then IDLE_CALLS idle calls; then with QUEUES queues (extra ones created here and dropped
     * at the end): REPS calls that tick every queue (force_tick on each first), and IDLE_CALLS
     * idle ones.
     */
    static void ticker(String label, String url, int pending, int reps, int idleCalls, int daemonCalls, int queues)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement tick = c.prepareStatement("select pgq.ticker()")) {
            c.setAutoCommit(true);
            backendCpuNs(c);
            // the checkpoint before the warm-up, not before the timed calls: the first change of a
            // page after a checkpoint logs the whole page, and what that costs depends on how full
            // the pages of pgq.tick, its index and pgq.queue happen to be, not on the ticker (a
            // daemon ticking every second meets a checkpoint once in hundreds of ticks)
            exec(c, "checkpoint");
            // warm-up, and every queue ticked: the timed calls below then only have qt's events to tick
            int calls = 0;
            for (; calls < 10; calls++) {
                exec(c, "select pgq.ticker()");
            }
            long[][] fresh = tickPending(c, tick, label, pending, reps);
            calls += reps;
            for (; calls < daemonCalls; calls++) {
                exec(c, "select pgq.ticker()");
            }
            long[][] daemon = tickPending(c, tick, label, pending, reps);
            long[] idle = tickIdle(c, tick, idleCalls);
            truncateQueue(c, QT);
            out("tickpendfresh_" + label + "_us", dec1(fresh[0][reps / 2] / 1e3));
            out("tickpend_" + label + "_us", dec1(daemon[0][reps / 2] / 1e3));
            if (daemon[1][0] >= 0) {
                out("tickpendfreshcpu_" + label + "_us", dec1(fresh[1][reps / 2] / 1e3));
                out("tickpendcpu_" + label + "_us", dec1(daemon[1][reps / 2] / 1e3));
            }
            idleOut("tickidle_" + label, idle);

            // many queues: the bench's 3 and QUEUES - 3 more
            int extra = Math.max(0, queues - 3);
            for (int k = 1; k <= extra; k++) {
                scalar(c, "select pgq.create_queue(?)", manyQueue(k));
            }
            long queueCount = ((Number) scalar(c, "select count(*) from pgq.queue")).longValue();
            for (int k = 0; k < 10; k++) {
                exec(c, "select pgq.ticker()");
            }
            long[] many = new long[reps];
            long[] manyCpu = new long[reps];
            for (int r = 0; r < reps; r++) {
                exec(c, "select pgq.force_tick(queue_name) from pgq.queue");
                long ticked = timedTick(c, tick, many, manyCpu, r);
                if (ticked != queueCount) {
                    throw new IllegalStateException(label + ": ticker() after force_tick of " + queueCount
                            + " queues ticked " + ticked);
                }
            }
            long[] manyIdle = tickIdle(c, tick, idleCalls);
            for (int k = 1; k <= extra; k++) {
                scalar(c, "select pgq.drop_queue(?)", manyQueue(k));
            }
            Arrays.sort(many);
            Arrays.sort(manyCpu);
            out("tickmany_" + label + "_queues", queueCount);
            out("tickmany_" + label + "_us", dec1(many[reps / 2] / 1e3));
            if (manyCpu[0] >= 0) {
                out("tickmanycpu_" + label + "_us", dec1(manyCpu[reps / 2] / 1e3));
            }
            idleOut("tickmanyidle_" + label, manyIdle);
        }
    }

    /**
     * CLIENTS connections opened at the same moment (one thread each, a login timeout of
     * TIMEOUT_S), each making one insert_event and staying connected until all are done: how
     * many failed, connect time (to a usable session) and connect + insert time percentiles, and
     * the median private memory of the serving backends once all have inserted
     * (Private_Clean + Private_Dirty of /proc/PID/smaps_rollup; the server runs on this host).
     */
    static void burst(String label, String url, int clients, int timeoutS) throws InterruptedException {
        String u = url + "&loginTimeout=" + timeoutS + "&connectTimeout=" + timeoutS;
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch inserted = new CountDownLatch(clients);
        CountDownLatch release = new CountDownLatch(1);
        long[] connect = new long[clients];
        long[] total = new long[clients];
        int[] pids = new int[clients];
        String[] errors = new String[clients];
        Thread[] threads = new Thread[clients];
        for (int i = 0; i < clients; i++) {
            int k = i;
            threads[i] = new Thread(() -> {
                try {
                    go.await();
                    long a = System.nanoTime();
                    try (Connection c = DriverManager.getConnection(u)) {
                        connect[k] = System.nanoTime() - a;
                        pids[k] = ((Number) scalar(c, "select pg_backend_pid()")).intValue();
                        scalar(c, "select pgq.insert_event('q', 'burst', ?)", "client " + k);
                        total[k] = System.nanoTime() - a;
                        inserted.countDown();
                        release.await();
                    }
                } catch (SQLException | InterruptedException | RuntimeException e) {
                    errors[k] = e.toString();
                    inserted.countDown();
                }
            });
            threads[i].start();
        }
        go.countDown();
        inserted.await();
        long[] privKb = new long[clients];
        int measured = 0;
        for (int i = 0; i < clients; i++) {
            if (errors[i] == null) {
                privKb[measured++] = privateKb(pids[i]);
            }
        }
        release.countDown();
        for (Thread t : threads) {
            t.join();
        }
        int failed = 0;
        for (String e : errors) {
            if (e != null) {
                if (failed++ == 0) {
                    System.err.println(label + ": a client failed: " + e);
                }
            }
        }
        long[] conn = new long[clients - failed];
        long[] tot = new long[clients - failed];
        for (int i = 0, j = 0; i < clients; i++) {
            if (errors[i] == null) {
                conn[j] = connect[i];
                tot[j++] = total[i];
            }
        }
        Arrays.sort(conn);
        Arrays.sort(tot);
        long[] priv = Arrays.copyOf(privKb, measured);
        Arrays.sort(priv);
        out("burst_" + label + "_failed", failed);
        if (conn.length > 0) {
            out("burst_" + label + "_conn_p50_ms", dec1(conn[conn.length / 2] / 1e6));
            out("burst_" + label + "_conn_p99_ms", dec1(p99(conn) / 1e6));
            out("burst_" + label + "_total_p50_ms", dec1(tot[tot.length / 2] / 1e6));
            out("burst_" + label + "_total_p99_ms", dec1(p99(tot) / 1e6));
            out("burst_" + label + "_total_max_ms", dec1(tot[tot.length - 1] / 1e6));
        }
        if (priv.length > 0 && priv[0] >= 0) {
            out("burst_" + label + "_priv_mb", dec1(priv[priv.length / 2] / 1024.0));
        }
    }

    /** The 99th percentile (nearest rank) of sorted, non-empty values. */
    private static long p99(long[] sorted) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
    }

    /** Private_Clean + Private_Dirty of a process in kB, or -1 if it cannot be read. */
    private static long privateKb(int pid) {
        try {
            long kb = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
                if (line.startsWith("Private_Clean:") || line.startsWith("Private_Dirty:")) {
                    kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return kb;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String manyQueue(int k) {
        return String.format(Locale.ROOT, "qmany%03d", k);
    }

    /**
     * REPS timed ticker() calls, each with PENDING events on qt since its last tick (inserted
     * directly, no checkpoint since: see ticker), each checked to tick qt: {sorted wall ns, sorted backend CPU ns (-1 when unknown)}.
     */
    private static long[][] tickPending(Connection c, PreparedStatement tick, String label, int pending, int reps)
            throws SQLException {
        long[] pend = new long[reps];
        long[] pendCpu = new long[reps];
        String lastTick = "select max(tick_id) from pgq.tick, pgq.queue where tick_queue = queue_id"
                + " and queue_name = ?";
        for (int r = 0; r < reps; r++) {
            truncateQueue(c, QT);
            // PENDING events since qt's last tick (direct inserts draw the queue's sequence,
            // which is what the ticker looks at)
            String table = currentEventTable(c, QT);
            try (PreparedStatement ins = c.prepareStatement("insert into " + table
                    + " (ev_time, ev_type, ev_data) select now(), 'type', ? from generate_series(1, ?)")) {
                ins.setString(1, payload());
                ins.setInt(2, pending);
                ins.execute();
            }
            long before = ((Number) scalar(c, lastTick, QT)).longValue();
            long ticked = timedTick(c, tick, pend, pendCpu, r);
            long after = ((Number) scalar(c, lastTick, QT)).longValue();
            if (ticked < 1 || after != before + 1) {
                throw new IllegalStateException(label + ": ticker() with " + pending + " pending events did not"
                        + " tick " + QT + " (returned " + ticked + ", tick " + before + " -> " + after + ")");
            }
        }
        Arrays.sort(pend);
        Arrays.sort(pendCpu);
        return new long[][] {pend, pendCpu};
    }

    /**
     * One timed ticker() call: its wall time and its backend's CPU time (-1 when unknown), in ns,
     * into wall[r] and cpu[r]; returns what it returned (the queues it ticked).
     */
    private static long timedTick(Connection c, PreparedStatement tick, long[] wall, long[] cpu, int r)
            throws SQLException {
        long pc0 = backendCpuNs(c);
        long a = System.nanoTime();
        long ticked;
        try (ResultSet rs = tick.executeQuery()) {
            rs.next();
            ticked = rs.getLong(1);
        }
        wall[r] = System.nanoTime() - a;
        long pc1 = backendCpuNs(c);
        cpu[r] = pc0 >= 0 && pc1 >= 0 ? pc1 - pc0 : -1;
        return ticked;
    }

    /**
     * CALLS timed idle ticker() calls (nothing new anywhere; each decides, and rarely adds an
     * idle tick): {the calls' wall ns sorted, then ticks made, backend CPU ns of all (-1 when unknown)}.
     */
    private static long[] tickIdle(Connection c, PreparedStatement tick, int calls) throws SQLException {
        long[] each = new long[calls + 2];
        long ticks = 0;
        long cpu0 = backendCpuNs(c);
        for (int k = 0; k < calls; k++) {
            long b = System.nanoTime();
            try (ResultSet rs = tick.executeQuery()) {
                rs.next();
                ticks += rs.getLong(1);
            }
            each[k] = System.nanoTime() - b;
        }
        long cpu1 = backendCpuNs(c);
        Arrays.sort(each, 0, calls);
        each[calls] = ticks;
        each[calls + 1] = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
        return each;
    }

    /** The keys of {@link #tickIdle}'s result: prefix_us (median), _mean_us, _ticks, cpu per call. */
    private static void idleOut(String prefix, long[] each) {
        int calls = each.length - 2;
        long sum = 0;
        for (int k = 0; k < calls; k++) {
            sum += each[k];
        }
        out(prefix + "_us", dec1(each[calls / 2] / 1e3));
        out(prefix.replace("idle_", "idlemean_") + "_us", dec1(sum / 1e3 / calls));
        out(prefix + "_ticks", each[calls]);
        if (each[calls + 1] >= 0) {
            out(prefix.replace("idle_", "idlecpu_") + "_us", dec1(each[calls + 1] / 1e3 / calls));
        }
    }
}
