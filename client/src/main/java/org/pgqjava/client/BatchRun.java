package org.pgqjava.client;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at one batch, in one transaction on the consumer's connection: next_batch_info, the
 * events through the handler, event_retry for the events given back, finish_batch, commit. Any
 * failure rolls the whole transaction back, so the batch stays the consumer's next one.
 */
final class BatchRun implements BatchContext {

    private static final Logger log = LoggerFactory.getLogger(Consumer.class);

    private final Consumer.Settings s;
    private final Connection c;
    /** The target's connection in exactly-once mode, else null. */
    private final Connection t;
    private final BooleanSupplier stopRequested;
    private final BooleanSupplier abandoned;
    private Batch batch;
    private long events;
    /** Whether the batch's cursor was opened with the batch (nextBatch), not by BatchEvents. */
    private boolean cursorOpen;
    /** Events given back: ids and delays in whole seconds (event_retry's int4 form), in pairs. */
    private final List<long[]> retries = new ArrayList<>();

    BatchRun(Consumer.Settings s, Connection c, Connection t, BooleanSupplier stopRequested, BooleanSupplier abandoned) {
        this.s = s;
        this.c = c;
        this.t = t;
        this.stopRequested = stopRequested;
        this.abandoned = abandoned;
    }

    /**
     * Runs the attempt; returns the batch handled, or null when there was none (the transaction
     * is then committed: it only read). The caller rolls back when this throws.
     */
    Batch run() throws Exception {
        batch = s.subconsumer != null ? coopNextBatch() : nextBatch();
        if (batch == null) {
            c.commit();
            return null;
        }
        if (t == null) {
            events = handleEvents();
            finish();
            debugDone(events);
            return batch;
        }
        TargetTracking tracking = new TargetTracking(t, s.queue, s.consumer);
        Long last = tracking.lockLastTick();
        if (last != null && last == batch.tickId()) {
            // applied in the target, but its finish_batch never committed: finish it now
            retries.addAll(tracking.retriesOf(batch.tickId()));
            t.rollback();
            log.info("{}/{}: batch of ticks {}..{} was applied to the target before; finishing it in the queue"
                    + " ({} retries given back again)", s.queue, s.consumer, batch.prevTickId(), batch.tickId(), retries.size());
            finish();
            return batch;
        }
        if (last != null && last > batch.prevTickId()) {
            throw tracking.overlap(batch, last);
        }
        events = handleEvents();
        tracking.markApplied(batch.tickId(), retries);
        s.steps.reached("handled");
        t.commit();
        s.steps.reached("target-committed");
        finish();
        debugDone(events);
        return batch;
    }

    /** Gives the batch's events to the handler; returns how many were read. */
    private long handleEvents() throws Exception {
        long events;
        try (BatchEvents evs = new BatchEvents(c, batch.id(), s.fetchSize, cursorOpen, abandoned)) {
            if (s.batchHandler != null) {
                s.batchHandler.handle(evs, this);
            } else {
                for (Event e : evs) {
                    handle(e);
                }
            }
            events = evs.count();
        }
        if (abandoned.getAsBoolean()) {
            throw new BatchEvents.Abandoned();
        }
        return events;
    }

    /** event_retry for the events given back, finish_batch, commit: the batch is done in the queue. */
    private void finish() throws Exception {
        for (long[] r : retries) {
            eventRetry(r[0], r[1]);
        }
        finishBatch();
        s.steps.reached("finished");
        c.commit();
        s.steps.reached("committed");
    }

    private void debugDone(long events) {
        if (log.isDebugEnabled()) {
            log.debug("{}/{}: batch {} (ticks {}..{}) done: {} events read, {} retried", s.queue, s.consumer,
                    batch.id(), batch.prevTickId(), batch.tickId(), events, retries.size());
        }
    }

    int retried() {
        return retries.size();
    }

    /** Events read from the batch (0 for a batch the target had applied before). */
    long events() {
        return events;
    }

    private void handle(Event e) throws Exception {
        try {
            s.eventHandler.handle(e, this);
        } catch (Exception ex) {
            if (s.failedEventDelay == null || ex instanceof BatchEvents.Abandoned) {
                throw ex;
            }
            log.warn("{}/{}: event {} of batch {} failed, retried in {} s: {}", s.queue, s.consumer, e.id(),
                    batch.id(), seconds(s.failedEventDelay), ex.toString());
            retry(e, s.failedEventDelay);
        }
    }

    /**
     * pgq.next_batch_info, and in the same statement (one round trip less per batch) the batch's
     * cursor opened with pgq.get_batch_cursor (strict: nothing is opened when there is no batch).
     */
    private Batch nextBatch() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select b.batch_id, b.cur_tick_id, b.prev_tick_id, b.cur_tick_time,"
                + " b.prev_tick_time, b.cur_tick_event_seq, b.prev_tick_event_seq,"
                + " (select count(*) from pgq.get_batch_cursor(b.batch_id, '" + BatchEvents.CURSOR + "', 0))"
                + " from pgq.next_batch_info(?, ?) b")) {
            ps.setString(1, s.queue);
            ps.setString(2, s.consumer);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long id = rs.getLong(1);
                if (rs.wasNull()) {
                    return null;
                }
                cursorOpen = true;
                return new Batch(id, rs.getLong(2), rs.getLong(3), rs.getObject(4, OffsetDateTime.class),
                        rs.getObject(5, OffsetDateTime.class), rs.getLong(6), rs.getLong(7));
            }
        }
    }

    private void eventRetry(long eventId, long seconds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pgq.event_retry(?, ?, ?::int4)")) {
            ps.setLong(1, batch.id());
            ps.setLong(2, eventId);
            ps.setLong(3, seconds);
            ps.executeQuery().close();
        }
    }

    /**
     * A cooperative consumer's next batch: pgq_coop.next_batch, then a commit, because that call
     * locks the main consumer's subscription and the other sub-consumers wait for the lock. The
     * batch stays this sub-consumer's until pgq_coop.finish_batch; after a failure it comes back
     * to it (or, once it counts as dead, to another sub-consumer).
     */
    private Batch coopNextBatch() throws SQLException {
        Long id;
        try (PreparedStatement ps = c.prepareStatement(s.takeOverAfter == null ? "select pgq_coop.next_batch(?, ?, ?)"
                : "select pgq_coop.next_batch(?, ?, ?, ? * interval '1 millisecond')")) {
            ps.setString(1, s.queue);
            ps.setString(2, s.consumer);
            ps.setString(3, s.subconsumer);
            if (s.takeOverAfter != null) {
                ps.setLong(4, s.takeOverAfter.toMillis());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
                if (rs.wasNull()) {
                    return null;
                }
            }
        }
        Batch b;
        try (PreparedStatement ps = c.prepareStatement("select tick_id, prev_tick_id, batch_end, batch_start, seq_end,"
                + " seq_start from pgq.get_batch_info(?)")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                b = new Batch(id, rs.getLong(1), rs.getLong(2), rs.getObject(3, OffsetDateTime.class),
                        rs.getObject(4, OffsetDateTime.class), rs.getLong(5), rs.getLong(6));
            }
        }
        c.commit();
        return b;
    }

    private void finishBatch() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(s.subconsumer != null ? "select pgq_coop.finish_batch(?)"
                : "select pgq.finish_batch(?)")) {
            ps.setLong(1, batch.id());
            ps.executeQuery().close();
        }
    }

    /** Whole seconds, rounded up: event_retry takes seconds, and a retry must not come early. */
    static long seconds(Duration d) {
        long s = d.getSeconds();
        return d.getNano() > 0 ? s + 1 : s;
    }

    @Override
    public Batch batch() {
        return batch;
    }

    @Override
    public String queue() {
        return s.queue;
    }

    @Override
    public String consumer() {
        return s.consumer;
    }

    @Override
    public Connection connection() {
        return t != null ? t : c;
    }

    @Override
    public void retry(Event event, Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("retry delay must not be negative: " + delay);
        }
        long sec = seconds(delay);
        if (sec > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("retry delay over " + Integer.MAX_VALUE + " s: " + delay);
        }
        retries.add(new long[] {event.id(), sec});
    }

    @Override
    public boolean stopRequested() {
        return stopRequested.getAsBoolean();
    }
}
