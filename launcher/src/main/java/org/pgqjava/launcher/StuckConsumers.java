package org.pgqjava.launcher;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stuck consumers, looked at in every maintenance round of a database: a consumer that has
 * neither taken nor finished a batch (pgq.subscription.sub_active) for longer than its queue's
 * {@code stuck_consumer_warn} is logged once as stuck (and once more when it moves again); past
 * {@code stuck_consumer_detach} it is unregistered with {@code pgq.unregister_consumer}, its
 * position logged, so that the queue's event tables rotate again (PgQ keeps every table a
 * registered consumer still needs, forever). Both thresholds live in pgq_java.queue_config, set
 * with pgq.set_queue_config; NULL, the default, is off. pgq_coop sub-consumers without a batch
 * hold no position and are left alone.
 */
final class StuckConsumers {

    private static final Logger log = LoggerFactory.getLogger(StuckConsumers.class);

    /** queue/consumer names logged as stuck and not yet seen moving again (the metrics endpoint reads it). */
    private final Set<String> stuck = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Consumers detached since the start. */
    final AtomicLong detached = new AtomicLong();

    /** The consumers now stuck, as {@code queue/consumer}. */
    Set<String> stuck() {
        return Set.copyOf(stuck);
    }

    /** One round: warns, recovers, detaches. The connection is in autocommit. */
    void check(Connection c, String prefix) throws SQLException {
        if (Sql.queryString(c, "select 1 from pg_catalog.pg_attribute where attrelid = pg_catalog.to_regclass("
                + "'pgq_java.queue_config') and attname = 'stuck_consumer_detach'") == null) {
            return; // an older pgq-java: no thresholds
        }
        Map<String, Row> rows = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select q.queue_name, co.co_name, extract(epoch from pg_catalog.now() - s.sub_active)::float8,"
                        + " s.sub_last_tick, s.sub_batch, extract(epoch from cfg.stuck_consumer_warn)::float8,"
                        + " extract(epoch from cfg.stuck_consumer_detach)::float8"
                        + " from pgq.subscription s join pgq.queue q on q.queue_id = s.sub_queue"
                        + " join pgq.consumer co on co.co_id = s.sub_consumer"
                        + " join pgq_java.queue_config cfg on cfg.queue_id = q.queue_id"
                        + " where (cfg.stuck_consumer_warn is not null or cfg.stuck_consumer_detach is not null)"
                        + " and s.sub_last_tick is not null order by 1, 2")) {
            while (rs.next()) {
                Row r = new Row(rs.getString(1), rs.getString(2), rs.getDouble(3), rs.getLong(4),
                        (Long) rs.getObject(5), (Double) rs.getObject(6), (Double) rs.getObject(7));
                rows.put(r.key(), r);
            }
        }
        for (Row r : rows.values()) {
            if (r.detach() != null && r.inactive() > r.detach()) {
                detach(c, prefix, r);
            } else if (r.warn() != null && r.inactive() > r.warn()) {
                if (stuck.add(r.key())) {
                    log.warn("{}: consumer {} of queue {} is stuck: no next_batch or finish_batch for {} s"
                            + " (stuck_consumer_warn {} s){}; the queue's event tables cannot rotate past its position (tick {})",
                            prefix, r.consumer(), r.queue(), Math.round(r.inactive()), Math.round(r.warn()),
                            r.batch() != null ? ", batch " + r.batch() + " open" : "", r.lastTick());
                }
            } else if (stuck.remove(r.key())) {
                log.info("{}: consumer {} of queue {} is moving again", prefix, r.consumer(), r.queue());
            }
        }
        stuck.retainAll(rows.keySet());
    }

    private void detach(Connection c, String prefix, Row r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pgq.unregister_consumer(?, ?)")) {
            ps.setString(1, r.queue());
            ps.setString(2, r.consumer());
            ps.executeQuery().close();
        }
        stuck.remove(r.key());
        detached.incrementAndGet();
        log.warn("{}: consumer {} of queue {} detached (unregistered) after {} s without next_batch or finish_batch"
                + " (stuck_consumer_detach {} s), so that the queue's event tables rotate again; its position was tick {}{}."
                + " To put it back there while that tick exists: select pgq.register_consumer_at('{}', '{}', {})",
                prefix, r.consumer(), r.queue(), Math.round(r.inactive()), Math.round(r.detach()), r.lastTick(),
                r.batch() != null ? " (batch " + r.batch() + " open, not finished)" : "",
                r.queue().replace("'", "''"), r.consumer().replace("'", "''"), r.lastTick());
    }

    /** A subscription of a queue with thresholds; seconds, null where unset. */
    private record Row(String queue, String consumer, double inactive, long lastTick, Long batch, Double warn, Double detach) {
        String key() {
            return queue + "/" + consumer;
        }
    }
}
