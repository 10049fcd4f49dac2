package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.insert;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;
import org.pgqjava.testsupport.Await;

/**
 * Concurrent calls that PgQ serializes with locks (reference §3.9, §2.7): two next_batch calls
 * for one consumer (the second overwrites the first's batch, as in PgQ, compared with Debian's
 * PgQ); one retry mover at a time while retries can still be added.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 180, threadMode = ThreadMode.SEPARATE_THREAD)
class ConsumerConcurrencyIT {

    /**
     * t1 opens a batch and keeps its transaction open; t2 asks for a batch for the same consumer
     * meanwhile; t1 commits. Returns what each saw, as text.
     */
    static List<String> twoNextBatchCalls(Connection admin, Connection t1, Connection t2) throws Exception {
        createTickingQueue(admin, "cc");
        register(admin, "cc", "c");
        insert(admin, "cc", "t", "x");
        tick(admin, "cc");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            t1.setAutoCommit(false);
            long b1 = PgqOps.nextBatch(t1, "cc", "c");
            int pid2 = Sql.pid(t2);
            Future<Long> second = pool.submit(() -> PgqOps.nextBatch(t2, "cc", "c"));
            Await.until("second next_batch done or waiting", Duration.ofSeconds(60),
                    () -> second.isDone() || PgqOps.waitsForLock(admin, pid2));
            boolean waited = !second.isDone();
            t1.commit();
            long b2 = second.get(60, TimeUnit.SECONDS);
            List<Object> ticks1 = Sql.row(admin, "select prev_tick_id, tick_id from pgq.get_batch_info(?)", b1);
            List<Object> ticks2 = Sql.row(admin, "select prev_tick_id, tick_id from pgq.get_batch_info(?)", b2);
            Sql.Warned f1 = Sql.warned(admin, "select pgq.finish_batch(?)", b1);
            Sql.Warned f2 = Sql.warned(admin, "select pgq.finish_batch(?)", b2);
            return List.of("second waited: " + waited, "b2 - b1 = " + (b2 - b1), "b1 ticks " + ticks1,
                    "b2 ticks " + ticks2, ("finish b1: " + f1).replace("batch " + b1 + " ", "batch B1 "),
                    "finish b2: " + f2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoNextBatchCallsForOneConsumerBehaveAsInPgq(Connection admin, PgDatabase db, PgServer server) throws Exception {
        List<String> ours;
        try (Connection t1 = db.connect(); Connection t2 = db.connect()) {
            ours = twoNextBatchCalls(admin, t1, t2);
        }
        assertEquals(List.of("second waited: true", "b2 - b1 = 1", "b1 ticks [null, null]", "b2 ticks [1, 2]",
                "finish b1: Warned[value=0, warnings=[WARNING: finish_batch: batch B1 not found]]",
                "finish b2: Warned[value=1, warnings=[]]"), ours);
        try (OraclePgq o = OraclePgq.create(server, "nextbatch"); Connection a = o.connect();
             Connection t1 = o.connect(); Connection t2 = o.connect()) {
            assertEquals(twoNextBatchCalls(a, t1, t2), ours, "as Debian's PgQ 3.5");
        }
    }

    @Test
    void oneRetryMoverAtATimeWhileRetriesCanBeAdded(Connection admin, PgDatabase db) throws Exception {
        createTickingQueue(admin, "mv");
        register(admin, "mv", "c");
        Sql.exec(admin, "select pgq.insert_event('mv', 't', x::text) from generate_series(1, 3) x");
        tick(admin, "mv");
        long b = PgqOps.nextBatch(admin, "mv", "c");
        List<PgqOps.Event> evs = PgqOps.events(admin, b);
        assertEquals(1L, Sql.oneLong(admin, "select pgq.event_retry(?, ?, 0)", b, evs.get(0).id()));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection m1 = db.connect(); Connection m2 = db.connect(); Connection r = db.connect()) {
            m1.setAutoCommit(false);
            assertEquals(1L, Sql.oneLong(m1, "select pgq.maint_retry_events()"));
            // a consumer can add retries while a mover runs
            assertEquals(1L, Sql.oneLong(r, "select pgq.event_retry(?, ?, 0)", b, evs.get(1).id()));
            int pid2 = Sql.pid(m2);
            Future<Long> second = pool.submit(() -> Sql.oneLong(m2, "select pgq.maint_retry_events()"));
            Await.until("second mover waits for the first", Duration.ofSeconds(60), () -> PgqOps.waitsForLock(admin, pid2));
            m1.commit();
            assertEquals(1L, second.get(60, TimeUnit.SECONDS), "then moves what the first left");
        } finally {
            pool.shutdownNow();
        }
        PgqOps.finish(admin, b);
        tick(admin, "mv");
        List<PgqOps.Event> again = PgqOps.drainEvents(admin, "mv", "c");
        assertEquals(List.of(evs.get(0).id(), evs.get(1).id()), PgqOps.ids(again), "each moved once");
        assertNotEquals(evs.get(0).txid(), again.get(0).txid());
    }
}
