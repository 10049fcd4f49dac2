package org.pgqjava.pgq;

import java.time.OffsetDateTime;

import org.pgqjava.pljvm.Pg;
import org.pgqjava.pljvm.PgException;
import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;
import org.pgqjava.pljvm.SqlFunction;

/** Opening and closing batches: pgq.next_batch*, pgq.find_tick_helper, pgq.finish_batch. */
public final class NextBatch {
    private static final String SUBSCRIPTION = "select s.sub_queue, s.sub_consumer, s.sub_batch,"
            + " t1.tick_id as prev_tick_id, t1.tick_time as prev_tick_time, t1.tick_event_seq as prev_tick_event_seq,"
            + " t2.tick_id as cur_tick_id, t2.tick_time as cur_tick_time, t2.tick_event_seq as cur_tick_event_seq"
            + " from pgq.consumer c, pgq.queue q, pgq.subscription s"
            + " left join pgq.tick t1 on (t1.tick_queue = s.sub_queue and t1.tick_id = s.sub_last_tick)"
            + " left join pgq.tick t2 on (t2.tick_queue = s.sub_queue and t2.tick_id = s.sub_next_tick)"
            + " where q.queue_name = $1 and c.co_name = $2"
            + " and s.sub_queue = q.queue_id and s.sub_consumer = c.co_id";

    /**
     * next_batch's read: the subscription, its last tick, and (when no batch is open) the next
     * tick, in one statement and without the tick times and sequences next_batch does not return.
     */
    private static final String NEXT = "select s.sub_queue, s.sub_consumer, s.sub_batch, t1.tick_id as prev_tick_id,"
            + " case when s.sub_batch is null then (select t.tick_id from pgq.tick t where t.tick_queue = s.sub_queue"
            + "   and t.tick_id > t1.tick_id order by t.tick_queue asc, t.tick_id asc limit 1) end as next_tick_id"
            + " from pgq.consumer c, pgq.queue q, pgq.subscription s"
            + " left join pgq.tick t1 on (t1.tick_queue = s.sub_queue and t1.tick_id = s.sub_last_tick)"
            + " where q.queue_name = $1 and c.co_name = $2"
            + " and s.sub_queue = q.queue_id and s.sub_consumer = c.co_id";
    /**
     * Opens the batch. The id is drawn once, before the row is locked, as PgQ does: in the SET
     * list nextval would run again when a concurrent next_batch makes the UPDATE re-check the row.
     */
    private static final String OPEN = "with b as (select pg_catalog.nextval('pgq.batch_id_seq') as id)"
            + " update pgq.subscription s set sub_batch = b.id, sub_next_tick = $1, sub_active = pg_catalog.now()"
            + " from b where s.sub_queue = $2 and s.sub_consumer = $3 returning s.sub_batch";
    private static final String[] OPEN_TYPES = {"int8", "int4", "int4"};
    /** The batch id OPEN returns when the subscription is gone (sub_batch is never NULL there). */
    private static final long GONE = Long.MIN_VALUE;

    private static final String NEXT_BATCH_CUSTOM = "pgq.next_batch_custom(text,text,interval,int4,interval)";
    private static SqlFunction nextBatchCustomFn;

    private NextBatch() {
    }

    /**
     * pgq.next_batch(i_queue_name, i_consumer_name)
     *
     * <p>Returns: the id of the consumer's open batch, opening one if a newer tick exists; NULL
     * when there is nothing to do. Calls: next_batch_custom's logic (no lag, count or interval),
     * with a read of its own that leaves out what only next_batch_info returns.
     */
    public static Long nextBatch(String queueName, String consumerName) {
        Row s = Spi.prepare(NEXT, "text", "text").execute(queueName, consumerName).one();
        if (s == null) {
            throw notSubscriber(queueName, consumerName);
        }
        if (s.getLong("prev_tick_id") == null) {
            throw noPrevTick(queueName, consumerName);
        }
        Long batchId = s.getLong("sub_batch");
        if (batchId != null) {
            return batchId;
        }
        Long next = s.getLong("next_tick_id");
        if (next == null) {
            return null;
        }
        long id = Spi.prepare(OPEN, OPEN_TYPES).executeLongOr(GONE, next, s.getInt("sub_queue"), s.getInt("sub_consumer"));
        if (id == GONE) {
            // unregistered by a transaction that committed since the subscription was read
            throw notSubscriber(queueName, consumerName);
        }
        return id;
    }

    /**
     * pgq.next_batch_info(i_queue_name, i_consumer_name)
     *
     * <p>Returns: (batch_id, cur_tick_id, prev_tick_id, cur_tick_time, prev_tick_time,
     * cur_tick_event_seq, prev_tick_event_seq), all NULL when there is no batch.
     * Calls: pgq.next_batch_custom: its Java directly, in its security context (SqlFunction),
     * while it is pgq-java's own; through SQL if it was replaced or the user may not call it.
     */
    public static Object[] nextBatchInfo(String queueName, String consumerName) {
        if (nextBatchCustomFn == null) {
            nextBatchCustomFn = SqlFunction.of(NEXT_BATCH_CUSTOM, "org.pgqjava.pgq.NextBatch.nextBatchCustom");
        }
        SqlFunction.Context ctx = nextBatchCustomFn.enter();
        if (ctx == null) {
            return Spi.execute("select * from pgq.next_batch_custom($1, $2, null, null, null)",
                    queueName, consumerName).get(0).toArray();
        }
        try {
            return nextBatchCustom(queueName, consumerName, null, null, null);
        } finally {
            ctx.close();
        }
    }

    private static PgException notSubscriber(String queueName, String consumerName) {
        return Pgq.error("Not subscriber to queue: " + (queueName == null ? "NULL" : queueName) + "/"
                + (consumerName == null ? "NULL" : consumerName));
    }

    private static PgException noPrevTick(String queueName, String consumerName) {
        return Pgq.error("PgQ corruption: Consumer " + Pgq.fmt(consumerName) + " on queue " + Pgq.fmt(queueName)
                + " does not see tick <NULL>");
    }

    /**
     * pgq.next_batch_custom(i_queue_name, i_consumer_name, i_min_lag, i_min_count, i_min_interval)
     *
     * <p>Opens a batch from the consumer's last tick to the next tick, or to the first tick that
     * is at least i_min_count events or i_min_interval later; no batch if the end tick is younger
     * than i_min_lag. An open batch is returned unchanged until finish_batch. Returns: one row
     * as next_batch_info. Errors: "Not subscriber to queue: <q>/<c>", "PgQ corruption: Consumer
     * <c> on queue <q> does not see tick <NULL>". Tables directly manipulated: update
     * pgq.subscription.
     */
    public static Object[] nextBatchCustom(String queueName, String consumerName, String minLag,
            Integer minCount, String minInterval) {
        Row s = Spi.execute(SUBSCRIPTION, queueName, consumerName).one();
        if (s == null) {
            throw notSubscriber(queueName, consumerName);
        }
        Long prevTick = s.getLong("prev_tick_id");
        if (prevTick == null) {
            throw noPrevTick(queueName, consumerName);
        }
        int queueId = s.getInt("sub_queue");
        OffsetDateTime prevTime = s.getTimestamp("prev_tick_time");
        Long prevSeq = s.getLong("prev_tick_event_seq");
        Long batchId = s.getLong("sub_batch");
        if (batchId != null) {
            return batchInfo(batchId, s.get("cur_tick_id"), prevTick, s.get("cur_tick_time"), prevTime,
                    s.get("cur_tick_event_seq"), prevSeq);
        }
        Object[] cur; // next_tick_id, next_tick_time, next_tick_seq, as find_tick_helper returns them
        if (minInterval == null && minCount == null) {
            Row t = Spi.execute("select tick_id, tick_time, tick_event_seq from pgq.tick"
                    + " where tick_id > $1 and tick_queue = $2 order by tick_queue asc, tick_id asc limit 1",
                    prevTick, queueId).one();
            cur = t == null ? new Object[3] : t.toArray();
        } else {
            cur = findTickHelper(queueId, prevTick, prevTime, prevSeq,
                    minCount == null ? null : minCount.longValue(), minInterval);
        }
        if (minLag != null && cur[0] != null && Boolean.TRUE.equals(Spi.prepare(
                "select pg_catalog.now() - $1 < $2", "timestamptz", "interval").execute(cur[1], minLag).scalar())) {
            cur = new Object[3];
        }
        if (cur[0] == null) {
            return new Object[7];
        }
        long id = Spi.prepare(OPEN, OPEN_TYPES).executeLongOr(GONE, cur[0], queueId, s.getInt("sub_consumer"));
        if (id == GONE) {
            // unregistered by a transaction that committed since the subscription was read
            throw notSubscriber(queueName, consumerName);
        }
        batchId = id;
        return batchInfo(batchId, cur[0], prevTick, cur[1], prevTime, cur[2], prevSeq);
    }

    /** The row next_batch_info and next_batch_custom return, in their column order. */
    private static Object[] batchInfo(Long batchId, Object curTickId, Long prevTickId, Object curTickTime,
            OffsetDateTime prevTickTime, Object curTickEventSeq, Long prevTickEventSeq) {
        return new Object[] {batchId, curTickId, prevTickId, curTickTime, prevTickTime, curTickEventSeq,
            prevTickEventSeq};
    }

    /**
     * pgq.find_tick_helper(i_queue_id, i_prev_tick_id, i_prev_tick_time, i_prev_tick_seq,
     * i_min_count, i_min_interval)
     *
     * <p>The end tick for a batch that should hold at least i_min_count events or span
     * i_min_interval: the newest tick if it qualifies without overshooting either threshold
     * twice, else the first tick that qualifies. Returns: (next_tick_id, next_tick_time,
     * next_tick_seq), all NULL when no tick qualifies.
     */
    public static Object[] findTickHelper(Integer queueId, Long prevTickId, OffsetDateTime prevTickTime,
            Long prevTickSeq, Long minCount, String minInterval) {
        Row t = Spi.prepare("select tick_id, tick_time, tick_event_seq, tick_time - $3 >= $4 as interval_reached,"
                + " tick_time - $3 > $4 * 2 as interval_overshot"
                + " from pgq.tick where tick_queue = $1 and tick_id > $2"
                + " order by tick_queue desc, tick_id desc limit 1", "int4", "int8", "timestamptz", "interval")
                .execute(queueId, prevTickId, prevTickTime, minInterval).one();
        if (t == null) {
            return new Object[3];
        }
        boolean sure = true;
        boolean canSet = false;
        if (minCount != null) {
            Long seq = t.getLong("tick_event_seq");
            if (seq != null && prevTickSeq != null) {
                long cnt = seq - prevTickSeq;
                canSet |= cnt >= minCount;
                sure &= !(cnt > minCount * 2);
            }
        }
        if (minInterval != null) {
            canSet |= Boolean.TRUE.equals(t.getBoolean("interval_reached"));
            sure &= !Boolean.TRUE.equals(t.getBoolean("interval_overshot"));
        }
        if (!sure) {
            Row first = Spi.prepare("select tick_id, tick_time, tick_event_seq from pgq.tick"
                    + " where tick_queue = $1 and tick_id > $2"
                    + " and (($3::int8 is not null and (tick_event_seq - $4) >= $3)"
                    + " or ($5::interval is not null and (tick_time - $6) >= $5))"
                    + " order by tick_queue asc, tick_id asc limit 1",
                    "int4", "int8", "int8", "int8", "interval", "timestamptz")
                    .execute(queueId, prevTickId, minCount, prevTickSeq, minInterval, prevTickTime).one();
            return first == null ? new Object[3] : first.toArray();
        }
        return canSet ? new Object[] {t.get("tick_id"), t.get("tick_time"), t.get("tick_event_seq")} : new Object[3];
    }

    /**
     * pgq.finish_batch(x_batch_id)
     *
     * <p>Moves the consumer's position to the batch's end tick and closes the batch.
     * Returns: 1, or 0 with WARNING "finish_batch: batch <id> not found".
     * Tables directly manipulated: update pgq.subscription.
     */
    public static int finishBatch(Long batchId) {
        long n = Spi.prepare("update pgq.subscription set sub_active = pg_catalog.now(), sub_last_tick = sub_next_tick,"
                + " sub_next_tick = null, sub_batch = null where sub_batch = $1", "int8").executeCount(batchId);
        if (n == 0) {
            Pg.warning("finish_batch: batch " + Pgq.fmt(batchId) + " not found");
            return 0;
        }
        return 1;
    }
}
