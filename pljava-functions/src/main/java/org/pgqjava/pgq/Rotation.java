package org.pgqjava.pgq;

import org.pgqjava.pljvm.PgException;
import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;

/**
 * Event table rotation in two transactions (reference §3.6): step1 truncates the oldest table
 * and makes it current; step2, in a later transaction, records a txid that every transaction
 * which could still see the old current table is below.
 */
public final class Rotation {
    /** SQLSTATE of a lock that NOWAIT could not get. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private Rotation() {
    }

    /**
     * pgq.maint_rotate_tables_step1(i_queue_name)
     *
     * <p>Rotates the queue if its rotation period passed, the previous rotation completed and
     * the slowest consumer no longer needs the previous table (its position's xmin is above
     * step2). Skips silently if the table to truncate is locked (e.g. by pg_dump). Deletes ticks
     * older than the previous rotation. Returns: 0. Errors: "queue <q> maint failure:
     * step1=<a>, current=<b>", "queue <q> maint failure: tick <n> not found".
     * Tables directly manipulated: truncate of an event table, pgq.queue, pgq.tick.
     */
    public static int step1(String queueName) {
        Row q = Spi.execute("select queue_id, queue_cur_table, queue_ntables, queue_data_pfx,"
                + " queue_switch_step1, queue_switch_step2, pg_catalog.txid_current() as txid from pgq.queue"
                + " where queue_name = $1 and queue_rotation_period is not null and queue_switch_step2 is not null"
                + " and queue_switch_time + queue_rotation_period < pg_catalog.now() for update", queueName).one();
        if (q == null) {
            return 0;
        }
        int queueId = q.getInt("queue_id");
        long step1 = q.getLong("queue_switch_step1");
        long step2 = q.getLong("queue_switch_step2");
        long txid = q.getLong("txid");
        if (txid < step1) {
            throw Pgq.error("queue " + queueName + " maint failure: step1=" + step1 + ", current=" + txid);
        }
        Long lowestTick = Spi.execute("select min(sub_last_tick) as lowest_tick from pgq.subscription"
                + " where sub_queue = $1", queueId).one().getLong("lowest_tick");
        if (lowestTick != null) {
            Row t = Spi.execute("select pg_catalog.txid_snapshot_xmin(tick_snapshot) as tick_xmin from pgq.tick"
                    + " where tick_queue = $1 and tick_id = $2", queueId, lowestTick).one();
            if (t == null) {
                throw Pgq.error("queue " + queueName + " maint failure: tick " + lowestTick + " not found");
            }
            if (t.getLong("tick_xmin") <= step2) {
                return 0; // the slowest consumer may still read the previous table
            }
        }
        int next = (q.getInt("queue_cur_table") + 1) % q.getInt("queue_ntables");
        String table = Pgq.quoteFqname(q.getString("queue_data_pfx") + "_" + next);
        try {
            Spi.subtransaction(() -> Spi.executeOnce("lock table " + table + " nowait"));
        } catch (PgException e) {
            if (LOCK_NOT_AVAILABLE.equals(e.getSqlState())) {
                return 0;
            }
            throw e;
        }
        Spi.executeOnce("truncate " + table);
        Spi.execute("update pgq.queue set queue_cur_table = $1, queue_switch_time = pg_catalog.now(),"
                + " queue_switch_step1 = pg_catalog.txid_current(), queue_switch_step2 = null where queue_id = $2",
                next, queueId);
        Producer.forget();
        Spi.execute("delete from pgq.tick where tick_queue = $1"
                + " and pg_catalog.txid_snapshot_xmin(tick_snapshot) < $2", queueId, step2);
        return 0;
    }

    /**
     * pgq.maint_rotate_tables_step2()
     *
     * <p>Sets queue_switch_step2 = txid_current() for every queue in the middle of a rotation.
     * Must run in a later transaction than step1. Returns: 0.
     */
    public static int step2() {
        Spi.execute("update pgq.queue set queue_switch_step2 = pg_catalog.txid_current()"
                + " where queue_switch_step2 is null");
        return 0;
    }
}
