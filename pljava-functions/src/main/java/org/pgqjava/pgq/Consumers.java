package org.pgqjava.pgq;

import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;

/** Subscriptions: pgq.register_consumer, pgq.register_consumer_at, pgq.unregister_consumer. */
public final class Consumers {
    private Consumers() {
    }

    /**
     * pgq.register_consumer(x_queue_name, x_consumer_id)
     *
     * <p>Subscribes the consumer at the queue's latest tick: it sees events committed after it.
     * Returns: 1 if newly registered, 0 if it already was. Calls: register_consumer_at.
     */
    public static int registerConsumer(String queueName, String consumerName) {
        return registerConsumerAt(queueName, consumerName, null);
    }

    /**
     * pgq.register_consumer_at(x_queue_name, x_consumer_name, x_tick_pos)
     *
     * <p>Subscribes the consumer at tick x_tick_pos (the latest tick if NULL); an existing
     * subscription is repositioned there when x_tick_pos is given (its open batch dropped).
     * Returns: 1 if newly registered, 0 otherwise. Errors: "Event queue not created yet",
     * "cannot reposition, tick not found: <n>", "No ticks for this queue.  Please run ticker on
     * database.". Tables directly manipulated: pgq.consumer, pgq.subscription.
     */
    public static int registerConsumerAt(String queueName, String consumerName, Long tickPos) {
        Row q = Spi.execute("select queue_id from pgq.queue where queue_name = $1", queueName).one();
        if (q == null) {
            throw Pgq.error("Event queue not created yet");
        }
        int queueId = q.getInt("queue_id");
        Row c = Spi.execute("select co_id from pgq.consumer where co_name = $1 for update", consumerName).one();
        int consumerId = c != null ? c.getInt("co_id")
                : Spi.execute("insert into pgq.consumer (co_name) values ($1) returning co_id", consumerName)
                        .one().getInt("co_id");
        if (tickPos != null && Spi.execute("select 1 from pgq.tick where tick_queue = $1 and tick_id = $2",
                queueId, tickPos).one() == null) {
            throw Pgq.error("cannot reposition, tick not found: " + tickPos);
        }
        if (Spi.execute("select 1 from pgq.subscription where sub_consumer = $1 and sub_queue = $2",
                consumerId, queueId).one() != null) {
            if (tickPos != null) {
                Spi.execute("update pgq.subscription set sub_last_tick = $1, sub_batch = null,"
                        + " sub_next_tick = null, sub_active = pg_catalog.now()"
                        + " where sub_consumer = $2 and sub_queue = $3", tickPos, consumerId, queueId);
            }
            return 0;
        }
        Long start = tickPos;
        if (start == null) {
            Row last = Spi.execute("select tick_id from pgq.tick where tick_queue = $1"
                    + " order by tick_queue desc, tick_id desc limit 1", queueId).one();
            if (last == null) {
                throw Pgq.error("No ticks for this queue.  Please run ticker on database.");
            }
            start = last.getLong("tick_id");
        }
        Spi.execute("insert into pgq.subscription (sub_queue, sub_consumer, sub_last_tick) values ($1, $2, $3)",
                queueId, consumerId, start);
        return 1;
    }

    /**
     * pgq.unregister_consumer(x_queue_name, x_consumer_name)
     *
     * <p>Removes the subscription, the consumer's retry events, and the consumer row when it has
     * no other subscription. A pgq_coop sub-consumer (its sub_id shared with other rows) loses
     * only its own row. Returns: the number of subscription rows removed (0 if not subscribed).
     * Tables directly manipulated: pgq.subscription, pgq.retry_queue, pgq.consumer.
     */
    public static int unregisterConsumer(String queueName, String consumerName) {
        // a pgq_coop sub-consumer has both ticks or neither; its main consumer has only one
        Row s = Spi.execute("select s.sub_id, c.co_id,"
                + " (s.sub_last_tick is null and s.sub_next_tick is null)"
                + " or (s.sub_last_tick is not null and s.sub_next_tick is not null) as is_subconsumer"
                + " from pgq.subscription s, pgq.consumer c, pgq.queue q"
                + " where s.sub_queue = q.queue_id and s.sub_consumer = c.co_id"
                + " and q.queue_name = $1 and c.co_name = $2 for update of s, c", queueName, consumerName).one();
        if (s == null) {
            return 0;
        }
        int subId = s.getInt("sub_id");
        int consumerId = s.getInt("co_id");
        int sharing = Spi.execute("select count(*) as sharing from pgq.subscription where sub_id = $1", subId)
                .one().getInt("sharing");
        if (sharing > 1 && s.getBoolean("is_subconsumer")) {
            Spi.execute("delete from pgq.subscription where sub_id = $1 and sub_consumer = $2", subId, consumerId);
            return 1;
        }
        Spi.execute("delete from pgq.retry_queue where ev_owner = $1", subId);
        Spi.execute("delete from pgq.subscription where sub_id = $1", subId);
        Spi.execute("delete from pgq.consumer c where c.co_id = $1"
                + " and not exists (select 1 from pgq.subscription where sub_consumer = $1)", consumerId);
        return sharing;
    }
}
