package org.pgqjava.pgq;

import java.time.OffsetDateTime;

import org.pgqjava.pljvm.Pg;
import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;

/** Ticks: pgq.ticker (all three forms) and pgq.force_tick. The decision stays here, in the database. */
public final class Ticker {
    /** The queue and its latest tick, with the interval comparisons the decision needs done in SQL. */
    private static final String STATE = "select q.queue_id, q.queue_tick_seq, q.queue_event_seq,"
            + " q.queue_external_ticker, q.queue_ticker_paused, q.queue_ticker_max_count,"
            + " t.tick_id, t.tick_event_seq,"
            + " pg_catalog.txid_snapshot_xmin(t.tick_snapshot), pg_catalog.txid_snapshot_xmax(t.tick_snapshot),"
            + " pg_catalog.now() - t.tick_time < q.queue_ticker_max_lag,"
            + " pg_catalog.now() - t.tick_time < q.queue_ticker_max_lag / 2,"
            + " pg_catalog.now() - t.tick_time < q.queue_ticker_idle_period,"
            + " (select pg_catalog.now() - t.tick_time < (t.tick_time - p.tick_time) * 2 from pgq.tick p"
            + "   where p.tick_queue = q.queue_id and p.tick_id < t.tick_id"
            + "   order by p.tick_queue desc, p.tick_id desc limit 1)"
            + " from pgq.queue q left join lateral (select * from pgq.tick where tick_queue = q.queue_id"
            + "   order by tick_queue desc, tick_id desc limit 1) t on true"
            + " where q.queue_name = $1";

    private Ticker() {
    }

    /**
     * pgq.ticker()
     *
     * <p>Ticks every queue that is neither external-ticked nor paused, in name order, where
     * ticker(queue) decides a tick is due. Returns: the number of queues that got a tick.
     */
    public static long tickAll() {
        long ticked = 0;
        for (Row r : Spi.execute("select queue_name from pgq.queue"
                + " where not queue_external_ticker and not queue_ticker_paused order by queue_name")) {
            Long id = tick(r.getString(0));
            if (id != null && id > 0) {
                ticked++;
            }
        }
        return ticked;
    }

    /**
     * pgq.ticker(i_queue_name)
     *
     * <p>Inserts a tick (this transaction's snapshot) unless none is due: a queue with new events
     * ticks once ticker_max_count events accumulated or ticker_max_lag passed; an idle queue
     * ticks with a gap that doubles from max_lag/2 up to ticker_idle_period (§3.8).
     * Returns: the new tick id, or NULL. Errors: "no such queue", "This queue has external tick
     * source.", "Ticker has been paused for this queue", "Invalid PgQ state: old xmin=<a>, old
     * xmax=<b>, cur txid=<c>". Warnings: "Negative new_events?  old=<o> cur=<c>", "Dubious PgQ
     * state: old xmax=<b>, cur txid=<c>". Tables directly manipulated: insert into pgq.tick.
     */
    public static Long tick(String queueName) {
        Row q = Spi.execute(STATE, queueName).one();
        if (q == null) {
            throw Pgq.error("no such queue");
        }
        if (q.getBoolean(3)) {
            throw Pgq.error("This queue has external tick source.");
        }
        if (q.getBoolean(4)) {
            throw Pgq.error("Ticker has been paused for this queue");
        }
        long eventSeq = lastValue(q.getString(2));
        Long lastTick = q.getLong(6);
        if (lastTick != null) {
            long txid = Spi.execute("select pg_catalog.txid_current()").get(0).getLong(0);
            long xmin = q.getLong(8);
            long xmax = q.getLong(9);
            if (xmin > txid) {
                throw Pgq.error("Invalid PgQ state: old xmin=" + xmin + ", old xmax=" + xmax + ", cur txid=" + txid);
            }
            Long tickSeq = q.getLong(7);
            Long newEvents = tickSeq == null ? null : eventSeq - tickSeq;
            if (newEvents != null && newEvents < 0) {
                Pg.warning("Negative new_events?  old=" + tickSeq + " cur=" + eventSeq);
            }
            if (xmax > txid) {
                Pg.warning("Dubious PgQ state: old xmax=" + xmax + ", cur txid=" + txid);
            }
            if (newEvents != null && newEvents > 0) {
                if (newEvents < q.getInt(5) && q.getBoolean(10)) {
                    return null;
                }
            } else {
                Boolean underTwiceGap = q.getBoolean(13);
                if (underTwiceGap != null && (q.getBoolean(11) || (underTwiceGap && q.getBoolean(12)))) {
                    return null;
                }
            }
        }
        return Spi.execute("insert into pgq.tick (tick_queue, tick_id, tick_event_seq)"
                + " values ($1, pg_catalog.nextval($2::regclass), $3) returning tick_id",
                q.getInt(0), q.getString(1), eventSeq).get(0).getLong(0);
    }

    /**
     * pgq.ticker(i_queue_name, i_tick_id, i_orig_timestamp, i_event_seq)
     *
     * <p>External (cascaded) ticker: inserts the given tick into an external-ticked, not paused
     * queue and raises both queue sequences to at least the given values. Returns: i_tick_id.
     * Error: "queue not found or ticker disabled: <q>".
     */
    public static Long tickExternal(String queueName, Long tickId, OffsetDateTime origTimestamp, Long eventSeq) {
        Row q = Spi.prepare("insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq)"
                + " select queue_id, $2, $3, $4 from pgq.queue"
                + " where queue_name = $1 and queue_external_ticker and not queue_ticker_paused"
                + " returning (select queue_tick_seq from pgq.queue where queue_name = $1),"
                + " (select queue_event_seq from pgq.queue where queue_name = $1)",
                "text", "int8", "timestamptz", "int8").execute(queueName, tickId, origTimestamp, eventSeq).one();
        if (q == null) {
            throw Pgq.error("queue not found or ticker disabled: " + Pgq.fmt(queueName));
        }
        Spi.prepare("select pgq.seq_setval($1, $2), pgq.seq_setval($3, $4)", "text", "int8", "text", "int8")
                .execute(q.getString(0), tickId, q.getString(1), eventSeq);
        return tickId;
    }

    /**
     * pgq.force_tick(i_queue_name)
     *
     * <p>Does not tick: advances the event sequence by ticker_max_count * 2 + 1000 (for queues
     * that are not external-ticked or paused) so that the next ticker run ticks at once.
     * Returns: the id of the queue's current last tick (poll until it changes).
     */
    public static Long forceTick(String queueName) {
        Spi.execute("select pg_catalog.setval(queue_event_seq::regclass, pg_catalog.nextval(queue_event_seq::regclass)"
                + " + queue_ticker_max_count * 2 + 1000) from pgq.queue"
                + " where queue_name = $1 and not queue_external_ticker and not queue_ticker_paused", queueName);
        return (Long) Spi.execute("select tick_id from pgq.tick, pgq.queue where tick_queue = queue_id"
                + " and queue_name = $1 order by tick_queue desc, tick_id desc limit 1", queueName).scalar();
    }

    /** last_value of a sequence named by schema-qualified text (1 for a sequence never used). */
    static long lastValue(String sequence) {
        return Spi.execute("select last_value from " + Pgq.quoteFqname(sequence)).get(0).getLong(0);
    }
}
