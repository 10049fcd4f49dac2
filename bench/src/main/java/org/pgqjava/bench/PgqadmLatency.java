package org.pgqjava.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latency client of {@code bench/pgqadm-bench.sh} and {@code bench/push-bench.sh}: the time
 * from the commit of {@code pgq.insert_event} to the event being read in a batch, with a ticker
 * daemon (pgqadm or pgqd) making the ticks. PRODUCERS producers (default 1) insert EVENTS events
 * at RATE per second together, one per (autocommit) transaction; a consumer polls
 * {@code pgq.next_batch} every 10 ms, or with {@code listen} LISTENs on the queue's tick channel
 * (push delivery, docs/push.md) and calls next_batch when woken or after 100 ms.
 *
 * <pre>
 * java org.pgqjava.bench.PgqadmLatency URL EVENTS RATE [QUEUE [poll|listen [PRODUCERS]]]
 * </pre>
 *
 * Prints one line {@code median_ms p99_ms received missing batches}; events not read within
 * EVENTS / RATE + 120 s count as missing. Needs the PostgreSQL JDBC driver on the class path.
 */
public final class PgqadmLatency {
    private static String queue = "lat";
    private static final String CONSUMER = "bench";
    /** After the last event is due: how long the consumer keeps looking for the rest. */
    private static final double GRACE_SECS = 120;

    private PgqadmLatency() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 6) {
            System.err.println("usage: PgqadmLatency URL EVENTS RATE [QUEUE [poll|listen [PRODUCERS]]]");
            System.exit(2);
        }
        String url = args[0];
        int events = Integer.parseInt(args[1]);
        double rate = Double.parseDouble(args[2]);
        queue = args.length > 3 ? args[3] : queue;
        boolean listen = args.length > 4 && args[4].equals("listen");
        int producers = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        Map<Long, Long> sent = new ConcurrentHashMap<>();
        Map<Long, Long> got = new ConcurrentHashMap<>();
        try (Connection c = DriverManager.getConnection(url)) {
            call(c, "select pgq.unregister_consumer(?, ?)");
            call(c, "select pgq.register_consumer(?, ?)");
        }
        long deadline = System.nanoTime() + (long) ((events / rate + GRACE_SECS) * 1e9);
        long[] batches = {0};
        Thread consumer = new Thread(() -> batches[0] = consume(url, events, deadline, got, listen), "consumer");
        consumer.start();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            int first = p;
            threads.add(new Thread(() -> {
                try {
                    produce(url, first, producers, events, rate, start, sent);
                } catch (Exception e) {
                    failed.add(e);
                }
            }, "producer-" + p));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("a producer failed", failed.get(0));
        }
        consumer.join();
        double[] ms = sent.entrySet().stream().filter(e -> got.containsKey(e.getKey()))
                .mapToDouble(e -> (got.get(e.getKey()) - e.getValue()) / 1e6).sorted().toArray();
        if (ms.length == 0) {
            System.out.println("NaN NaN 0 " + events + " " + batches[0]);
            return;
        }
        System.out.printf(Locale.ROOT, "%.1f %.1f %d %d %d%n", ms[ms.length / 2],
                ms[(int) Math.ceil(ms.length * 0.99) - 1], ms.length, events - ms.length, batches[0]);
    }

    private static void call(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, queue);
            ps.setString(2, CONSUMER);
            ps.executeQuery().close();
        }
    }

    /**
     * Inserts events first, first + step, ... of the schedule (RATE per second from start); notes
     * when each insert (its commit) returned.
     */
    private static void produce(String url, int first, int step, int events, double rate, long start,
            Map<Long, Long> sent) throws SQLException, InterruptedException {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement ins = c.prepareStatement("select pgq.insert_event(?, 'lat', ?)")) {
            ins.setString(1, queue);
            for (int i = first; i < events; i += step) {
                long due = start + (long) (i * 1e9 / rate);
                while (System.nanoTime() < due) {
                    Thread.sleep(1); // pacing to the rate, not waiting for a condition
                }
                ins.setString(2, Integer.toString(i));
                try (ResultSet rs = ins.executeQuery()) {
                    rs.next();
                    sent.put(rs.getLong(1), System.nanoTime());
                }
            }
        }
    }

    /** Reads and finishes batches until every event is seen or the deadline passed; returns the batches. */
    private static long consume(String url, int events, long deadline, Map<Long, Long> got, boolean listen) {
        long batches = 0;
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement next = c.prepareStatement("select pgq.next_batch(?, ?)");
                PreparedStatement evs = c.prepareStatement("select ev_id from pgq.get_batch_events(?)");
                PreparedStatement fin = c.prepareStatement("select pgq.finish_batch(?)")) {
            next.setString(1, queue);
            next.setString(2, CONSUMER);
            org.postgresql.PGConnection pg = c.unwrap(org.postgresql.PGConnection.class);
            if (listen) {
                try (PreparedStatement ch = c.prepareStatement("select pgq_java.tick_channel(?)")) {
                    ch.setString(1, queue);
                    try (ResultSet rs = ch.executeQuery()) {
                        rs.next();
                        try (java.sql.Statement l = c.createStatement()) {
                            l.execute("listen \"" + rs.getString(1).replace("\"", "\"\"") + "\"");
                        }
                    }
                }
            }
            while (got.size() < events && System.nanoTime() < deadline) {
                long batch;
                try (ResultSet rs = next.executeQuery()) {
                    rs.next();
                    batch = rs.getLong(1);
                    if (rs.wasNull()) {
                        batch = -1;
                    }
                }
                if (batch < 0) {
                    if (listen) {
                        pg.getNotifications(100); // woken by the tick's announcement
                    } else {
                        Thread.sleep(10); // the consumer's poll interval: part of what is measured
                    }
                    continue;
                }
                batches++;
                evs.setLong(1, batch);
                List<Long> ids = new ArrayList<>();
                try (ResultSet e = evs.executeQuery()) {
                    while (e.next()) {
                        ids.add(e.getLong(1));
                    }
                }
                long t = System.nanoTime();
                for (long id : ids) {
                    got.putIfAbsent(id, t);
                }
                fin.setLong(1, batch);
                fin.executeQuery().close();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("consumer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return batches;
    }
}
