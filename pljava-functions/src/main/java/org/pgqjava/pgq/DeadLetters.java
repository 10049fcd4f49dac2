package org.pgqjava.pgq;

import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;
import org.pgqjava.pljvm.SqlRows;

/**
 * Dead letters (pgq-java only; docs/pgq.md, "Dead letters"): an event retried as often as its
 * queue's max_retries allows is, at its next retry (pgq.event_retry, pgq.batch_retry), put into
 * pgq_java.dead_letter for its queue and consumer instead of the retry queue, with the reason.
 * pgq_java.dead_letters lists them, pgq_java.redrive_dead_letters gives them back to the
 * consumer (through the retry queue, due at once), pgq_java.purge_dead_letters deletes them.
 * Without max_retries (the default) nothing changes: PgQ retries for ever.
 */
public final class DeadLetters {

    private static final String COLUMNS = " (dl_queue, dl_consumer, dl_reason, ev_id, ev_time, ev_txid, ev_retry,"
            + " ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)";

    private DeadLetters() {
    }

    /** The queue's max_retries, or null (no limit; also while pgq_java.queue_config has no such column). */
    static Integer maxRetries(int queueId) {
        Row r = Spi.prepare("select max_retries from pgq_java.queue_config where queue_id = $1", "int4")
                .execute(queueId).one();
        return r == null ? null : r.getInt("max_retries");
    }

    /**
     * The consumer that owns a subscription's retries: its own name, or for a pgq_coop
     * sub-consumer its main consumer's (the rows sharing its sub_id; the main one's name is the
     * shortest, as sub-consumers are named main.sub).
     */
    static String owner(int queueId, int subId) {
        return Spi.prepare("select c.co_name from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer"
                + " where s.sub_queue = $1 and s.sub_id = $2 order by pg_catalog.length(c.co_name), c.co_name limit 1",
                "int4", "int4").execute(queueId, subId).one().getString("co_name");
    }

    /**
     * Puts the events of {@code batchSql} that are past max_retries (all when eventId is null,
     * else that one) into the dead letters of the subscription's consumer; returns how many.
     */
    static long bury(String batchSql, int queueId, int subId, int maxRetries, Long eventId) {
        return Spi.executeOnceTyped("insert into pgq_java.dead_letter" + COLUMNS
                + " select $1, $2, 'retried ' || coalesce(b.ev_retry, 0) || ' times, max_retries ' || $3,"
                + " b.ev_id, b.ev_time, b.ev_txid, b.ev_retry, b.ev_type, b.ev_data,"
                + " b.ev_extra1, b.ev_extra2, b.ev_extra3, b.ev_extra4"
                + " from (" + batchSql + ") b where coalesce(b.ev_retry, 0) + 1 > $3"
                + (eventId != null ? " and b.ev_id = $4" : " and $4 is null")
                + " on conflict do nothing",
                new String[] {"int4", "text", "int4", "int8"}, queueId, owner(queueId, subId), maxRetries, eventId).processed();
    }

    /**
     * pgq_java.dead_letters(i_queue_name, i_consumer_name)
     *
     * <p>Returns: the dead letters of the queue (of one consumer when i_consumer_name is not
     * NULL), oldest first: queue_name, consumer_name, ev_id, ev_time, ev_txid, ev_retry, ev_type,
     * ev_data, ev_extra1..4, dead_reason, dead_time. Error: "No such event queue".
     */
    public static SqlRows deadLetters(String queueName, String consumerName) {
        int queueId = queueId(queueName);
        return Spi.rows("select q.queue_name, d.dl_consumer, d.ev_id, d.ev_time, d.ev_txid, d.ev_retry, d.ev_type,"
                + " d.ev_data, d.ev_extra1, d.ev_extra2, d.ev_extra3, d.ev_extra4, d.dl_reason, d.dl_time"
                + " from pgq_java.dead_letter d join pgq.queue q on q.queue_id = d.dl_queue"
                + " where d.dl_queue = $1 and ($2::text is null or d.dl_consumer = $2)"
                + " order by d.dl_time, d.dl_consumer, d.ev_id", queueId, consumerName);
    }

    /**
     * pgq_java.redrive_dead_letters(i_queue_name, i_consumer_name, i_ev_ids)
     *
     * <p>Gives the consumer's dead letters (those of i_ev_ids, or all when it is NULL) back to it:
     * into pgq.retry_queue, due now, for the next maintenance round to put into the queue (their
     * retry count stays: raise max_retries first if they may be retried again). Returns: how
     * many. Errors: "No such event queue", "Not subscriber to queue: <q>/<c>".
     */
    public static int redriveDeadLetters(String queueName, String consumerName, Long[] evIds) {
        int queueId = queueId(queueName);
        Row s = Spi.execute("select s.sub_id from pgq.subscription s join pgq.consumer c on c.co_id = s.sub_consumer"
                + " where s.sub_queue = $1 and c.co_name = $2", queueId, consumerName).one();
        if (s == null) {
            throw Pgq.error("Not subscriber to queue: " + queueName + "/" + Pgq.fmt(consumerName));
        }
        return (int) Spi.executeOnceTyped("with d as (delete from pgq_java.dead_letter"
                + " where dl_queue = $1 and dl_consumer = $2 and ($3::int8[] is null or ev_id = any ($3))"
                + " returning *)"
                + " insert into pgq.retry_queue (ev_retry_after, ev_queue, ev_id, ev_time, ev_txid, ev_owner, ev_retry,"
                + " ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)"
                + " select pg_catalog.now(), d.dl_queue, d.ev_id, d.ev_time, null, $4, coalesce(d.ev_retry, 0),"
                + " d.ev_type, d.ev_data, d.ev_extra1, d.ev_extra2, d.ev_extra3, d.ev_extra4 from d"
                + " on conflict on constraint rq_pkey do nothing",
                new String[] {"int4", "text", "int8[]", "int4"}, queueId, consumerName, evIds, s.getInt("sub_id")).processed();
    }

    /**
     * pgq_java.purge_dead_letters(i_queue_name, i_consumer_name, i_ev_ids)
     *
     * <p>Deletes the consumer's dead letters (those of i_ev_ids, or all when it is NULL; every
     * consumer's when i_consumer_name is NULL too). Returns: how many. Error: "No such event queue".
     */
    public static int purgeDeadLetters(String queueName, String consumerName, Long[] evIds) {
        int queueId = queueId(queueName);
        return (int) Spi.executeOnceTyped("delete from pgq_java.dead_letter where dl_queue = $1"
                + " and ($2::text is null or dl_consumer = $2) and ($3::int8[] is null or ev_id = any ($3))",
                new String[] {"int4", "text", "int8[]"}, queueId, consumerName, evIds).processed();
    }

    private static int queueId(String queueName) {
        Row q = Spi.execute("select queue_id from pgq.queue where queue_name = $1", queueName).one();
        if (q == null) {
            throw Pgq.error("No such event queue");
        }
        return q.getInt("queue_id");
    }
}
