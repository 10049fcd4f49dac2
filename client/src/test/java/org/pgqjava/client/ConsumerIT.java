package org.pgqjava.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.client.ClientTests.WAIT;
import static org.pgqjava.client.ClientTests.createTickingQueue;
import static org.pgqjava.client.ClientTests.dataSource;
import static org.pgqjava.client.ClientTests.insertMany;
import static org.pgqjava.client.ClientTests.moveRetries;
import static org.pgqjava.client.ClientTests.tick;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.Await;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/** Consumer: the run loop, both handler kinds, retries, stop and abandon, its settings. */
@PgTest(setup = PgqTemplate.class)
class ConsumerIT {

    private static DataSource ds;

    @BeforeAll
    static void setUp(PgDatabase db, Connection c) throws SQLException {
        ds = dataSource(db.jdbcUrl());
        Sql.exec(c, "create table handled (queue text, batch_id bigint, ev_id bigint, data text)");
    }

    private static List<Long> ids(Connection c, String sql, Object... args) throws SQLException {
        return Sql.column(c, sql, args).stream().map(o -> (Long) o).collect(Collectors.toList());
    }

    /** The consumer's next batch id as PgQ sees it (null: it has finished everything ticked). */
    private static Long pending(Connection c, String queue, String consumer) throws SQLException {
        c.setAutoCommit(false);
        try {
            return Sql.longOrNull(c, "select pgq.next_batch(?, ?)", queue, consumer);
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    /** {@code n} events into {@code queue} through Producer.sendAll; their ids. */
    private static List<Long> produce(Connection c, String queue, String prefix, int n) throws SQLException {
        List<Message<String>> m = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            m.add(Message.of("t", prefix + i));
        }
        return LongStream.of(Producer.of(queue).sendAll(c, m)).boxed().collect(Collectors.toList());
    }

    private static List<Long> idsOf(List<Event> events) {
        return events.stream().map(Event::id).collect(Collectors.toList());
    }

    @Test
    void everyEventOnceInOrderAcrossBatchesAndChunks(Connection c) throws Exception {
        createTickingQueue(c, "q_all");
        List<Event> seen = Collections.synchronizedList(new ArrayList<>());
        List<Long> expected = new ArrayList<>();
        try (Consumer consumer = Consumer.builder(ds, "q_all", "c").eventHandler((e, ctx) -> seen.add(e))
                .fetchSize(7).pollInterval(Duration.ofMillis(20)).build()) {
            assertTrue(consumer.register(), "registered");
            assertFalse(consumer.register(), "registered already");
            expected.addAll(produce(c, "q_all", "a", 250));
            tick(c, "q_all");
            expected.addAll(produce(c, "q_all", "b", 300));
            tick(c, "q_all");
            expected.addAll(produce(c, "q_all", "c", 1));
            tick(c, "q_all");
            consumer.start();
            Await.until("551 events handled", WAIT, () -> seen.size() >= 551);
            // a batch after the consumer went idle
            expected.addAll(produce(c, "q_all", "d", 3));
            tick(c, "q_all");
            Await.until("554 events handled", WAIT, () -> seen.size() >= 554);
        }
        assertEquals(expected, idsOf(seen), "each event once, in ev_id order");
        assertEquals("a0", seen.get(0).data());
        assertEquals(0, seen.get(0).retryCount());
        assertNull(pending(c, "q_all", "c"), "every batch finished");
    }

    @Test
    void aBatchHandlerWritesInTheBatchTransaction(Connection c) throws Exception {
        createTickingQueue(c, "q_tx");
        List<List<Long>> batches = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger calls = new AtomicInteger();
        Consumer consumer = Consumer.builder(ds, "q_tx", "c").batchHandler((events, ctx) -> {
            calls.incrementAndGet();
            batches.add(List.of(ctx.batch().prevTickId(), ctx.batch().tickId()));
            assertEquals("q_tx", ctx.queue());
            assertEquals("c", ctx.consumer());
            assertFalse(ctx.connection().getAutoCommit());
            for (Event e : events) {
                Sql.exec(ctx.connection(), "insert into handled values ('q_tx', ?, ?, ?)", ctx.batch().id(), e.id(), e.data());
            }
            if (calls.get() == 1) {
                throw new IllegalStateException("first attempt fails after its writes");
            }
        }).fetchSize(10).backoff(Duration.ofMillis(10), Duration.ofMillis(50)).build();
        consumer.register();
        List<Long> expected = produce(c, "q_tx", "x", 25);
        long tick = tick(c, "q_tx");
        IllegalStateException first = assertThrows(IllegalStateException.class, consumer::handleNextBatch);
        assertEquals("first attempt fails after its writes", first.getMessage());
        assertEquals(0L, Sql.oneLong(c, "select count(*) from handled where queue = 'q_tx'"), "rolled back");
        assertTrue(consumer.handleNextBatch(), "the same batch again");
        assertFalse(consumer.handleNextBatch(), "nothing more");
        consumer.close();
        assertEquals(2, batches.size());
        // a batch's id is new at every next_batch (PgQ takes it from a sequence); its ticks are the same
        assertEquals(batches.get(0), batches.get(1), "the failed batch (its tick range) came again");
        assertEquals(expected, ids(c, "select ev_id from handled where queue = 'q_tx' order by ev_id"),
                "each event once: the failed attempt's writes were rolled back");
        assertEquals(tick, Sql.oneLong(c, "select last_tick from pgq.get_consumer_info('q_tx', 'c')"));
    }

    @Test
    void retriedEventsComeBackAfterTheirDelay(Connection c) throws Exception {
        createTickingQueue(c, "q_retry");
        List<Event> seen = new ArrayList<>();
        Consumer consumer = Consumer.builder(ds, "q_retry", "c").eventHandler((e, ctx) -> {
            seen.add(e);
            if (e.data().equals("again") && e.retryCount() == 0) {
                ctx.retry(e, Duration.ZERO);
            } else if (e.data().equals("later")) {
                ctx.retry(e, Duration.ofHours(1));
            }
        }).build();
        consumer.register();
        Producer<String> p = Producer.of("q_retry");
        long again = p.send(c, "t", "again");
        long later = p.send(c, "t", "later");
        long once = p.send(c, "t", "once");
        tick(c, "q_retry");
        assertTrue(consumer.handleNextBatch());
        assertEquals(List.of(again, later, once), idsOf(seen));
        assertEquals(2L, Sql.oneLong(c, "select count(*) from pgq.retry_queue"));
        moveRetries(c);
        tick(c, "q_retry");
        assertTrue(consumer.handleNextBatch());
        assertEquals(List.of(again, later, once, again), idsOf(seen), "only the due retry came back");
        assertEquals(1, seen.get(3).retryCount());
        assertEquals(1L, Sql.oneLong(c, "select count(*) from pgq.retry_queue where ev_id = ?", later),
                "the one-hour retry still waits");
        consumer.close();
    }

    @Test
    void retryFailedEventsRetriesOnlyTheEventThatFailed(Connection c) throws Exception {
        createTickingQueue(c, "q_fail");
        List<Long> done = new ArrayList<>();
        Consumer consumer = Consumer.builder(ds, "q_fail", "c").eventHandler((e, ctx) -> {
            if (e.data().equals("bad") && e.retryCount() == 0) {
                throw new IllegalArgumentException("cannot handle " + e.id());
            }
            done.add(e.id());
        }).retryFailedEvents(Duration.ZERO).build();
        consumer.register();
        Producer<String> p = Producer.of("q_fail");
        long a = p.send(c, "t", "good");
        long bad = p.send(c, "t", "bad");
        long b = p.send(c, "t", "good");
        tick(c, "q_fail");
        assertTrue(consumer.handleNextBatch(), "the batch finishes despite the failure");
        assertEquals(List.of(a, b), done);
        moveRetries(c);
        tick(c, "q_fail");
        assertTrue(consumer.handleNextBatch());
        assertEquals(List.of(a, b, bad), done, "the failed event, retried, and nothing else again");
        consumer.close();
    }

    @Test
    void stopLetsTheBatchInHandFinish(Connection c) throws Exception {
        createTickingQueue(c, "q_stop");
        CountDownLatch inBatch = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        Consumer consumer = Consumer.builder(ds, "q_stop", "c").eventHandler((e, ctx) -> {
            if (handled.incrementAndGet() == 5) {
                inBatch.countDown();
                assertTrue(release.await(60, TimeUnit.SECONDS));
                assertTrue(ctx.stopRequested(), "the handler can see the stop");
            }
        }).pollInterval(Duration.ofMillis(20)).build();
        consumer.register();
        produce(c, "q_stop", "s", 20);
        long tick = tick(c, "q_stop");
        consumer.start();
        assertTrue(inBatch.await(60, TimeUnit.SECONDS));
        consumer.stop();
        release.countDown();
        assertTrue(consumer.awaitStopped(WAIT));
        assertEquals(20, handled.get(), "the whole batch was handled");
        assertEquals(tick, Sql.oneLong(c, "select last_tick from pgq.get_consumer_info('q_stop', 'c')"), "and finished");
        consumer.close();
    }

    @Test
    void abandonRollsTheBatchBackForTheNextConsumer(Connection c) throws Exception {
        createTickingQueue(c, "q_abandon");
        CountDownLatch inBatch = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Long>> firstBatch = new ArrayList<>();
        Consumer first = Consumer.builder(ds, "q_abandon", "c").eventHandler((e, ctx) -> {
            Sql.exec(ctx.connection(), "insert into handled values ('q_abandon', ?, ?, ?)", ctx.batch().id(), e.id(), e.data());
            firstBatch.add(List.of(ctx.batch().prevTickId(), ctx.batch().tickId()));
            if (firstBatch.size() == 3) {
                inBatch.countDown();
                assertTrue(release.await(60, TimeUnit.SECONDS));
            }
        }).pollInterval(Duration.ofMillis(20)).build();
        first.register();
        List<Long> expected = produce(c, "q_abandon", "s", 10);
        tick(c, "q_abandon");
        first.start();
        assertTrue(inBatch.await(60, TimeUnit.SECONDS));
        first.abandon();
        release.countDown();
        assertTrue(first.awaitStopped(WAIT));
        assertEquals(3, firstBatch.size(), "no event handed out after abandon()");
        assertEquals(0L, Sql.oneLong(c, "select count(*) from handled where queue = 'q_abandon'"), "its writes rolled back");

        List<List<Long>> secondBatch = new ArrayList<>();
        Consumer second = Consumer.builder(ds, "q_abandon", "c").eventHandler((e, ctx) -> {
            Sql.exec(ctx.connection(), "insert into handled values ('q_abandon', ?, ?, ?)", ctx.batch().id(), e.id(), e.data());
            secondBatch.add(List.of(ctx.batch().prevTickId(), ctx.batch().tickId()));
        }).build();
        assertTrue(second.handleNextBatch());
        second.close();
        assertEquals(firstBatch.get(0), secondBatch.get(0), "the same batch (tick range)");
        assertEquals(expected, ids(c, "select ev_id from handled where queue = 'q_abandon' order by ev_id"));
        first.close();
    }

    @Test
    void anIdleConsumerStopsAtOnceAndUnregisters(Connection c) throws Exception {
        createTickingQueue(c, "q_idle");
        Consumer consumer = Consumer.builder(ds, "q_idle", "c").eventHandler((e, ctx) -> { })
                .pollInterval(Duration.ofHours(1)).build();
        consumer.start();
        Await.until("registered by run()", WAIT,
                () -> Sql.oneLong(c, "select count(*) from pgq.get_consumer_info('q_idle', 'c')") == 1);
        long t0 = System.nanoTime();
        consumer.close();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "close() did not wait for the poll interval");
        assertTrue(consumer.awaitStopped(Duration.ofMillis(1)));
        consumer.close(); // twice is harmless
        assertTrue(consumer.unregister());
        assertFalse(consumer.unregister());
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.get_consumer_info('q_idle', 'c')"));
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pg_stat_activity where datname = current_database()"
                + " and pid <> pg_backend_pid() and application_name = 'PostgreSQL JDBC Driver' and state = 'idle in transaction'"),
                "no connection left in a transaction");
        consumer.close(); // and the connection unregister() took is returned
    }

    @Test
    void anUnknownQueueIsPgqsErrorAndLeavesNoTransactionOpen(Connection c) throws Exception {
        Consumer consumer = Consumer.builder(ds, "no_such_queue", "c").eventHandler((e, ctx) -> { })
                .registerOnStart(false).backoff(Duration.ofMillis(10), Duration.ofMillis(20)).build();
        Exception e = assertThrows(SQLException.class, consumer::handleNextBatch);
        assertTrue(e.getMessage().contains("no_such_queue"), e.getMessage());
        assertThrows(SQLException.class, consumer::register);
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pg_stat_activity where datname = current_database()"
                + " and pid <> pg_backend_pid() and state like 'idle in transaction%'"), "the failures were rolled back");
        consumer.close();
    }

    @Test
    void theBuilderRefusesNonsenseNamingTheSetting() {
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> Consumer.builder(ds, "q", "c").build());
        assertEquals("set exactly one of batchHandler and eventHandler", none.getMessage());
        assertThrows(IllegalStateException.class, () -> Consumer.builder(ds, "q", "c")
                .eventHandler((e, ctx) -> { }).batchHandler((e, ctx) -> { }).build());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Consumer.builder(ds, "q", "c").fetchSize(0))
                .getMessage().startsWith("fetchSize"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Consumer.builder(ds, "q", "c").pollInterval(Duration.ZERO)).getMessage().startsWith("pollInterval"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Consumer.builder(ds, "q", "c").backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .getMessage().startsWith("backoff max"));
        assertTrue(assertThrows(IllegalStateException.class, () -> Consumer.builder(ds, "q", "c")
                .batchHandler((e, ctx) -> { }).retryFailedEvents(Duration.ZERO).build())
                .getMessage().startsWith("retryFailedEvents needs an eventHandler"));
    }
}
