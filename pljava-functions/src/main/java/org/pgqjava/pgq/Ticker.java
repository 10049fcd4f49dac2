package org.pgqjava.pgq;

import java.time.OffsetDateTime;
import java.util.Set;

import org.pgqjava.pljvm.Pg;
import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;

/** Ticks: pgq.ticker (all three forms) and pgq.force_tick. The decision stays here, in the database. */
public final class Ticker {
    /**
     * The queue and its latest tick, with the interval comparisons the decision needs done in SQL
     * (lag = now() - last tick time). lag_under_twice_prev_gap is NULL when there is no tick
     * before the last one; the last_tick_* columns are NULL when the queue has no tick.
     */
    private static final String STATE_SELECT = "select q.queue_name, q.queue_id, q.queue_tick_seq, q.queue_event_seq,"
            + " q.queue_external_ticker, q.queue_ticker_paused, q.queue_ticker_max_count,"
            // last_value of the event sequence (its start value while never used), as
            // select last_value from <seq> gives it, for all queues in one statement
            + " coalesce(pg_catalog.pg_sequence_last_value(q.queue_event_seq::pg_catalog.regclass),"
            + "   (select es.seqstart from pg_catalog.pg_sequence es"
            + "     where es.seqrelid = q.queue_event_seq::pg_catalog.regclass)) as event_seq_last,"
            + " t.tick_id as last_tick_id, t.tick_event_seq as last_tick_event_seq,"
            + " pg_catalog.txid_snapshot_xmin(t.tick_snapshot) as last_tick_xmin,"
            + " pg_catalog.txid_snapshot_xmax(t.tick_snapshot) as last_tick_xmax,"
            + " pg_catalog.now() - t.tick_time < q.queue_ticker_max_lag as lag_under_max_lag,"
            + " pg_catalog.now() - t.tick_time < q.queue_ticker_max_lag / 2 as lag_under_half_max_lag,"
            + " pg_catalog.now() - t.tick_time < q.queue_ticker_idle_period as lag_under_idle_period,"
            + " (select pg_catalog.now() - t.tick_time < (t.tick_time - p.tick_time) * 2 from pgq.tick p"
            + "   where p.tick_queue = q.queue_id and p.tick_id < t.tick_id"
            + "   order by p.tick_queue desc, p.tick_id desc limit 1) as lag_under_twice_prev_gap,"
            // push delivery (Push): due once push_min_interval passed since the last tick
            + " coalesce(c.push, false) as push,"
            + " t.tick_time is null or pg_catalog.now() - t.tick_time >= c.push_min_interval as push_due,"
            + " pg_catalog.date_part('epoch', c.push_min_interval - (pg_catalog.now() - t.tick_time)) * 1000"
            + "   as push_wait_ms,"
            + " pg_catalog.date_part('epoch', c.push_min_interval) * 1000 as push_interval_ms"
            + " from pgq.queue q left join lateral (select * from pgq.tick where tick_queue = q.queue_id"
            + "   order by tick_queue desc, tick_id desc limit 1) t on true"
            // a probe of the primary key per queue: as a plain join (no statistics on these small
            // tables) the planner builds hash tables in every call, a fifth of an idle ticker()
            + " left join lateral (select c.push, c.push_min_interval from pgq_java.queue_config c"
            + "   where c.queue_id = q.queue_id offset 0) c on true";
    private static final String STATE = STATE_SELECT + " where q.queue_name = $1";
    /** The queues ticker() walks, with their state, in one statement. */
    private static final String STATE_ALL = STATE_SELECT
            + " where not q.queue_external_ticker and not q.queue_ticker_paused order by q.queue_name";
    private static final String NOTIFY = "select pg_catalog.pg_notify($1, $2)";
    private static final String INSERT_TICK = "insert into pgq.tick (tick_queue, tick_id, tick_event_seq)"
            + " values ($1, pg_catalog.nextval($2::pg_catalog.regclass), $3) returning tick_id";

    private Ticker() {
    }

    /**
     * pgq.ticker()
     *
     * <p>Ticks every queue that is neither external-ticked nor paused, in name order, where
     * ticker(queue) decides a tick is due. Returns: the number of queues that got a tick.
     */
    public static long tickAll() {
        return tickAll(null, null);
    }

    /**
     * {@link #tickAll()}; with {@code wait} not null, wait[0] becomes the least milliseconds
     * until calling again is useful: until a push queue with new events that is not due yet
     * becomes due, or the push_min_interval of a push queue this call ticked (left as it is
     * when there is neither); {@code looking} (not null with wait) then gets the ids of those
     * queues: the caller looks at them again by itself, without a producer's notification.
     */
    static long tickAll(double[] wait, Set<Integer> looking) {
        long ticked = 0;
        long[] txid = {0};
        // one statement for the state of every queue (PgQ runs ticker(queue) per queue)
        for (Row q : Spi.prepare(STATE_ALL).execute()) {
            Long id = tickIfDue(q, txid, wait, looking);
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
        Row q = Spi.prepare(STATE, "text").execute(queueName).one();
        if (q == null) {
            throw Pgq.error("no such queue");
        }
        if (q.getBoolean("queue_external_ticker")) {
            throw Pgq.error("This queue has external tick source.");
        }
        if (q.getBoolean("queue_ticker_paused")) {
            throw Pgq.error("Ticker has been paused for this queue");
        }
        return tickIfDue(q, new long[] {0}, null, null);
    }

    /**
     * The decision of ticker(queue) on a row of STATE, and the tick if one is due; txid[0] is
     * this transaction's txid once read (0 before), shared by the queues of one ticker() call;
     * wait and looking as in {@link #tickAll(double[], Set)}, or null.
     */
    private static Long tickIfDue(Row q, long[] txid, double[] wait, Set<Integer> looking) {
        boolean push = q.getBoolean("push");
        long eventSeq = q.getLong("event_seq_last");
        Long lastTick = q.getLong("last_tick_id");
        if (lastTick != null) {
            if (txid[0] == 0) {
                txid[0] = Spi.prepare("select pg_catalog.txid_current()").executeLong();
            }
            long xmin = q.getLong("last_tick_xmin");
            long xmax = q.getLong("last_tick_xmax");
            if (xmin > txid[0]) {
                throw Pgq.error("Invalid PgQ state: old xmin=" + xmin + ", old xmax=" + xmax + ", cur txid=" + txid[0]);
            }
            Long tickSeq = q.getLong("last_tick_event_seq");
            Long newEvents = tickSeq == null ? null : eventSeq - tickSeq;
            if (newEvents != null && newEvents < 0) {
                Pg.warning("Negative new_events?  old=" + tickSeq + " cur=" + eventSeq);
            }
            if (xmax > txid[0]) {
                Pg.warning("Dubious PgQ state: old xmax=" + xmax + ", cur txid=" + txid[0]);
            }
            if (newEvents != null && newEvents > 0) {
                // busy: wait for max_count events or max_lag, or with push for push_min_interval
                if (newEvents < q.getInt("queue_ticker_max_count") && q.getBoolean("lag_under_max_lag")) {
                    if (!push || !Boolean.TRUE.equals(q.getBoolean("push_due"))) {
                        if (push) {
                            lookAgain(q, q.getDouble("push_wait_ms"), wait, looking);
                        }
                        return null;
                    }
                }
            } else {
                // idle: the gap doubles from max_lag / 2 up to idle_period
                Boolean underTwiceGap = q.getBoolean("lag_under_twice_prev_gap");
                if (underTwiceGap != null && (q.getBoolean("lag_under_half_max_lag")
                        || (underTwiceGap && q.getBoolean("lag_under_idle_period")))) {
                    return null;
                }
            }
        }
        long tick = Spi.prepare(INSERT_TICK, "int4", "text", "int8")
                .executeLong(q.getInt("queue_id"), q.getString("queue_tick_seq"), eventSeq);
        if (push) {
            // delivered at commit, with the tick: a consumer woken by it finds the batch
            Spi.prepare(NOTIFY, "text", "text").execute(
                    Push.tickChannel(q.getString("queue_name"), q.getInt("queue_id")), Long.toString(tick));
            // a busy queue gets more events: look again when the next push tick may come, so
            // that a steady stream ticks every interval without waiting for notifications
            lookAgain(q, q.getDouble("push_interval_ms"), wait, looking);
        }
        return tick;
    }

    /** A push queue the caller of push_ticker() is to look at again in {@code ms}: wait and looking as in tickAll. */
    private static void lookAgain(Row q, Double ms, double[] wait, Set<Integer> looking) {
        if (wait == null || ms == null) {
            return;
        }
        if (!(ms >= wait[0])) {
            wait[0] = ms;   // NaN (none yet) compares false
        }
        looking.add(q.getInt("queue_id"));
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
                + " returning (select queue_tick_seq from pgq.queue where queue_name = $1) as queue_tick_seq,"
                + " (select queue_event_seq from pgq.queue where queue_name = $1) as queue_event_seq",
                "text", "int8", "timestamptz", "int8").execute(queueName, tickId, origTimestamp, eventSeq).one();
        if (q == null) {
            throw Pgq.error("queue not found or ticker disabled: " + Pgq.fmt(queueName));
        }
        Spi.prepare("select pgq.seq_setval($1, $2), pgq.seq_setval($3, $4)", "text", "int8", "text", "int8")
                .execute(q.getString("queue_tick_seq"), tickId, q.getString("queue_event_seq"), eventSeq);
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
        Row last = Spi.execute("select tick_id from pgq.tick, pgq.queue where tick_queue = queue_id"
                + " and queue_name = $1 order by tick_queue desc, tick_id desc limit 1", queueName).one();
        return last == null ? null : last.getLong("tick_id");
    }
}
