package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pgqjava.pgq.PgqOps.assertPgqError;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.events;
import static org.pgqjava.pgq.PgqOps.ids;
import static org.pgqjava.pgq.PgqOps.insert;
import static org.pgqjava.pgq.PgqOps.nextBatch;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * Dead letters (pgq-java only): past the queue's max_retries an event's next retry puts it into
 * pgq_java.dead_letter for its consumer, with the reason; listed, redriven back to the consumer,
 * purged. Without max_retries retries go on for ever, as in PgQ.
 */
@PgTest(setup = PgqTemplate.class)
class DeadLettersIT {

    /** Moves every due retry back into its queue and ticks. */
    private static void moveAndTick(Connection c, String queue) throws SQLException {
        while (Sql.oneLong(c, "select pgq.maint_retry_events()") > 0) {
            // until none is left
        }
        tick(c, queue);
    }

    /** The consumer's next batch: its event ids; each is retried with event_retry (0 s), the batch finished. */
    private static List<Long> retryAll(Connection c, String queue, String consumer) throws SQLException {
        c.setAutoCommit(false);
        try {
            Long b = nextBatch(c, queue, consumer);
            if (b == null) {
                return List.of();
            }
            List<Long> ids = ids(events(c, b));
            for (Long id : ids) {
                Sql.exec(c, "select pgq.event_retry(?, ?, 0)", b, id);
            }
            Sql.exec(c, "select pgq.finish_batch(?)", b);
            return ids;
        } finally {
            c.commit();
            c.setAutoCommit(true);
        }
    }

    @Test
    void pastMaxRetriesAnEventIsADeadLetterOfItsConsumerOnly(Connection c) throws SQLException {
        createTickingQueue(c, "dl");
        register(c, "dl", "fails");
        register(c, "dl", "other");
        Sql.exec(c, "select pgq.set_queue_config('dl', 'max_retries', '2')");
        long e = insert(c, "dl", "t", "poison");
        tick(c, "dl");
        assertEquals(List.of(e), retryAll(c, "dl", "fails"), "first delivery, retry 1");
        moveAndTick(c, "dl");
        assertEquals(List.of(e), retryAll(c, "dl", "fails"), "second delivery, retry 2");
        moveAndTick(c, "dl");
        assertEquals(List.of(e), retryAll(c, "dl", "fails"), "third delivery: its retry is one too many");
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.retry_queue"), "not retried again");
        assertEquals(List.of(List.of("dl", "fails", e, 2, "t", "poison", "retried 2 times, max_retries 2")),
                Sql.rows(c, "select queue_name, consumer_name, ev_id, ev_retry, ev_type, ev_data, dead_reason"
                        + " from pgq_java.dead_letters('dl')"));
        moveAndTick(c, "dl");
        assertEquals(List.of(), retryAll(c, "dl", "fails"), "gone from the consumer's stream");
        // the other consumer had it once, untouched
        c.setAutoCommit(false);
        long ob = nextBatch(c, "dl", "other");
        assertEquals(List.of(e), ids(events(c, ob)));
        c.rollback();
        c.setAutoCommit(true);

        // redriven: back to "fails" through the retry queue, with its count
        assertEquals(1L, Sql.oneLong(c, "select pgq_java.redrive_dead_letters('dl', 'fails')"));
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq_java.dead_letters('dl', 'fails')"));
        Sql.exec(c, "select pgq.set_queue_config('dl', 'max_retries', 'off')");
        moveAndTick(c, "dl");
        c.setAutoCommit(false);
        long rb = nextBatch(c, "dl", "fails");
        assertEquals(List.of(e), ids(events(c, rb)));
        assertEquals(List.of(2), events(c, rb).stream().map(PgqOps.Event::retry).toList());
        Sql.exec(c, "select pgq.finish_batch(?)", rb);
        c.commit();
        c.setAutoCommit(true);
    }

    @Test
    void batchRetryPutsOnlyTheEventsPastTheLimitAside(Connection c) throws SQLException {
        createTickingQueue(c, "dlb");
        register(c, "dlb", "c1");
        long a = insert(c, "dlb", "t", "a");
        tick(c, "dlb");
        Sql.exec(c, "select pgq.set_queue_config('dlb', 'max_retries', '0')");
        c.setAutoCommit(false);
        long b = nextBatch(c, "dlb", "c1");
        assertEquals(1L, Sql.oneLong(c, "select pgq.batch_retry(?, 0)", b), "one event handled");
        Sql.exec(c, "select pgq.finish_batch(?)", b);
        c.commit();
        c.setAutoCommit(true);
        assertEquals(List.of(a), Sql.column(c, "select ev_id from pgq_java.dead_letters('dlb', 'c1')"));
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.retry_queue"));
        assertEquals(1L, Sql.oneLong(c, "select pgq_java.purge_dead_letters('dlb')"));
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq_java.dead_letters('dlb')"));
    }

    @Test
    void badInputChangesNothing(Connection c) throws SQLException {
        createTickingQueue(c, "dle");
        assertPgqError("No such event queue", c, "select * from pgq_java.dead_letters('nosuch')");
        assertPgqError("Not subscriber to queue: dle/nobody", c, "select pgq_java.redrive_dead_letters('dle', 'nobody')");
        Sql.assertError("22023", "invalid value for queue parameter \"max_retries\": \"-1\"", c,
                "select pgq.set_queue_config('dle', 'max_retries', '-1')");
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq_java.queue_config cfg join pgq.queue q using (queue_id)"
                + " where q.queue_name = 'dle' and cfg.max_retries is not null"));
    }
}
