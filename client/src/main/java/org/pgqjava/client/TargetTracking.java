package org.pgqjava.client;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The exactly-once bookkeeping in the target database (tables of db/pgq-client/changelog.xml):
 * which batch a consumer applied there last, identified by its end tick (a batch's id changes
 * when it is taken again, its ticks do not), and the events that batch gave back.
 *
 * <p>A batch is applied in one target transaction together with its row here; only then is it
 * finished in the queue's database. A crash between the two leaves the batch unfinished in the
 * queue but recorded here: taken again, it is recognised by its end tick, not applied again, its
 * retries are given back again from the recorded list, and it is finished.
 */
final class TargetTracking {

    private final Connection t;
    private final String queue;
    private final String consumer;

    TargetTracking(Connection target, String queue, String consumer) {
        this.t = target;
        this.queue = queue;
        this.consumer = consumer;
    }

    /**
     * The end tick of the last batch applied here, locked until the target transaction ends (a
     * second process running the same consumer waits here instead of applying the batch too);
     * null before the first.
     */
    Long lockLastTick() throws SQLException {
        try (PreparedStatement ps = t.prepareStatement("select last_tick_id from pgq_client.completed_batch"
                + " where queue_name = ? and consumer_name = ? for update")) {
            ps.setString(1, queue);
            ps.setString(2, consumer);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    /** The events the batch ending at {@code tickId} gave back: pairs of id and delay in seconds. */
    List<long[]> retriesOf(long tickId) throws SQLException {
        List<long[]> r = new ArrayList<>();
        try (PreparedStatement ps = t.prepareStatement("select ev_id, retry_seconds from pgq_client.batch_retry"
                + " where queue_name = ? and consumer_name = ? and tick_id = ? order by ev_id")) {
            ps.setString(1, queue);
            ps.setString(2, consumer);
            ps.setLong(3, tickId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    r.add(new long[] {rs.getLong(1), rs.getLong(2)});
                }
            }
        }
        return r;
    }

    /** Records the batch ending at {@code tickId} as applied, with the events it gives back. */
    void markApplied(long tickId, List<long[]> retries) throws SQLException {
        try (PreparedStatement ps = t.prepareStatement("insert into pgq_client.completed_batch"
                + " (queue_name, consumer_name, last_tick_id) values (?, ?, ?)"
                + " on conflict (queue_name, consumer_name)"
                + " do update set last_tick_id = excluded.last_tick_id, done_at = pg_catalog.now()")) {
            ps.setString(1, queue);
            ps.setString(2, consumer);
            ps.setLong(3, tickId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = t.prepareStatement(
                "delete from pgq_client.batch_retry where queue_name = ? and consumer_name = ?")) {
            ps.setString(1, queue);
            ps.setString(2, consumer);
            ps.executeUpdate();
        }
        if (retries.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = t.prepareStatement("insert into pgq_client.batch_retry"
                + " (queue_name, consumer_name, tick_id, ev_id, retry_seconds) values (?, ?, ?, ?, ?)"
                + " on conflict do nothing")) {
            for (long[] r : retries) {
                ps.setString(1, queue);
                ps.setString(2, consumer);
                ps.setLong(3, tickId);
                ps.setLong(4, r[0]);
                ps.setInt(5, (int) r[1]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The error for a batch that overlaps what the target applied without being that batch. */
    SQLException overlap(Batch batch, long lastTick) {
        return new SQLException(queue + "/" + consumer + ": the target database has applied this consumer's batches up to"
                + " tick " + lastTick + ", inside the batch now in hand (ticks " + batch.prevTickId() + ".." + batch.tickId()
                + "); applying it could apply events twice, so nothing was done"
                + "\n  Hint: this happens after the consumer was registered again at an older tick. To apply from there"
                + " on anyway, delete its row: delete from pgq_client.completed_batch where queue_name = '" + queue
                + "' and consumer_name = '" + consumer + "'", "55000");
    }
}
