package org.pgqjava.pgq;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

import org.pgqjava.pljvm.PgException;
import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;

/**
 * Push delivery (pgq-java only; docs/push.md): a queue with {@code push} on gets a tick as soon
 * as a producer's commit wakes the ticker, at most one per {@code push_min_interval}, and each
 * of its ticks is announced to its consumers. Push decides when ticks happen, never what a batch
 * holds: a batch is still every event committed between two ticks' snapshots, and a lost
 * notification only leaves the tick to the next ordinary ticker round.
 *
 * <ul>
 * <li>Producers: the first insert into a push queue in a (sub)transaction sends
 *     {@code NOTIFY pgq_push, '<queue name>'}; PostgreSQL delivers it at commit, drops it on
 *     rollback.</li>
 * <li>The ticker (pgqadm) listens on {@value #PRODUCER_CHANNEL} and calls
 *     {@code pgq_java.push_ticker()}, which is {@code pgq.ticker()} and says how long to wait
 *     before the next push tick is due.</li>
 * <li>Each tick of a push queue sends {@code NOTIFY "<tick channel>", '<tick id>'} (the channel
 *     from {@code pgq_java.tick_channel(queue)}); a consumer LISTENs on it and calls next_batch
 *     when woken or when its own poll period passed.</li>
 * </ul>
 */
public final class Push {
    /** The channel producers' commits notify; the payload is the queue name. */
    static final String PRODUCER_CHANNEL = "pgq_push";
    /** A channel name is an identifier: at most NAMEDATALEN - 1 bytes. */
    private static final int MAX_CHANNEL_BYTES = 63;
    private static final String PREFIX = "pgq.";
    /**
     * The first key of the advisory locks by which the ticker says it is looking at a push
     * queue again by itself (the second key is the queue id): while the ticker's session holds
     * the queue's lock, producers need not notify (docs/push.md, "What happens", the looking lock).
     * 0x70677170, "pgqp".
     */
    static final int LOOKING_LOCK = 0x70677170;
    private static final String LOCK = "select pg_catalog.pg_try_advisory_lock($1, $2)";
    private static final String UNLOCK = "select pg_catalog.pg_advisory_unlock($1, $2)";
    /** Queue ids whose looking lock this (ticker) session holds. */
    private static final Set<Integer> HELD = new HashSet<>();

    private Push() {
    }

    /**
     * The channel a queue's ticks are announced on: {@code pgq.<queue name>}, or
     * {@code pgq.#<queue id>} when that would be longer than a channel name may be.
     */
    static String tickChannel(String queueName, int queueId) {
        if (PREFIX.length() + queueName.getBytes(StandardCharsets.UTF_8).length <= MAX_CHANNEL_BYTES) {
            return PREFIX + queueName;
        }
        return PREFIX + "#" + queueId;
    }

    /**
     * pgq_java.tick_channel(queue_name)
     *
     * <p>The channel to LISTEN on for the ticks of the queue (quote it: {@code LISTEN
     * "pgq.orders"}). Error 42704 when there is no such queue.
     */
    public static String tickChannelOf(String queueName) {
        Row q = queueName == null ? null
                : Spi.prepare("select queue_id from pgq.queue where queue_name = $1", "text").execute(queueName).one();
        if (q == null) {
            throw new PgException("42704", "No such queue: " + Pgq.fmt(queueName), null,
                    "List the queues with pgq.get_queue_info(); create one with pgq.create_queue(name).");
        }
        return tickChannel(queueName, q.getInt("queue_id"));
    }

    /**
     * pgq_java.push_ticker()
     *
     * <p>{@code pgq.ticker()}, for a ticker woken by a producer: ticks what is due (a push queue
     * with new events is due once push_min_interval passed since its last tick) and returns the
     * milliseconds until calling it again is useful — until a push queue with new events becomes
     * due, or the push_min_interval of a push queue it just ticked — or NULL when neither (then
     * wait for the next notification, at most loop_delay).
     */
    public static Double pushTicker() {
        double[] wait = {Double.NaN};
        Set<Integer> looking = new HashSet<>();
        Ticker.tickAll(wait, looking);
        hold(looking);
        return Double.isNaN(wait[0]) ? null : Math.max(0.0, wait[0]);
    }

    /**
     * Holds the looking lock (session level) of exactly the queues in {@code looking}. A lock a
     * producer holds shared for a moment (its check) is not waited for: the queue is then taken
     * as not looked at, and its producers notify, as without the lock. The set follows what
     * PostgreSQL granted, so a session lock is never taken twice nor left behind unknown.
     */
    private static void hold(Set<Integer> looking) {
        for (Iterator<Integer> it = HELD.iterator(); it.hasNext();) {
            Integer id = it.next();
            if (!looking.contains(id)) {
                Spi.prepare(UNLOCK, "int4", "int4").execute(LOOKING_LOCK, id);
                it.remove();
            }
        }
        for (Integer id : looking) {
            if (!HELD.contains(id)
                    && Boolean.TRUE.equals(Spi.prepare(LOCK, "int4", "int4").execute(LOOKING_LOCK, id).scalar())) {
                HELD.add(id);
            }
        }
    }
}
