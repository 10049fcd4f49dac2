package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.pgq.PgqTemplate;

/**
 * Producer → pgqadm ticker → consumer: producers insert events in transactions of one to five
 * events while the daemon ticks and maintains; a consumer reads batches until it has seen every
 * event exactly once, and every event it put into retry once more (moved back by the daemon's
 * maintenance, marked ev_retry = 1).
 */
@PgTest(setup = PgqTemplate.class)
class EndToEndIT {

    private static final int PRODUCERS = 3;
    private static final int EVENTS_PER_PRODUCER = 400;

    @TempDir
    Path dir;

    @Test
    void everyEventArrivesOnceAndRetriesComeBack(PgDatabase db, Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("select pgq.create_queue('e2e')");
            s.execute("select pgq.set_queue_config('e2e', 'ticker_max_lag', '0.2')");
            s.execute("select pgq.set_queue_config('e2e', 'ticker_max_count', '100')");
            s.execute("select pgq.register_consumer('e2e', 'reader')");
        }
        Path pidfile = dir.resolve("e2e.pid");
        Path conf = Pgqadm.config(dir, "e2e.ini", Pgqadm.dbLine(db), "loop_delay = 0.1", "maint_delay = 0.5",
                "pidfile = " + pidfile, "logfile = " + dir.resolve("e2e.log"));
        Process ticker = Pgqadm.start(dir.resolve("console.txt"), conf.toString(), "ticker");
        ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS);
        try {
            List<Future<Integer>> producers = new java.util.ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int producer = p;
                producers.add(pool.submit(() -> produce(db, producer)));
            }
            int total = PRODUCERS * EVENTS_PER_PRODUCER;
            Map<String, Integer> seen = new HashMap<>();
            Set<String> retriedBack = new HashSet<>();
            Set<String> putInRetry = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            try (Connection consumer = db.connect()) {
                while (seen.size() < total || !retriedBack.equals(putInRetry)) {
                    if (System.nanoTime() > deadline) {
                        fail("consumer saw " + seen.size() + " of " + total + " events, " + retriedBack.size() + " of "
                                + putInRetry.size() + " retries; daemon log:\n" + Pgqadm.read(dir.resolve("e2e.log")));
                    }
                    if (!consumeBatch(consumer, seen, putInRetry, retriedBack)) {
                        Thread.sleep(20);
                    }
                }
            }
            for (Future<Integer> f : producers) {
                assertEquals(EVENTS_PER_PRODUCER, f.get());
            }
            assertEquals(total, seen.size());
            assertTrue(seen.values().stream().allMatch(n -> n == 1), "no event twice");
            assertEquals(putInRetry, retriedBack);
            assertTrue(putInRetry.size() >= total / 10, "retried " + putInRetry.size());
            assertTrue(Pgqadm.read(dir.resolve("e2e.log")).contains("events for retry"));
        } finally {
            pool.shutdownNow();
            Pgqadm.run(conf.toString(), "-s");
            if (!ticker.waitFor(60, TimeUnit.SECONDS)) {
                Pgqadm.killQuietly(ticker);
                fail("ticker did not stop on SIGINT");
            }
        }
        assertEquals(0, ticker.exitValue());
    }

    /** Inserts this producer's events, 1 to 5 per transaction; returns how many. */
    private static int produce(PgDatabase db, int producer) throws SQLException {
        int n = 0;
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("select pgq.insert_event('e2e', 'ev', ?)")) {
            c.setAutoCommit(false);
            while (n < EVENTS_PER_PRODUCER) {
                int inTx = Math.min(1 + (n % 5), EVENTS_PER_PRODUCER - n);
                for (int i = 0; i < inTx; i++) {
                    ps.setString(1, producer + ":" + (n++));
                    ps.executeQuery().close();
                }
                c.commit();
            }
        }
        return n;
    }

    /** One batch, if there is one: first-time events counted, every tenth put into retry. */
    private static boolean consumeBatch(Connection c, Map<String, Integer> seen, Set<String> putInRetry, Set<String> retriedBack)
            throws SQLException {
        long batch;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pgq.next_batch('e2e', 'reader')")) {
            rs.next();
            batch = rs.getLong(1);
            if (rs.wasNull()) {
                return false;
            }
        }
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("select ev_id, ev_data, ev_retry from pgq.get_batch_events(?)");
             PreparedStatement retry = c.prepareStatement("select pgq.event_retry(?, ?, 0)")) {
            ps.setLong(1, batch);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String data = rs.getString(2);
                    rs.getInt(3);
                    if (!rs.wasNull()) {
                        retriedBack.add(data);
                        continue;
                    }
                    seen.merge(data, 1, Integer::sum);
                    if (Integer.parseInt(data.substring(data.indexOf(':') + 1)) % 10 == 0) {
                        retry.setLong(1, batch);
                        retry.setLong(2, rs.getLong(1));
                        retry.executeQuery().close();
                        putInRetry.add(data);
                    }
                }
            }
            try (PreparedStatement fin = c.prepareStatement("select pgq.finish_batch(?)")) {
                fin.setLong(1, batch);
                fin.executeQuery().close();
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        return true;
    }
}
