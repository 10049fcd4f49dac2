package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.pgq.PgqOps.Event;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.util.PSQLException;
import org.pgqjava.testsupport.Sql;
import org.pgqjava.testsupport.Await;

/**
 * The batch invariant under concurrency (reference §3.3, §3.6): producers in READ COMMITTED,
 * REPEATABLE READ and SERIALIZABLE (retrying serialization failures) insert uniquely named
 * events in transactions of 1..20 events, some rolled back on purpose; a ticker thread calls
 * pgq.ticker(); a maintenance thread rotates (step1 and step2 in separate transactions,
 * rotation_period 0); two consumers read batch after batch. Afterwards every committed event
 * reached every consumer exactly once, over consecutive batches, and no rolled-back one did.
 * Run time: system property {@code pgq.invariants.seconds} (default 40). The same again with push
 * delivery on (docs/push.md), for half that time: the ordinary rules would tick only every 500
 * events, and the ticker thread calls pgq_java.push_ticker() when a producer's commit notifies
 * it, so ticks come every few milliseconds, decided by the push rule.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 600, threadMode = ThreadMode.SEPARATE_THREAD)
class ConcurrentInvariantsIT {
    private static final List<String> CONSUMERS = List.of("c1", "c2");
    private static final Duration RUN = Duration.ofSeconds(Long.getLong("pgq.invariants.seconds", 40));
    private static final Duration CATCH_UP = Duration.ofMinutes(4);
    private static final int[] ISOLATIONS = {Connection.TRANSACTION_READ_COMMITTED,
        Connection.TRANSACTION_REPEATABLE_READ, Connection.TRANSACTION_SERIALIZABLE};

    private final AtomicBoolean stopProducers = new AtomicBoolean();
    private final AtomicBoolean stopTicker = new AtomicBoolean();
    private final AtomicBoolean stopRest = new AtomicBoolean();
    private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> committed = ConcurrentHashMap.newKeySet();
    private final Set<String> rolledBack = ConcurrentHashMap.newKeySet();
    private final Map<String, List<PgqOps.Batch>> batches = new ConcurrentHashMap<>();
    private final AtomicInteger rotations = new AtomicInteger();
    private final AtomicLong ticks = new AtomicLong();
    private final Map<Integer, AtomicInteger> serializationFailures = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> commits = new ConcurrentHashMap<>();

    private static Connection open(PgDatabase db) throws SQLException {
        Connection c = db.connect();
        Sql.exec(c, "set statement_timeout = '120s'");
        return c;
    }

    /** Runs {@code body} until it returns false or fails (recorded). */
    private Runnable loop(String name, PgDatabase db, SqlLoop body) {
        return () -> {
            try (Connection c = open(db)) {
                while (body.step(c)) {
                    // next
                }
            } catch (Throwable t) {
                failures.add(new AssertionError(name + " failed", t));
            }
        };
    }

    @FunctionalInterface
    interface SqlLoop {
        boolean step(Connection c) throws Exception;
    }

    /** Push on, in the ticker thread too. */
    private boolean push;
    /** The queue: one per test, as both run in one database. */
    private String q = "inv";

    @Test
    void everyCommittedEventReachesEveryConsumerOnceAndNothingElse(Connection c, PgDatabase db) throws Exception {
        run(c, db, RUN);
    }

    @Test
    void withPushDeliveryTooEveryCommittedEventReachesEveryConsumerOnce(Connection c, PgDatabase db) throws Exception {
        push = true;
        q = "invpush";
        run(c, db, RUN.dividedBy(2));
    }

    private void run(Connection c, PgDatabase db, Duration runTime) throws Exception {
        if (push) {
            assertEquals(1L, Sql.oneLong(c, "select pgq.create_queue(?)", q));
            Sql.exec(c, "select pgq.set_queue_config(?, 'ticker_max_lag', '1 hour')", q);
            Sql.exec(c, "select pgq.set_queue_config(?, 'ticker_idle_period', '1 hour')", q);
            Sql.exec(c, "select pgq.set_queue_config(?, 'push', 'on')", q);
            Sql.exec(c, "select pgq.set_queue_config(?, 'push_min_interval', '5 ms')", q);
        } else {
            PgqOps.createTickingQueue(c, q);
        }
        long firstTick = lastTick(c);
        Sql.exec(c, "select pgq.set_queue_config(?, 'rotation_period', '0')", q);
        for (String cons : CONSUMERS) {
            PgqOps.register(c, q, cons);
            batches.put(cons, Collections.synchronizedList(new ArrayList<>()));
        }
        ExecutorService pool = Executors.newCachedThreadPool();
        List<Future<?>> producers = new ArrayList<>();
        List<Future<?>> others = new ArrayList<>();
        Future<?> ticker;
        try {
            for (String cons : CONSUMERS) {
                others.add(pool.submit(loop("consumer " + cons, db, conn -> consume(conn, cons))));
            }
            ticker = pool.submit(loop("ticker", db, this::tick));
            others.add(pool.submit(loop("maintenance", db, this::rotate)));
            for (int i = 0; i < ISOLATIONS.length; i++) {
                int iso = ISOLATIONS[i];
                Random rnd = new Random(1000 + i);
                AtomicLong seq = new AtomicLong();
                serializationFailures.put(iso, new AtomicInteger());
                commits.put(iso, new AtomicInteger());
                producers.add(pool.submit(loop("producer " + iso, db, conn -> produce(conn, iso, rnd, "p" + iso + "-", seq))));
            }

            long end = System.nanoTime() + runTime.toNanos();
            Await.until("run time over or a thread failed", runTime.plusMinutes(1),
                    () -> System.nanoTime() > end || !failures.isEmpty());
            stopProducers.set(true);
            join(producers);
            stopTicker.set(true);
            join(List.of(ticker));
            assertNoFailures();

            // one tick after every producer transaction ended; consumers must reach it (with
            // push the ordinary rules may not tick now: force_tick makes them)
            if (push) {
                Sql.exec(c, "select pgq.force_tick(?)", q);
            }
            long last = PgqOps.tick(c, q);
            Await.until("consumers caught up with tick " + last, CATCH_UP, () -> caughtUp(c, last) || !failures.isEmpty());
        } finally {
            stopProducers.set(true);
            stopTicker.set(true);
            stopRest.set(true);
            pool.shutdown();
            if (!pool.awaitTermination(3, TimeUnit.MINUTES)) {
                pool.shutdownNow();
            }
        }
        join(others);
        assertNoFailures();

        Set<String> overlap = new HashSet<>(committed);
        overlap.retainAll(rolledBack);
        assertEquals(Set.of(), overlap, "bookkeeping: a payload both committed and rolled back");
        for (String cons : CONSUMERS) {
            List<PgqOps.Batch> got = batches.get(cons);
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < got.size(); i++) {
                if (i > 0) {
                    assertEquals(got.get(i - 1).curTick(), got.get(i).prevTick(), cons + ": batches consecutive");
                }
                for (Event e : got.get(i).events()) {
                    seen.merge(e.data(), 1, Integer::sum);
                }
            }
            List<String> twice = seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
            Set<String> missing = new HashSet<>(committed);
            missing.removeAll(seen.keySet());
            Set<String> ghosts = new HashSet<>(seen.keySet());
            ghosts.removeAll(committed);
            assertEquals(List.of(), twice.subList(0, Math.min(20, twice.size())), cons + ": delivered more than once ("
                    + twice.size() + ")");
            assertEquals(Set.of(), first(missing), cons + ": committed but never delivered (" + missing.size() + " of "
                    + committed.size() + ")");
            assertEquals(Set.of(), first(ghosts), cons + ": delivered but not committed (" + ghosts.size() + ")");
            System.out.printf("%s: %d batches, %d events%n", cons, got.size(), seen.size());
        }
        long allTicks = lastTick(c) - firstTick;
        System.out.printf("push %s: committed %d events, rolled back %d; %d ticks (%d ticker calls), %d rotations;"
                + " commits/serialization failures by isolation: %s / %s%n", push,
                committed.size(), rolledBack.size(), allTicks, ticks.get(), rotations.get(), commits, serializationFailures);
        if (push) {
            assertTrue(allTicks > committed.size() / 500 + 50, "push ticked more than the ordinary rules would: " + allTicks);
        }
        assertTrue(committed.size() > 1000, "enough events: " + committed.size());
        assertTrue(rotations.get() >= 10, "many rotations: " + rotations.get());
        for (int iso : ISOLATIONS) {
            assertTrue(commits.get(iso).get() > 10, "isolation " + iso + " committed: " + commits.get(iso));
        }
    }

    private static Set<String> first(Set<String> s) {
        Set<String> out = new HashSet<>();
        for (String x : s) {
            if (out.size() == 20) {
                break;
            }
            out.add(x);
        }
        return out;
    }

    private boolean caughtUp(Connection c, long tick) {
        try {
            return Sql.oneLong(c, "select count(*) from pgq.get_consumer_info(?) where last_tick >= ?", q, tick)
                    == CONSUMERS.size();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertNoFailures() {
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " thread(s) failed; first: " + failures.get(0));
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    private static void join(List<Future<?>> futures) throws InterruptedException, java.util.concurrent.TimeoutException {
        for (Future<?> f : futures) {
            try {
                f.get(3, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                throw new AssertionError(e.getCause());
            }
        }
    }

    /** One producer transaction: snapshot early (sometimes), 1..20 events, commit or (10 %) rollback. */
    private boolean produce(Connection c, int iso, Random rnd, String prefix, AtomicLong seq)
            throws SQLException, InterruptedException {
        if (stopProducers.get()) {
            return false;
        }
        c.setAutoCommit(false);
        c.setTransactionIsolation(iso);
        int n = 1 + rnd.nextInt(20);
        List<String> payloads = new ArrayList<>(n);
        try {
            if (rnd.nextBoolean()) {
                Sql.exec(c, "select count(*) from pgq.tick"); // take the snapshot before the inserts
                if (rnd.nextInt(4) == 0) {
                    // application work between snapshot and first write: long enough for a rotation
                    // (step1 and step2) to commit meanwhile, the window of the §3.6 hazard
                    Thread.sleep(rnd.nextInt(60));
                }
            }
            for (int i = 0; i < n; i++) {
                String p = prefix + seq.incrementAndGet();
                payloads.add(p);
                if (rnd.nextInt(4) == 0) {
                    Sql.exec(c, "select pgq.insert_event(?, 't', ?, 'x1', null, null, 'x4')", q, p);
                } else {
                    PgqOps.insert(c, q, "t", p);
                }
            }
            if (rnd.nextInt(10) == 0) {
                c.rollback();
                rolledBack.addAll(payloads);
            } else {
                c.commit();
                committed.addAll(payloads);
                commits.get(iso).incrementAndGet();
            }
        } catch (PSQLException e) {
            c.rollback();
            if (!"40001".equals(e.getSQLState()) && !"40P01".equals(e.getSQLState())) {
                throw e;
            }
            serializationFailures.get(iso).incrementAndGet();
            rolledBack.addAll(payloads); // not committed: must never be delivered
        }
        return true;
    }

    private boolean tick(Connection c) throws Exception {
        if (stopTicker.get()) {
            return false;
        }
        if (!push) {
            Sql.oneLong(c, "select pgq.ticker()");
            ticks.incrementAndGet();
            Thread.sleep(10); // pacing, as a ticker daemon does
            return true;
        }
        // as pgqadm does: listen, tick when woken, wait what push_ticker says
        if (ticks.get() == 0) {
            Sql.exec(c, "listen pgq_push");
        }
        Object wait = Sql.one(c, "select pgq_java.push_ticker()");
        ticks.incrementAndGet();
        if (wait != null) {
            Thread.sleep(Math.max(1, (long) Math.ceil(((Number) wait).doubleValue())));
        } else {
            c.unwrap(org.postgresql.PGConnection.class).getNotifications(50);
        }
        return true;
    }

    private long lastTick(Connection c) throws SQLException {
        return Sql.oneLong(c, "select coalesce(max(tick_id), 0) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue"
                + " where q.queue_name = ?", q);
    }

    private boolean rotate(Connection c) throws Exception {
        if (stopRest.get()) {
            return false;
        }
        Object before = Sql.one(c, "select queue_cur_table from pgq.queue where queue_name = ?", q);
        Sql.exec(c, "select pgq.maint_rotate_tables_step1(?)", q);
        Object after = Sql.one(c, "select queue_cur_table from pgq.queue where queue_name = ?", q);
        Sql.exec(c, "select pgq.maint_rotate_tables_step2()");
        if (!before.equals(after)) {
            rotations.incrementAndGet();
        }
        Thread.sleep(20); // pacing
        return true;
    }

    private boolean consume(Connection c, String cons) throws Exception {
        if (stopRest.get()) {
            return false;
        }
        List<Object> info = Sql.row(c, "select batch_id, prev_tick_id, cur_tick_id from pgq.next_batch_info(?, ?)", q, cons);
        if (info.get(0) == null) {
            Thread.sleep(5); // pacing while there is no batch
            return true;
        }
        long id = ((Number) info.get(0)).longValue();
        List<Event> evs;
        if (id % 2 == 0) {
            evs = PgqOps.events(c, id);
        } else {
            c.setAutoCommit(false);
            evs = PgqOps.read(c, "select * from pgq.get_batch_cursor(?, 'b', 50)", id);
            List<Event> more;
            do {
                more = PgqOps.read(c, "fetch 50 from b");
                evs.addAll(more);
            } while (!more.isEmpty());
            c.commit();
            c.setAutoCommit(true);
        }
        batches.get(cons).add(new PgqOps.Batch(id, ((Number) info.get(1)).longValue(),
                ((Number) info.get(2)).longValue(), evs));
        assertEquals(1, PgqOps.finish(c, id), "finish_batch");
        return true;
    }
}
