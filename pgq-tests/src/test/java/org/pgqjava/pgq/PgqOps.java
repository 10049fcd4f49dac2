package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.pgqjava.testsupport.Sql;

/** PgQ calls the tests share: queues that tick on every call, reading batches, draining a consumer. */
final class PgqOps {
    /** SQLSTATE of PL/pgSQL's RAISE EXCEPTION, which PgQ uses for all its errors. */
    static final String RAISE_EXCEPTION = "P0001";

    private PgqOps() {
    }

    /** One row of a batch reader (ev_owner is not returned by PgQ). */
    record Event(long id, long txid, Integer retry, String type, String data,
                 String extra1, String extra2, String extra3, String extra4) {
    }

    /** One finished batch of {@link #drain}. */
    record Batch(long id, long prevTick, long curTick, List<Event> events) {
    }

    /**
     * Creates {@code queue} (must be new) and makes pgq.ticker(queue) tick on every call:
     * ticker_max_lag 0 (a queue with new events ticks at once) and ticker_idle_period 0 (an idle
     * one too).
     */
    static void createTickingQueue(Connection c, String queue) throws SQLException {
        assertEquals(1L, Sql.oneLong(c, "select pgq.create_queue(?)", queue), "create_queue " + queue);
        Sql.exec(c, "select pgq.set_queue_config(?, 'ticker_max_lag', '0')", queue);
        Sql.exec(c, "select pgq.set_queue_config(?, 'ticker_idle_period', '0')", queue);
    }

    /** pgq.ticker(queue), which must tick; returns the new tick id. */
    static long tick(Connection c, String queue) throws SQLException {
        Long id = Sql.longOrNull(c, "select pgq.ticker(?)", queue);
        assertNotNull(id, () -> "ticker(" + queue + ") did not tick");
        return id;
    }

    static long register(Connection c, String queue, String consumer) throws SQLException {
        return Sql.oneLong(c, "select pgq.register_consumer(?, ?)", queue, consumer);
    }

    static long insert(Connection c, String queue, String type, String data) throws SQLException {
        return Sql.oneLong(c, "select pgq.insert_event(?, ?, ?)", queue, type, data);
    }

    static Long nextBatch(Connection c, String queue, String consumer) throws SQLException {
        return Sql.longOrNull(c, "select pgq.next_batch(?, ?)", queue, consumer);
    }

    /** pgq.get_batch_events(batch). */
    static List<Event> events(Connection c, long batchId) throws SQLException {
        return read(c, "select * from pgq.get_batch_events(?)", batchId);
    }

    /** Event rows of any batch reader query. */
    static List<Event> read(Connection c, String sql, Object... args) throws SQLException {
        List<Event> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(event(rs));
                }
            }
        }
        return out;
    }

    static Event event(ResultSet rs) throws SQLException {
        return new Event(rs.getLong("ev_id"), rs.getLong("ev_txid"), (Integer) rs.getObject("ev_retry"),
                rs.getString("ev_type"), rs.getString("ev_data"), rs.getString("ev_extra1"),
                rs.getString("ev_extra2"), rs.getString("ev_extra3"), rs.getString("ev_extra4"));
    }

    static int finish(Connection c, long batchId) throws SQLException {
        return (int) Sql.oneLong(c, "select pgq.finish_batch(?)", batchId);
    }

    /**
     * Reads and finishes batches of {@code consumer} until next_batch gives NULL (no tick after
     * its position); does not tick. Checks that batches are consecutive in tick ids.
     */
    static List<Batch> drain(Connection c, String queue, String consumer) throws SQLException {
        List<Batch> batches = new ArrayList<>();
        for (int guard = 0; guard < 100_000; guard++) {
            List<Object> info = Sql.row(c, "select batch_id, prev_tick_id, cur_tick_id from pgq.next_batch_info(?, ?)",
                    queue, consumer);
            if (info.get(0) == null) {
                return batches;
            }
            long id = ((Number) info.get(0)).longValue();
            long prev = ((Number) info.get(1)).longValue();
            long cur = ((Number) info.get(2)).longValue();
            if (!batches.isEmpty()) {
                assertEquals(batches.get(batches.size() - 1).curTick(), prev, "batches must be consecutive");
            }
            batches.add(new Batch(id, prev, cur, events(c, id)));
            assertEquals(1, finish(c, id), "finish_batch " + id);
        }
        throw new AssertionError("consumer " + consumer + " never caught up");
    }

    /** All events of {@link #drain}, in delivery order. */
    static List<Event> drainEvents(Connection c, String queue, String consumer) throws SQLException {
        List<Event> all = new ArrayList<>();
        for (Batch b : drain(c, queue, consumer)) {
            all.addAll(b.events());
        }
        return all;
    }

    static List<String> data(List<Event> events) {
        List<String> out = new ArrayList<>();
        for (Event e : events) {
            out.add(e.data());
        }
        return out;
    }

    static List<Long> ids(List<Event> events) {
        List<Long> out = new ArrayList<>();
        for (Event e : events) {
            out.add(e.id());
        }
        return out;
    }

    /** {@code sql} must fail with PgQ's error: SQLSTATE P0001 (PL/pgSQL's RAISE EXCEPTION, which PgQ uses for all its errors) and exactly {@code message}. */
    static void assertPgqError(String message, Connection c, String sql, Object... args) {
        Sql.assertError(RAISE_EXCEPTION, message, c, sql, args);
    }

    /**
     * {@code sql} must fail as PgQ's C insert_event_raw fails (elog ERROR): SQLSTATE XX000 and
     * exactly {@code message} ("Queue name must not be NULL", "No such queue", "Insert into queue
     * disallowed", "Queue '<q>' allows max <n> events from one TX").
     */
    static void assertInsertError(String message, Connection c, String sql, Object... args) {
        Sql.assertError("XX000", message, c, sql, args);
    }

    /** The backend of {@code c} waits for a lock (seen from {@code observer}). */
    static boolean waitsForLock(Connection observer, int pid) {
        try {
            return Sql.oneLong(observer, "select count(*) from pg_locks where pid = ? and not granted", pid) > 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

}
