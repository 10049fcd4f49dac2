package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pgq.PgqOps.assertPgqError;
import static org.pgqjava.pgq.PgqOps.drainEvents;
import static org.pgqjava.pgq.PgqOps.ids;
import static org.pgqjava.pgq.PgqOps.insert;
import static org.pgqjava.pgq.PgqOps.register;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * Push delivery in SQL (Push.java, docs/push.md): producers notify pgq_push once per
 * transaction and push queue, pgq_java.push_ticker() ticks a push queue once its
 * push_min_interval passed and announces the tick; push changes when ticks happen, never what a
 * batch holds.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class PushIT {

    /** A queue the ordinary ticker would not tick for an hour, with push on. */
    private static void pushQueue(Connection c, String queue, String minInterval) throws SQLException {
        assertEquals(1L, Sql.oneLong(c, "select pgq.create_queue(?)", queue));
        Sql.exec(c, "select pgq.set_queue_config(?, 'ticker_max_lag', '1 hour')", queue);
        Sql.exec(c, "select pgq.set_queue_config(?, 'ticker_idle_period', '1 hour')", queue);
        Sql.exec(c, "select pgq.set_queue_config(?, 'push', 'on')", queue);
        Sql.exec(c, "select pgq.set_queue_config(?, 'push_min_interval', ?)", queue, minInterval);
        // a queue's second tick comes at the first ticker call (no gap to double yet), and its
        // first event ever is not counted as new (its id is the sequence's start, the value
        // the first tick recorded; as in PgQ): take both now, so that from here on the
        // ticker's rules decide on counted events
        PgqOps.tick(c, queue);
        insert(c, queue, "warm-up", "");
        Sql.exec(c, "select pgq.force_tick(?)", queue);
        PgqOps.tick(c, queue);
    }

    private static long lastTick(Connection c, String queue) throws SQLException {
        return Sql.oneLong(c, "select max(tick_id) from pgq.tick join pgq.queue on queue_id = tick_queue where queue_name = ?",
                queue);
    }

    /** The notifications that came within {@code ms}, as "channel payload". */
    private static List<String> notifications(Connection listener, int ms) throws SQLException {
        List<String> got = new ArrayList<>();
        PGNotification[] ns = listener.unwrap(PGConnection.class).getNotifications(ms);
        while (ns != null && ns.length > 0) {
            for (PGNotification n : ns) {
                got.add(n.getName() + " " + n.getParameter());
            }
            ns = listener.unwrap(PGConnection.class).getNotifications(50);
        }
        return got;
    }

    @Test
    void aPushQueueTicksOnceItsIntervalPassedAndTheTickIsAnnounced(Connection c, Connection listener)
            throws SQLException {
        pushQueue(c, "pq1", "1 hour");
        assertEquals("pgq.pq1", Sql.one(c, "select pgq_java.tick_channel('pq1')"));
        Sql.exec(listener, "listen \"pgq.pq1\"");
        long before = lastTick(c, "pq1");
        insert(c, "pq1", "t", "a");
        // not due: the wait until it is comes back, nothing ticks, nothing is announced
        double wait = ((Number) Sql.one(c, "select pgq_java.push_ticker()")).doubleValue();
        assertTrue(wait > 3_500_000 && wait <= 3_600_000, "ms until due: " + wait);
        assertEquals(before, lastTick(c, "pq1"));
        assertNull(Sql.one(c, "select pgq.ticker('pq1')"), "nor does the ordinary ticker tick it");
        assertEquals(List.of(), notifications(listener, 100));

        Sql.exec(c, "select pgq.set_queue_config('pq1', 'push_min_interval', '0')");
        assertEquals(0.0, Sql.one(c, "select pgq_java.push_ticker()"), "ticked: look again after push_min_interval (0)");
        long tick = lastTick(c, "pq1");
        assertTrue(tick > before);
        assertEquals(List.of("pgq.pq1 " + tick), notifications(listener, 2000));
        // idle now: push adds no tick, and nothing to look at again
        assertNull(Sql.one(c, "select pgq_java.push_ticker()"));
        assertEquals(tick, lastTick(c, "pq1"));
        // a push queue just ticked: look again after its push_min_interval
        Sql.exec(c, "select pgq.set_queue_config('pq1', 'push_min_interval', '250 ms')");
        Sql.exec(c, "select pg_sleep(0.3)");
        insert(c, "pq1", "t", "a2");
        assertEquals(250.0, Sql.one(c, "select pgq_java.push_ticker()"));
        assertTrue(lastTick(c, "pq1") > tick);
        tick = lastTick(c, "pq1");
        assertEquals(List.of("pgq.pq1 " + tick), notifications(listener, 2000));
        Sql.exec(c, "select pgq.set_queue_config('pq1', 'push_min_interval', '0')");

        // the ordinary ticker decides the same for a push queue
        insert(c, "pq1", "t", "b");
        Long byTicker = (Long) Sql.one(c, "select pgq.ticker('pq1')");
        assertEquals(lastTick(c, "pq1"), byTicker);
        assertEquals(List.of("pgq.pq1 " + byTicker), notifications(listener, 2000));
    }

    @Test
    void producersNotifyOncePerTransactionAndOnlyForPushQueues(Connection c, Connection producer,
            Connection listener) throws SQLException {
        pushQueue(c, "pq2", "10 ms");
        Sql.exec(c, "select pgq.create_queue('plain2')");
        Sql.exec(listener, "listen pgq_push");

        producer.setAutoCommit(false);
        for (int i = 0; i < 3; i++) {
            insert(producer, "pq2", "t", "x" + i);
            insert(producer, "plain2", "t", "y" + i);
        }
        assertEquals(List.of(), notifications(listener, 100), "nothing before commit");
        producer.commit();
        assertEquals(List.of("pgq_push pq2"), notifications(listener, 2000));

        insert(producer, "pq2", "t", "gone");
        producer.rollback();
        assertEquals(List.of(), notifications(listener, 200), "a rolled back transaction wakes nobody");

        // a subtransaction that notified and rolled back: the next insert notifies again
        Sql.exec(producer, "savepoint s");
        insert(producer, "pq2", "t", "sub");
        Sql.exec(producer, "rollback to savepoint s");
        insert(producer, "pq2", "t", "after");
        producer.commit();
        assertEquals(List.of("pgq_push pq2"), notifications(listener, 2000));

        Sql.exec(producer, "select pgq.insert_events('pq2', array['t', 't'], array['b1', 'b2'])");
        producer.commit();
        assertEquals(List.of("pgq_push pq2"), notifications(listener, 2000), "the bulk insert");
        Sql.exec(producer, "select pgq.current_event_table('pq2')");
        producer.commit();
        assertEquals(List.of("pgq_push pq2"), notifications(listener, 2000), "a bulk load's table lookup");

        insert(producer, "plain2", "t", "z");
        producer.commit();
        assertEquals(List.of(), notifications(listener, 200), "push is off on plain2");
    }

    @Test
    void producersDoNotNotifyWhileTheTickerLooksAgainByItself(Connection c, Connection producer, Connection listener,
            PgDatabase db) throws SQLException {
        pushQueue(c, "pq9", "0");   // an interval of 0: without the ticker's lock, every transaction notifies
        register(c, "pq9", "cons9");
        Sql.exec(listener, "listen pgq_push");
        try (Connection ticker = db.connect()) {
            insert(ticker, "pq9", "t", "a");
            assertEquals(List.of("pgq_push pq9"), notifications(listener, 2000), "idle ticker: notified");
            assertEquals(0.0, Sql.one(ticker, "select pgq_java.push_ticker()"), "ticked: it looks again");
            long tick = lastTick(c, "pq9");

            // the ticker looks again by itself: a producer's commit need not wake it
            insert(producer, "pq9", "t", "b");
            assertEquals(List.of(), notifications(listener, 200), "the ticker is looking: no notification");
            assertEquals(0.0, Sql.one(ticker, "select pgq_java.push_ticker()"), "the next look ticks b");
            assertTrue(lastTick(c, "pq9") > tick);

            // nothing new: the ticker goes idle and lets go; producers notify again
            assertNull(Sql.one(ticker, "select pgq_java.push_ticker()"));
            insert(producer, "pq9", "t", "c");
            assertEquals(List.of("pgq_push pq9"), notifications(listener, 2000), "idle again: notified");

            assertEquals(0.0, Sql.one(ticker, "select pgq_java.push_ticker()"), "c ticked: looking again");
            insert(producer, "pq9", "t", "d");
            assertEquals(List.of(), notifications(listener, 200));
        }
        // the ticker's session ended (daemon stopped, connection lost): its lock went with it
        insert(producer, "pq9", "t", "e");
        assertEquals(List.of("pgq_push pq9"), notifications(listener, 2000), "no ticker session: notified");
        // not notifying lost nothing: the next ticks hold every event
        Sql.exec(c, "select pgq.force_tick('pq9')");
        PgqOps.tick(c, "pq9");
        List<String> got = new ArrayList<>();
        for (PgqOps.Event e : drainEvents(c, "pq9", "cons9")) {
            got.add(e.data());
        }
        Collections.sort(got);
        assertEquals(List.of("a", "b", "c", "d", "e"), got);
    }

    @Test
    void aRunningProducerSeesPushTurnedOnAndOff(Connection c, Connection producer, Connection listener)
            throws SQLException {
        assertEquals(1L, Sql.oneLong(c, "select pgq.create_queue('pq3')"));
        Sql.exec(listener, "listen pgq_push");
        insert(producer, "pq3", "t", "1");
        insert(producer, "pq3", "t", "2");   // the backend knows the queue now
        assertEquals(List.of(), notifications(listener, 200));

        Sql.exec(c, "select pgq.set_queue_config('pq3', 'push', 'on')");
        insert(producer, "pq3", "t", "3");
        assertEquals(List.of("pgq_push pq3"), notifications(listener, 2000), "seen at the next transaction");

        Sql.exec(c, "select pgq.set_queue_config('pq3', 'push', 'off')");
        insert(producer, "pq3", "t", "4");
        assertEquals(List.of(), notifications(listener, 200));
    }

    @Test
    void pushSettingsAreCheckedAndNamedAsTheyAre(Connection c) throws SQLException {
        assertEquals(1L, Sql.oneLong(c, "select pgq.create_queue('pq4')"));
        assertEquals(List.of(), Sql.column(c, "select queue_id from pgq_java.queue_config c"
                + " join pgq.queue q using (queue_id) where queue_name = 'pq4'"), "no row until set");
        assertTrue(Sql.assertSqlState("22P02", c, "select pgq.set_queue_config('pq4', 'push', 'maybe')")
                .startsWith("invalid input syntax for type boolean"));
        Sql.assertError("22023", "invalid value for queue parameter \"push_min_interval\": \"-1 s\"", c,
                "select pgq.set_queue_config('pq4', 'push_min_interval', '-1 s')");
        Sql.assertError("22004", "invalid value for queue parameter \"push\": NULL", c,
                "select pgq.set_queue_config('pq4', 'push', null)");
        assertPgqError("No such event queue", c, "select pgq.set_queue_config('nope', 'push', 'on')");
        assertEquals(List.of(), Sql.column(c, "select queue_id from pgq_java.queue_config c"
                + " join pgq.queue q using (queue_id) where queue_name = 'pq4'"), "nothing changed");
        Sql.assertError("42704", "No such queue: nope", c, "select pgq_java.tick_channel('nope')");

        String longName = "q_" + "x".repeat(60);
        Sql.exec(c, "select pgq.create_queue(?)", longName);
        Object id = Sql.one(c, "select queue_id from pgq.queue where queue_name = ?", longName);
        assertEquals("pgq.#" + id, Sql.one(c, "select pgq_java.tick_channel(?)", longName));
        // a dropped queue takes its settings along
        Sql.exec(c, "select pgq.set_queue_config('pq4', 'push', 'on')");
        Sql.exec(c, "select pgq.drop_queue('pq4')");
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq_java.queue_config c"
                + " where not exists (select from pgq.queue q where q.queue_id = c.queue_id)"));
    }

    @Test
    void withPushEveryCommittedEventIsDeliveredOnce(Connection c, PgDatabase db) throws Exception {
        pushQueue(c, "pq5", "0");
        register(c, "pq5", "cons");
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ConcurrentLinkedQueue<Long> committed = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            int producerNo = p;
            threads.add(new Thread(() -> {
                try (Connection pc = db.connect()) {
                    pc.setAutoCommit(false);
                    for (int tx = 0; tx < 150; tx++) {
                        List<Long> mine = new ArrayList<>();
                        for (int e = 0; e <= tx % 3; e++) {
                            mine.add(insert(pc, "pq5", "t", producerNo + ":" + tx + ":" + e));
                        }
                        if (tx % 7 == 0) {
                            pc.rollback();
                        } else {
                            pc.commit();
                            committed.addAll(mine);
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        List<Long> consumed = Collections.synchronizedList(new ArrayList<>());
        Thread ticker = new Thread(() -> {
            try (Connection tc = db.connect()) {
                while (!done.get()) {
                    Sql.one(tc, "select pgq_java.push_ticker()");
                    Thread.sleep(2);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        threads.forEach(Thread::start);
        ticker.start();
        try (Connection cc = db.connect()) {
            while (threads.stream().anyMatch(Thread::isAlive)) {
                consumed.addAll(ids(drainEvents(cc, "pq5", "cons")));
                Thread.sleep(5);
            }
            for (Thread t : threads) {
                t.join();
            }
            // the last commits: a tick that holds them all. A push tick alone may find nothing
            // new: a tick taken while they were committing counted their ids already (the
            // ticker counts the event sequence), and they then wait for the queue's idle tick,
            // as in PgQ; force_tick makes the next tick due whatever was counted
            Sql.exec(cc, "select pgq.force_tick('pq5')");
            Sql.one(cc, "select pgq_java.push_ticker()");
            consumed.addAll(ids(drainEvents(cc, "pq5", "cons")));
        } finally {
            done.set(true);
            ticker.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a worker failed", failure.get());
        }
        List<Long> want = new ArrayList<>(committed);
        Collections.sort(want);
        List<Long> got = new ArrayList<>(consumed);
        Collections.sort(got);
        assertEquals(want, got, "every committed event once, nothing rolled back");
        assertTrue(Sql.oneLong(c, "select count(*) from pgq.tick join pgq.queue on queue_id = tick_queue"
                + " where queue_name = 'pq5'") > 10, "push ticked while the producers ran");
    }

    @Test
    void aLongTransactionAcrossManyPushedTicksIsDeliveredOnceAfterItsCommit(Connection c, Connection longTx,
            Connection other) throws SQLException {
        pushQueue(c, "pq6", "0");
        register(c, "pq6", "cons");
        longTx.setAutoCommit(false);
        long early = insert(longTx, "pq6", "t", "long-1");
        List<Long> others = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            others.add(insert(other, "pq6", "t", "other-" + i));
            assertEquals(0.0, Sql.one(c, "select pgq_java.push_ticker()"), "ticked at once");
        }
        long late = insert(longTx, "pq6", "t", "long-2");
        List<Long> before = ids(drainEvents(c, "pq6", "cons"));
        assertEquals(others, before, "the other producer's events, not the open transaction's");
        longTx.commit();
        assertEquals(0.0, Sql.one(c, "select pgq_java.push_ticker()"), "its commit gets a tick too");
        assertEquals(List.of(early, late), ids(drainEvents(c, "pq6", "cons")), "once, after its commit");
    }

    @Test
    void aRetriedEventComesBackThroughAPushTick(Connection c) throws SQLException {
        pushQueue(c, "pq7", "0");
        register(c, "pq7", "cons");
        long id = insert(c, "pq7", "t", "again");
        assertEquals(0.0, Sql.one(c, "select pgq_java.push_ticker()"));
        long batch = Sql.oneLong(c, "select pgq.next_batch('pq7', 'cons')");
        assertEquals(1L, Sql.oneLong(c, "select pgq.event_retry(?, ?, 0)", batch, id));
        Sql.exec(c, "select pgq.finish_batch(?)", batch);
        // the retry mover re-inserts it (insert_event_raw): that notifies like any producer
        Sql.exec(c, "listen pgq_push");
        assertEquals(1L, Sql.oneLong(c, "select pgq.maint_retry_events()"));
        assertEquals(List.of("pgq_push pq7"), notifications(c, 2000));
        assertEquals(0.0, Sql.one(c, "select pgq_java.push_ticker()"));
        assertEquals(List.of(id), ids(drainEvents(c, "pq7", "cons")), "the same event, once more");
    }
}
