package org.pgqjava.pgq;

import org.pgqjava.pljvm.Pg;
import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;

/**
 * pgq_coop: cooperative consumers. Sub-consumers of one consumer share its position in the queue
 * and each takes whole batches: a sub-consumer is a consumer named {@code <consumer>.<sub>} whose
 * subscription row shares the main consumer's {@code sub_id} (so retried events come back to the
 * consumer, whichever sub-consumer gets them) and holds ticks only while it has a batch. Handing
 * out a batch moves the main consumer's position past it at once; the batch's ticks stay in the
 * sub-consumer's row until it finishes, and rotation keeps every tick of any row.
 *
 * <p>The main consumer's subscription row is locked by every next_batch of its sub-consumers:
 * they take batches one at a time. Commit right after next_batch, or the others wait for the
 * whole batch.
 */
public final class Coop {

    private Coop() {
    }

    /**
     * pgq_coop.register_subconsumer(i_queue_name, i_consumer_name, i_subconsumer_name)
     *
     * <p>Registers the main consumer if needed, then the sub-consumer as consumer
     * {@code <consumer>.<sub>} sharing the main consumer's sub_id, without ticks.
     * Returns: 1 if the sub-consumer is new, 0 if it was registered. Calls: pgq.register_consumer.
     * Tables directly manipulated: update pgq.subscription.
     */
    public static int registerSubconsumer(String queueName, String consumerName, String subconsumerName) {
        String subName = subName(consumerName, subconsumerName);
        Consumers.registerConsumer(queueName, consumerName);
        int result = Consumers.registerConsumer(queueName, subName);
        if (result == 1) {
            Row main = mainSubscription(queueName, consumerName, false);
            if (main == null) {
                throw Pgq.error("main consumer not found");
            }
            Spi.execute("update pgq.subscription s set sub_id = $1, sub_last_tick = null, sub_next_tick = null"
                    + " from pgq.consumer c where c.co_name = $2 and s.sub_consumer = c.co_id and s.sub_queue = $3",
                    main.getInt("sub_id"), subName, main.getInt("queue_id"));
        }
        return result;
    }

    /**
     * pgq_coop.unregister_subconsumer(i_queue_name, i_consumer_name, i_subconsumer_name, i_batch_handling)
     *
     * <p>Removes the sub-consumer's subscription. With a batch open: i_batch_handling 0 fails
     * with "subconsumer has active batch"; 1 gives the batch's events back to the consumer through
     * the retry queue, due at once, before the row goes (pgq_coop closes the batch and its events
     * are never seen by the consumer again; pgq-java loses no event). Returns: 1 if it was
     * registered, 0 if not. Calls: pgq.batch_retry. Tables directly manipulated: delete
     * pgq.subscription.
     */
    public static int unregisterSubconsumer(String queueName, String consumerName, String subconsumerName,
            Integer batchHandling) {
        Row s = Spi.execute("select q.queue_id, c.co_id, s.sub_batch from pgq.queue q, pgq.consumer c, pgq.subscription s"
                + " where c.co_name = $1 and q.queue_name = $2 and s.sub_queue = q.queue_id and s.sub_consumer = c.co_id"
                + " for update of s", subName(consumerName, subconsumerName), queueName).one();
        if (s == null) {
            return 0;
        }
        Long batchId = s.getLong("sub_batch");
        if (batchId != null) {
            if (batchHandling == null || batchHandling != 1) {
                throw Pgq.error("subconsumer has active batch");
            }
            int n = Retry.batchRetry(batchId, 0);
            Pg.notice("unregister_subconsumer: " + n + " events of batch " + batchId
                    + " given back to consumer " + consumerName + " through the retry queue");
        }
        Spi.execute("delete from pgq.subscription where sub_queue = $1 and sub_consumer = $2",
                s.getInt("queue_id"), s.getInt("co_id"));
        return 1;
    }

    /**
     * pgq_coop.next_batch(i_queue_name, i_consumer_name, i_subconsumer_name)
     *
     * <p>Returns: the sub-consumer's open batch, or a new one of the consumer's; NULL when there is
     * nothing to do. Calls: pgq_coop.next_batch_custom(7).
     */
    public static Long nextBatch(String queueName, String consumerName, String subconsumerName) {
        return nextBatchCustomDead(queueName, consumerName, subconsumerName, null, null, null, null);
    }

    /**
     * pgq_coop.next_batch(i_queue_name, i_consumer_name, i_subconsumer_name, i_dead_interval)
     *
     * <p>As next_batch(3), taking over the batch of a sub-consumer inactive for i_dead_interval.
     * Calls: pgq_coop.next_batch_custom(7).
     */
    public static Long nextBatchDead(String queueName, String consumerName, String subconsumerName,
            String deadInterval) {
        return nextBatchCustomDead(queueName, consumerName, subconsumerName, null, null, null, deadInterval);
    }

    /**
     * pgq_coop.next_batch_custom(i_queue_name, i_consumer_name, i_subconsumer_name, i_min_lag,
     * i_min_count, i_min_interval)
     *
     * <p>As next_batch(3), with pgq.next_batch_custom's batch size and age limits.
     * Calls: pgq_coop.next_batch_custom(7).
     */
    public static Long nextBatchCustom(String queueName, String consumerName, String subconsumerName,
            String minLag, Integer minCount, String minInterval) {
        return nextBatchCustomDead(queueName, consumerName, subconsumerName, minLag, minCount, minInterval, null);
    }

    /**
     * pgq_coop.next_batch_custom(i_queue_name, i_consumer_name, i_subconsumer_name, i_min_lag,
     * i_min_count, i_min_interval, i_dead_interval)
     *
     * <p>Registers the sub-consumer if needed and locks the main consumer's subscription. Returns
     * the sub-consumer's open batch if it has one. Else, with i_dead_interval, another
     * sub-consumer inactive (no next_batch or finish_batch) for longer is unregistered, and its
     * open batch becomes this one's. Else the consumer's next batch (pgq.next_batch_custom) is
     * moved to this sub-consumer and the main consumer's position to its end. Returns: the batch
     * id, NULL when there is nothing to do. Errors: "main consumer not found", "main consumer
     * has batch open?", "subconsumer not found". Calls: pgq_coop.register_subconsumer,
     * pgq.next_batch_custom. Tables directly manipulated: update and delete pgq.subscription.
     */
    public static Long nextBatchCustomDead(String queueName, String consumerName, String subconsumerName,
            String minLag, Integer minCount, String minInterval, String deadInterval) {
        String subName = subName(consumerName, subconsumerName);
        if (Spi.execute("select 1 from pgq.subscription s, pgq.consumer c, pgq.queue q where q.queue_name = $1"
                + " and s.sub_queue = q.queue_id and s.sub_consumer = c.co_id and c.co_name = $2",
                queueName, subName).one() == null) {
            registerSubconsumer(queueName, consumerName, subconsumerName);
        }
        Row main = mainSubscription(queueName, consumerName, true);
        if (main == null) {
            throw Pgq.error("main consumer not found");
        }
        if (main.getLong("sub_next_tick") != null) {
            throw Pgq.error("main consumer has batch open?");
        }
        int queueId = main.getInt("queue_id");
        int mainId = main.getInt("co_id");
        Row sub = Spi.execute("select s.sub_batch, c.co_id, s.sub_id from pgq.subscription s, pgq.consumer c"
                + " where s.sub_queue = $1 and s.sub_consumer = c.co_id and c.co_name = $2", queueId, subName).one();
        if (sub == null) {
            throw Pgq.error("subconsumer not found");
        }
        int subId = sub.getInt("co_id");
        Long open = sub.getLong("sub_batch");
        if (open != null) {
            touch(queueId, subId);
            return open;
        }
        if (deadInterval != null) {
            Long taken = takeOverDead(queueId, mainId, subId, sub.getInt("sub_id"), deadInterval);
            if (taken != null) {
                return taken;
            }
        }
        Object[] b = NextBatch.nextBatchCustom(queueName, consumerName, minLag, minCount, minInterval);
        Long batchId = (Long) b[0];
        if (batchId == null) {
            return null;
        }
        // the main consumer moves past the batch at once; the batch is the sub-consumer's
        Spi.execute("update pgq.subscription set sub_batch = null, sub_active = pg_catalog.now(),"
                + " sub_last_tick = sub_next_tick, sub_next_tick = null where sub_queue = $1 and sub_consumer = $2",
                queueId, mainId);
        Spi.execute("update pgq.subscription set sub_batch = $1, sub_last_tick = $2, sub_next_tick = $3,"
                + " sub_active = pg_catalog.now() where sub_queue = $4 and sub_consumer = $5",
                batchId, b[2], b[1], queueId, subId);
        return batchId;
    }

    /**
     * pgq_coop.finish_batch(i_batch_id)
     *
     * <p>Closes a sub-consumer's batch: its row keeps no ticks (the main consumer's row has the
     * position). Returns: 1, or 0 with WARNING "coop_finish_batch: batch <id> not found".
     * Tables directly manipulated: update pgq.subscription.
     */
    public static int finishBatch(Long batchId) {
        long n = Spi.prepare("update pgq.subscription set sub_active = pg_catalog.now(), sub_last_tick = null,"
                + " sub_next_tick = null, sub_batch = null where sub_batch = $1", "int8").executeCount(batchId);
        if (n == 0) {
            Pg.warning("coop_finish_batch: batch " + Pgq.fmt(batchId) + " not found");
            return 0;
        }
        return 1;
    }

    /** As PL/pgSQL's {@code a || '.' || b}: NULL if either is. */
    private static String subName(String consumerName, String subconsumerName) {
        return consumerName == null || subconsumerName == null ? null : consumerName + "." + subconsumerName;
    }

    private static Row mainSubscription(String queueName, String consumerName, boolean lock) {
        return Spi.execute("select q.queue_id, c.co_id, s.sub_next_tick, s.sub_id"
                + " from pgq.queue q, pgq.consumer c, pgq.subscription s"
                + " where q.queue_name = $1 and c.co_name = $2 and s.sub_queue = q.queue_id and s.sub_consumer = c.co_id"
                + (lock ? " for update of s" : ""), queueName, consumerName).one();
    }

    private static void touch(int queueId, int consumerId) {
        Spi.execute("update pgq.subscription set sub_active = pg_catalog.now() where sub_queue = $1 and sub_consumer = $2",
                queueId, consumerId);
    }

    /** Unregisters one sub-consumer inactive for deadInterval; returns its batch, now the caller's, if it had one. */
    private static Long takeOverDead(int queueId, int mainId, int subId, int sharedSubId, String deadInterval) {
        Row dead = Spi.prepare("select sub_batch, sub_consumer, sub_last_tick, sub_next_tick from pgq.subscription"
                + " where sub_queue = $1 and sub_id = $2 and sub_consumer <> $3 and sub_consumer <> $4"
                + " and sub_active < pg_catalog.now() - $5 limit 1", "int4", "int4", "int4", "int4", "interval")
                .execute(queueId, sharedSubId, subId, mainId, deadInterval).one();
        if (dead == null) {
            return null;
        }
        Spi.execute("delete from pgq.subscription where sub_queue = $1 and sub_consumer = $2",
                queueId, dead.getInt("sub_consumer"));
        Long batchId = dead.getLong("sub_batch");
        if (batchId == null) {
            return null;
        }
        Spi.execute("update pgq.subscription set sub_batch = $1, sub_last_tick = $2, sub_next_tick = $3,"
                + " sub_active = pg_catalog.now() where sub_queue = $4 and sub_consumer = $5",
                batchId, dead.getLong("sub_last_tick"), dead.getLong("sub_next_tick"), queueId, subId);
        return batchId;
    }
}
