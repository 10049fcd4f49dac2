package org.pgqjava.pgq;

import java.time.OffsetDateTime;

import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;

/**
 * Retrying events: pgq.event_retry, pgq.batch_retry, pgq.event_retry_raw,
 * pgq.maint_retry_events. A retried event waits in pgq.retry_queue owned by the subscription,
 * then goes back into the queue for that consumer only, with ev_retry incremented (§3.7). With
 * the queue's max_retries set (pgq-java only), event_retry and batch_retry put an event retried
 * that often into the dead letters instead (DeadLetters).
 */
public final class Retry {
    private static final String RETRY_COLUMNS = " (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid, ev_owner,"
            + " ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)";
    /** How many due events one maint_retry_events call moves; callers loop until it returns 0. */
    static final int MOVE_LIMIT = 10;

    private Retry() {
    }

    /**
     * pgq.event_retry(x_batch_id, x_event_id, x_retry_time)
     *
     * <p>Puts event x_event_id of the batch into the retry queue, due at x_retry_time.
     * Returns: 1, or 0 if it is already there for this subscription (or, past max_retries, in
     * its dead letters). Error: "event not found". Calls: batch_event_sql. Tables directly
     * manipulated: insert into pgq.retry_queue, pgq_java.dead_letter.
     */
    public static int eventRetry(Long batchId, Long eventId, OffsetDateTime retryTime) {
        Row s = subscription(batchId);
        if (s == null) {
            throw Pgq.error("event not found"); // PgQ's text: its batch query finds nothing
        }
        String batch = BatchEvents.batchEventSql(batchId);
        Integer max = DeadLetters.maxRetries(s.getInt("sub_queue"));
        if (max != null && DeadLetters.bury(batch, s.getInt("sub_queue"), s.getInt("sub_id"), max, eventId) > 0) {
            return 1; // retried as often as allowed: a dead letter now (DeadLetters)
        }
        long inserted = Spi.executeOnceTyped("insert into pgq.retry_queue" + RETRY_COLUMNS
                + " select $1, $2, ev_id, ev_time, null, $3, coalesce(ev_retry, 0) + 1,"
                + " ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4"
                + " from (" + batch + ") b where ev_id = $4"
                + " and ($5::int4 is null or coalesce(ev_retry, 0) + 1 <= $5)" // past it: a dead letter already
                + " on conflict on constraint rq_pkey do nothing",
                new String[] {"timestamptz", "int4", "int4", "int8", "int4"}, retryTime, s.getInt("sub_queue"),
                s.getInt("sub_id"), eventId, max).processed();
        if (inserted > 0) {
            return 1;
        }
        if (Spi.executeOnceTyped("select 1 from (" + batch + ") b where ev_id = $1", new String[] {"int8"}, eventId)
                .isEmpty()) {
            throw Pgq.error("event not found");
        }
        return 0;
    }

    /**
     * pgq.event_retry(x_batch_id, x_event_id, x_retry_seconds)
     *
     * <p>As event_retry with a due time x_retry_seconds from now.
     */
    public static int eventRetrySeconds(Long batchId, Long eventId, Integer retrySeconds) {
        OffsetDateTime due = Spi.prepare("select pg_catalog.now() + pg_catalog.make_interval(secs => $1) as due",
                "int4").execute(retrySeconds).one().getTimestamp("due");
        return eventRetry(batchId, eventId, due);
    }

    /**
     * pgq.batch_retry(i_batch_id, i_retry_seconds)
     *
     * <p>Puts every event of the batch that is not already waiting into the retry queue.
     * Returns: the number of events put there. Error: "batch_retry: batch <id> not found".
     * Calls: batch_event_sql. Tables directly manipulated: insert into pgq.retry_queue.
     */
    public static int batchRetry(Long batchId, Integer retrySeconds) {
        Row s = subscription(batchId);
        if (s == null) {
            throw Pgq.error("batch_retry: batch " + Pgq.fmt(batchId) + " not found");
        }
        String batch = BatchEvents.batchEventSql(batchId);
        Integer max = DeadLetters.maxRetries(s.getInt("sub_queue"));
        long buried = max == null ? 0 : DeadLetters.bury(batch, s.getInt("sub_queue"), s.getInt("sub_id"), max, null);
        return (int) (buried + Spi.executeOnceTyped("insert into pgq.retry_queue" + RETRY_COLUMNS
                + " select distinct pg_catalog.now() + pg_catalog.make_interval(secs => $1), $2, b.ev_id, b.ev_time,"
                + " null::int8, $3, coalesce(b.ev_retry, 0) + 1,"
                + " b.ev_type, b.ev_data, b.ev_extra1, b.ev_extra2, b.ev_extra3, b.ev_extra4"
                + " from (" + batch + ") b left join pgq.retry_queue rq"
                + " on (rq.ev_id = b.ev_id and rq.ev_owner = $3 and rq.ev_queue = $2)"
                + " where rq.ev_id is null and ($4::int4 is null or coalesce(b.ev_retry, 0) + 1 <= $4)",
                new String[] {"int4", "int4", "int4", "int4"}, retrySeconds, s.getInt("sub_queue"), s.getInt("sub_id"), max)
                .processed());
    }

    /**
     * pgq.event_retry_raw(x_queue, x_consumer, x_retry_after, x_ev_id, x_ev_time, x_ev_retry,
     * x_ev_type, x_ev_data, x_ev_extra1, x_ev_extra2, x_ev_extra3, x_ev_extra4)
     *
     * <p>Puts an arbitrary event into the retry queue for the consumer; a NULL id takes the next
     * one from the queue's sequence. Returns: the event id. Error: "consumer not registered".
     */
    public static long eventRetryRaw(String queueName, String consumerName, OffsetDateTime retryAfter, Long evId,
            OffsetDateTime evTime, Integer evRetry, String evType, String evData, String extra1, String extra2,
            String extra3, String extra4) {
        Row q = Spi.execute("select sub_id, queue_event_seq, sub_queue from pgq.consumer, pgq.queue, pgq.subscription"
                + " where queue_name = $1 and co_name = $2 and sub_consumer = co_id and sub_queue = queue_id",
                queueName, consumerName).one();
        if (q == null) {
            throw Pgq.error("consumer not registered");
        }
        long id = evId != null ? evId
                : Spi.execute("select pg_catalog.nextval($1::regclass) as ev_id", q.getString("queue_event_seq"))
                        .one().getLong("ev_id");
        Spi.prepare("insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_owner, ev_retry,"
                + " ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)"
                + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                "timestamptz", "int4", "int8", "timestamptz", "int4", "int4", "text", "text", "text", "text", "text", "text")
                .execute(retryAfter, q.getInt("sub_queue"), id, evTime, q.getInt("sub_id"), evRetry, evType, evData,
                        extra1, extra2, extra3, extra4);
        return id;
    }

    /**
     * pgq.maint_retry_events()
     *
     * <p>Moves up to {@value #MOVE_LIMIT} due events from the retry queue back into their queues
     * (insert_event_raw's logic, with the owner set: a new txid, the same id). One mover at a
     * time (SHARE UPDATE EXCLUSIVE lock; inserts into the retry queue go on). Only the keys come
     * into Java; each row is copied by an INSERT … SELECT, so no event is too large to move.
     * Returns: the number moved; call again until 0.
     */
    public static int maintRetryEvents() {
        Spi.execute("lock table pgq.retry_queue in share update exclusive mode");
        int moved = 0;
        for (Row r : Spi.prepare("select q.queue_name, rq.ev_owner, rq.ev_id from pgq.retry_queue rq, pgq.queue q"
                + " where rq.ev_retry_after <= pg_catalog.now() and q.queue_id = rq.ev_queue"
                + " order by rq.ev_retry_after limit " + MOVE_LIMIT).execute()) {
            int owner = r.getInt("ev_owner");
            long id = r.getLong("ev_id");
            Insert.insertFromRetryQueue(r.getString("queue_name"), owner, id);
            Spi.prepare("delete from pgq.retry_queue where ev_owner = $1 and ev_id = $2", "int4", "int8")
                    .execute(owner, id);
            moved++;
        }
        return moved;
    }

    /** (sub_queue, sub_id) of the subscription whose open batch is batchId, or null. */
    private static Row subscription(Long batchId) {
        return Spi.prepare("select sub_queue, sub_id from pgq.subscription where sub_batch = $1", "int8")
                .execute(batchId).one();
    }
}
