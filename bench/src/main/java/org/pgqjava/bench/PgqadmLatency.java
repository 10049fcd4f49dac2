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
 * The latency client of {@code bench/pgqadm-bench.sh}: the time from the commit of
 * {@code pgq.insert_event} to the event being read in a batch, with a ticker daemon (pgqadm or
 * pgqd) making the ticks. A producer inserts EVENTS events at RATE per second, one per
 * (autocommit) transaction; a consumer polls {@code pgq.next_batch} every 10 ms.
 *
 * <pre>
 * java org.pgqjava.bench.PgqadmLatency URL EVENTS RATE
 * </pre>
 *
 * Prints one line {@code median_ms p99_ms received missing}; events not read within
 * EVENTS / RATE + 120 s count as missing. Needs the PostgreSQL JDBC driver on the class path.
 */
public final class PgqadmLatency {
    private static final String QUEUE = "lat";
    private static final String CONSUMER = "bench";
    /** After the last event is due: how long the consumer keeps looking for the rest. */
    private static final double GRACE_SECS = 120;

    private PgqadmLatency() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: PgqadmLatency URL EVENTS RATE");
            System.exit(2);
        }
        String url = args[0];
        int events = Integer.parseInt(args[1]);
        double rate = Double.parseDouble(args[2]);
        Map<Long, Long> sent = new ConcurrentHashMap<>();
        Map<Long, Long> got = new ConcurrentHashMap<>();
        try (Connection c = DriverManager.getConnection(url)) {
            call(c, "select pgq.unregister_consumer(?, ?)");
            call(c, "select pgq.register_consumer(?, ?)");
        }
        long deadline = System.nanoTime() + (long) ((events / rate + GRACE_SECS) * 1e9);
        Thread consumer = new Thread(() -> consume(url, events, deadline, got), "consumer");
        consumer.start();
        produce(url, events, rate, sent);
        consumer.join();
        double[] ms = sent.entrySet().stream().filter(e -> got.containsKey(e.getKey()))
                .mapToDouble(e -> (got.get(e.getKey()) - e.getValue()) / 1e6).sorted().toArray();
        if (ms.length == 0) {
            System.out.println("NaN NaN 0 " + events);
            return;
        }
        System.out.printf(Locale.ROOT, "%.1f %.1f %d %d%n", ms[ms.length / 2],
                ms[(int) Math.ceil(ms.length * 0.99) - 1], ms.length, events - ms.length);
    }

    private static void call(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, QUEUE);
            ps.setString(2, CONSUMER);
            ps.executeQuery().close();
        }
    }

    /** Inserts the events on schedule; notes when each insert (its commit) returned. */
    private static void produce(String url, int events, double rate, Map<Long, Long> sent)
            throws SQLException, InterruptedException {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement ins = c.prepareStatement("select pgq.insert_event(?, 'lat', ?)")) {
            ins.setString(1, QUEUE);
            long start = System.nanoTime();
            for (int i = 0; i < events; i++) {
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

    /** Reads and finishes batches until every event is seen or the deadline passed. */
    private static void consume(String url, int events, long deadline, Map<Long, Long> got) {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement next = c.prepareStatement("select pgq.next_batch(?, ?)");
                PreparedStatement evs = c.prepareStatement("select ev_id from pgq.get_batch_events(?)");
                PreparedStatement fin = c.prepareStatement("select pgq.finish_batch(?)")) {
            next.setString(1, QUEUE);
            next.setString(2, CONSUMER);
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
                    Thread.sleep(10); // the consumer's poll interval: part of what is measured
                    continue;
                }
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
    }
}
