package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.data;
import static org.pgqjava.pgq.PgqOps.drainEvents;
import static org.pgqjava.pgq.PgqOps.events;
import static org.pgqjava.pgq.PgqOps.finish;
import static org.pgqjava.pgq.PgqOps.nextBatch;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.pgq.PgqOps.Event;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * The retry flow (reference §2.5, §3.7): event_retry / batch_retry put events into
 * pgq.retry_queue for one subscription; maint_retry_events moves due ones back; only that
 * consumer sees them again, same id and time, ev_retry counted up.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class RetryIT {

    private static int moveAll(Connection c) throws SQLException {
        int total = 0;
        for (int i = 0; i < 1000; i++) {
            int n = (int) Sql.oneLong(c, "select pgq.maint_retry_events()");
            if (n == 0) {
                return total;
            }
            total += n;
        }
        throw new AssertionError("maint_retry_events never returned 0");
    }

    @Test
    void aRetriedEventComesBackToItsConsumerOnly(Connection c) throws SQLException {
        createTickingQueue(c, "rq");
        int qid = (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = 'rq'");
        register(c, "rq", "retrier");
        register(c, "rq", "other");
        long e1 = Sql.oneLong(c, "select pgq.insert_event('rq', 'ty', 'payload', 'x1', 'x2', 'x3', 'x4')");
        PgqOps.insert(c, "rq", "ty", "plain");
        OffsetDateTime evTime = Sql.time(c, "select ev_time from pgq.event_" + qid + " where ev_id = ?", e1);
        tick(c, "rq");

        long b = nextBatch(c, "rq", "retrier");
        List<Event> first = events(c, b);
        assertEquals(List.of("payload", "plain"), data(first));
        assertEquals(1L, Sql.oneLong(c, "select pgq.event_retry(?, ?, 0)", b, e1));
        assertEquals(0L, Sql.oneLong(c, "select pgq.event_retry(?, ?, 0)", b, e1), "already in the retry queue");
        assertEquals(0L, Sql.oneLong(c, "select pgq.event_retry(?, ?, now())", b, e1), "timestamptz form too");
        int subId = (Integer) Sql.one(c, "select sub_id from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer"
                + " where co_name = 'retrier'");
        assertEquals(List.of(qid, e1, subId, 1, "ty", "payload", "x1", "x2", "x3", "x4", true, true),
                Sql.row(c, "select ev_queue, ev_id, ev_owner, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2,"
                        + " ev_extra3, ev_extra4, ev_txid is null, ev_time = ? from pgq.retry_queue", evTime));
        finish(c, b);
        assertEquals(List.of("payload", "plain"), data(drainEvents(c, "rq", "other")));

        assertEquals(1, moveAll(c), "one event due");
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.retry_queue"));
        tick(c, "rq");
        List<Event> again = drainEvents(c, "rq", "retrier");
        assertEquals(1, again.size());
        Event r = again.get(0);
        assertEquals(new Event(e1, r.txid(), 1, "ty", "payload", "x1", "x2", "x3", "x4"), r, "same id, ev_retry 1");
        assertTrue(r.txid() > first.get(0).txid(), "re-inserted by a new transaction");
        assertEquals(evTime, Sql.time(c, "select ev_time from pgq.event_" + qid + " where ev_retry = 1"), "same ev_time");
        assertEquals(List.of(), drainEvents(c, "rq", "other"), "the other consumer does not see the retry");
    }

    @Test
    void batchRetryRetriesWhatIsNotWaitingYetAndMovesTenPerCall(Connection c) throws SQLException {
        createTickingQueue(c, "br");
        register(c, "br", "cons");
        register(c, "br", "bystander");
        Sql.exec(c, "select pgq.insert_event('br', 't', x::text) from generate_series(1, 25) x");
        tick(c, "br");
        long b = nextBatch(c, "br", "cons");
        List<Event> evs = events(c, b);
        assertEquals(25, evs.size());
        assertEquals(1L, Sql.oneLong(c, "select pgq.event_retry(?, ?, 0)", b, evs.get(3).id()));
        assertEquals(24L, Sql.oneLong(c, "select pgq.batch_retry(?, 0)", b), "all but the one waiting already");
        assertEquals(0L, Sql.oneLong(c, "select pgq.batch_retry(?, 0)", b), "nothing left to add");
        finish(c, b);
        drainEvents(c, "br", "bystander");

        assertEquals(10L, Sql.oneLong(c, "select pgq.maint_retry_events()"));
        assertEquals(10L, Sql.oneLong(c, "select pgq.maint_retry_events()"));
        assertEquals(5L, Sql.oneLong(c, "select pgq.maint_retry_events()"));
        assertEquals(0L, Sql.oneLong(c, "select pgq.maint_retry_events()"));
        tick(c, "br");
        List<Event> again = drainEvents(c, "br", "cons");
        assertEquals(PgqOps.ids(evs), PgqOps.ids(again), "every event once more, same ids, in id order");
        assertTrue(again.stream().allMatch(e -> Integer.valueOf(1).equals(e.retry())));
        assertEquals(List.of(), drainEvents(c, "br", "bystander"));

        // second round: ev_retry 2
        tick(c, "br");
        // the events are back in a batch of cons: retry them all again
        Sql.exec(c, "select pgq.register_consumer_at('br', 'cons', (select sub_last_tick - 1 from pgq.subscription s"
                + " join pgq.consumer c on c.co_id = s.sub_consumer join pgq.queue q on q.queue_id = s.sub_queue"
                + " where c.co_name = 'cons' and q.queue_name = 'br'))");
        b = nextBatch(c, "br", "cons");
        List<Event> redo = events(c, b);
        assertEquals(25, redo.size());
        assertEquals(25L, Sql.oneLong(c, "select pgq.batch_retry(?, 0)", b));
        finish(c, b);
        assertEquals(25, moveAll(c));
        tick(c, "br");
        List<Event> twice = drainEvents(c, "br", "cons");
        assertEquals(PgqOps.ids(evs), PgqOps.ids(twice));
        assertTrue(twice.stream().allMatch(e -> Integer.valueOf(2).equals(e.retry())), "ev_retry counts every retry");
    }

    @Test
    void retriesWaitUntilDueAndDieWithTheSubscription(Connection c) throws SQLException {
        createTickingQueue(c, "due");
        register(c, "due", "cons");
        PgqOps.insert(c, "due", "t", "a");
        PgqOps.insert(c, "due", "t", "b");
        tick(c, "due");
        long b = nextBatch(c, "due", "cons");
        List<Event> evs = events(c, b);
        assertEquals(1L, Sql.oneLong(c, "select pgq.event_retry(?, ?, 3600)", b, evs.get(0).id()));
        assertEquals(1L, Sql.oneLong(c, "select pgq.event_retry(?, ?, now() + interval '1 day')", b, evs.get(1).id()));
        assertTrue((Boolean) Sql.one(c, "select bool_and(ev_retry_after > now() + interval '59 minutes') from pgq.retry_queue"));
        finish(c, b);
        assertEquals(0L, Sql.oneLong(c, "select pgq.maint_retry_events()"), "not due yet");
        assertEquals(2L, Sql.oneLong(c, "select count(*) from pgq.retry_queue"));

        // event_retry_raw: any event, a new id when none is given
        long maxId = Sql.oneLong(c, "select last_value from pgq.event_" + queueId(c, "due") + "_id_seq");
        long rawId = Sql.oneLong(c, "select pgq.event_retry_raw('due', 'cons', now(), null, now(), 7, 'rt', 'rd',"
                + " 'r1', null, null, 'r4')");
        assertEquals(maxId + 1, rawId, "from the queue's event sequence");
        assertEquals(42L, Sql.oneLong(c, "select pgq.event_retry_raw('due', 'cons', now() - interval '1 hour', 42,"
                + " now(), null, 'rt', 'given id', null, null, null, null)"));
        assertEquals(2, moveAll(c), "only the two due ones");
        tick(c, "due");
        List<Event> got = drainEvents(c, "due", "cons");
        assertEquals(2, got.size());
        assertTrue(rawId < 42, "ids in order");
        assertEquals(new Event(rawId, got.get(0).txid(), 7, "rt", "rd", "r1", null, null, "r4"), got.get(0));
        assertEquals(new Event(42, got.get(1).txid(), null, "rt", "given id", null, null, null, null), got.get(1));

        assertEquals(1L, Sql.oneLong(c, "select pgq.unregister_consumer('due', 'cons')"));
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.retry_queue"), "unregister deletes the consumer's retries");
    }

    @Test
    void theRetryMoverRespectsInsertRules(Connection c) throws SQLException {
        createTickingQueue(c, "rules");
        register(c, "rules", "cons");
        PgqOps.insert(c, "rules", "t", "a");
        tick(c, "rules");
        long b = nextBatch(c, "rules", "cons");
        Sql.exec(c, "select pgq.batch_retry(?, 0)", b);
        finish(c, b);
        Sql.exec(c, "update pgq.queue set queue_disable_insert = true where queue_name = 'rules'");
        assertEquals("Insert into queue disallowed", Sql.error(c, "select pgq.maint_retry_events()").getMessage(),
                "re-insert goes through insert_event_raw");
        assertEquals(1L, Sql.oneLong(c, "select count(*) from pgq.retry_queue"), "still waiting");
        Sql.exec(c, "update pgq.queue set queue_disable_insert = false where queue_name = 'rules'");
        assertEquals(1, moveAll(c));
        tick(c, "rules");
        assertEquals(List.of("a"), data(drainEvents(c, "rules", "cons")));
        assertNull(nextBatch(c, "rules", "cons"));
    }

    /**
     * Issue 14's reproduction: an event larger than the backend's Java heap could hold as a
     * String (30 MB, bulk-loaded through current_event_table as PgQ documents) retried with two
     * small ones: the mover moves all three, the big one byte for byte, and the small ones do
     * not wait behind it.
     */
    @Test
    void aHugeRetriedEventMovesWithTheSmallOnes(Connection c) throws SQLException {
        createTickingQueue(c, "huge");
        register(c, "huge", "cons");
        int mb = 30;
        String table = (String) Sql.one(c, "select pgq.current_event_table('huge')");
        long big = Sql.oneLong(c, "insert into " + table + " (ev_time, ev_type, ev_data, ev_extra1)"
                + " values (now(), 'big', repeat('0123456789abcdef', ? * 65536), 'x') returning ev_id", mb);
        long small1 = PgqOps.insert(c, "huge", "small", "one");
        long small2 = PgqOps.insert(c, "huge", "small", "two");
        tick(c, "huge");
        long b = nextBatch(c, "huge", "cons");
        for (long id : new long[] {big, small1, small2}) {
            assertEquals(1L, Sql.oneLong(c, "select pgq.event_retry(?, ?, 0)", b, id));
        }
        finish(c, b);
        assertEquals(3, moveAll(c), "all three moved, the big one too");
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.retry_queue"));
        int qid = queueId(c, "huge");
        // the big one as it was, compared in the server (not 30 MB through JDBC)
        assertEquals(List.of(1, "big", (long) mb * 1024 * 1024, true, "x"), Sql.row(c, "select ev_retry, ev_type,"
                + " length(ev_data)::int8, ev_data = repeat('0123456789abcdef', ? * 65536), ev_extra1"
                + " from pgq.event_" + qid + " where ev_id = ? and ev_retry is not null", mb, big));
        tick(c, "huge");
        long again = nextBatch(c, "huge", "cons");
        assertEquals(List.of(1L, 1L, 1L), Sql.column(c, "select ev_retry::int8 from pgq.get_batch_events(?)"
                + " order by ev_id", again));
        assertEquals(List.of(big, small1, small2), Sql.column(c, "select ev_id from pgq.get_batch_events(?)"
                + " order by ev_id", again));
        finish(c, again);
    }

    private static int queueId(Connection c, String queue) throws SQLException {
        return (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = ?", queue);
    }
}
