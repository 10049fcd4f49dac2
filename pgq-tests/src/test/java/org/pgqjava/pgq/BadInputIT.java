package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pgq.PgqOps.data;
import static org.pgqjava.pgq.PgqOps.drainEvents;
import static org.pgqjava.pgq.PgqOps.events;
import static org.pgqjava.pgq.PgqOps.finish;
import static org.pgqjava.pgq.PgqOps.nextBatch;
import static org.pgqjava.pgq.PgqOps.tick;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.pgq.PgqOps.Event;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.util.ServerErrorMessage;
import org.pgqjava.testsupport.Sql;

/**
 * Bad and unusual input: NULL for every argument of the main functions, names that need quoting
 * (quotes, semicolons, spaces, non-ASCII) end to end with nothing injected, a 10 MB payload,
 * invalid configuration values.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 300, threadMode = ThreadMode.SEPARATE_THREAD)
class BadInputIT {
    /** SQLSTATE of an exception that escaped the Java code (pljvm) and of an internal error. */
    private static final List<String> INTERNAL = List.of("38000", "XX000", "XX001", "XX002");
    /**
     * PgQ's own XX000: its C insert_event_raw raises this one with elog, and so does pgq-java
     * (DifferentialNullsIT compares it with PgQ's).
     */
    private static final String PGQ_XX000 = "-> ERROR XX000 Queue name must not be NULL";

    private static final List<String> NAMES = List.of("q\"; drop table sentinel; --", "ö ü 日本", "with space",
            "semi;colon", "back\\slash", "'single'quote", "Mixed.Case.dot", "q'); drop table sentinel; --");

    @Test
    void nullForEveryArgumentIsAnErrorOrAResultNeverACrash(Connection c) throws SQLException {
        long[] ctx = NullMatrix.prepare(c);
        List<String> outcomes = NullMatrix.run(c, ctx[0], ctx[1]);
        List<String> bad = new ArrayList<>();
        for (String o : outcomes) {
            for (String state : INTERNAL) {
                if (o.contains("-> ERROR " + state + " ") && !o.endsWith(PGQ_XX000)) {
                    bad.add(o);
                }
            }
        }
        assertEquals(List.of(), bad, "internal errors (Java exceptions) for NULL arguments");
        assertEquals(1L, Sql.oneLong(c, "select count(*) from pgq.queue where queue_name = 'nq'"),
                "no call with a NULL argument dropped the queue");
        assertTrue(outcomes.size() > 80, "matrix ran: " + outcomes.size());
        assertEquals(1L, Sql.oneLong(c, "select 1"), "connection still usable");
    }

    @Test
    void namesThatNeedQuotingWorkEndToEndAndInjectNothing(Connection c) throws SQLException {
        Sql.exec(c, "create table sentinel (i int)");
        List<Integer> ids = new ArrayList<>();
        for (String q : NAMES) {
            String cons = q + " cons";
            assertEquals(1L, Sql.oneLong(c, "select pgq.create_queue(?)", q), q);
            ids.add((Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = ?", q));
            assertEquals(1L, Sql.oneLong(c, "select pgq.set_queue_config(?, 'ticker_max_lag', '0')", q));
            assertEquals(1L, Sql.oneLong(c, "select pgq.set_queue_config(?, 'ticker_idle_period', '0')", q));
            assertEquals(1L, Sql.oneLong(c, "select pgq.register_consumer(?, ?)", q, cons));
            long ev = Sql.oneLong(c, "select pgq.insert_event(?, ?, ?, ?, ?, ?, ?)", q, q, q, q, q, q, q);
            assertTrue(Sql.str(c, "select pgq.current_event_table(?)", q).matches("pgq\\.event_\\d+_0"));
            tick(c, q);
            long b = nextBatch(c, q, cons);
            List<Event> evs = events(c, b);
            assertEquals(List.of(new Event(ev, evs.get(0).txid(), null, q, q, q, q, q, q)), evs, q);
            assertEquals(List.of(q, cons), Sql.row(c, "select queue_name, consumer_name from pgq.get_batch_info(?)", b));
            c.setAutoCommit(false);
            String cursor = "c\"; drop table sentinel; -- " + q;
            assertEquals(1, PgqOps.read(c, "select * from pgq.get_batch_cursor(?, ?, 5)", b, cursor).size());
            c.commit();
            c.setAutoCommit(true);
            assertEquals(1L, Sql.oneLong(c, "select pgq.event_retry(?, ?, 0)", b, ev));
            assertEquals(1, finish(c, b));
            assertEquals(1L, Sql.oneLong(c, "select pgq.maint_retry_events()"));
            tick(c, q);
            assertEquals(List.of(q), data(drainEvents(c, q, cons)), "retried event back");
            assertEquals(1L, Sql.oneLong(c, "select count(*) from pgq.get_queue_info(?)", q));
            assertEquals(1L, Sql.oneLong(c, "select count(*) from pgq.get_consumer_info(?, ?)", q, cons));
            Sql.exec(c, "select pgq.force_tick(?)", q);
            tick(c, q);
            drainEvents(c, q, cons);
            Sql.exec(c, "select pgq.set_queue_config(?, 'rotation_period', '0')", q);
            Sql.exec(c, "select pgq.maint_rotate_tables_step1(?)", q);
            Sql.exec(c, "select pgq.maint_rotate_tables_step2()");
            assertEquals(1, Sql.one(c, "select queue_cur_table from pgq.queue where queue_name = ?", q), "rotated");
            assertEquals(0L, Sql.oneLong(c, "select pgq.register_consumer_at(?, ?, (select max(tick_id) from pgq.tick"
                    + " t join pgq.queue q on q.queue_id = t.tick_queue where q.queue_name = ?))", q, cons, q));
            assertEquals(1L, Sql.oneLong(c, "select pgq.unregister_consumer(?, ?)", q, cons));
            assertEquals(1L, Sql.oneLong(c, "select pgq.drop_queue(?)", q));
            assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.queue where queue_name = ?", q));
        }
        assertEquals(0L, Sql.oneLong(c, "select count(*) from sentinel"), "sentinel table still there");
        for (int id : ids) {
            for (String rel : List.of("", "_0", "_1", "_2", "_id_seq", "_tick_seq")) {
                assertEquals(null, Sql.one(c, "select to_regclass(?)::text", "pgq.event_" + id + rel), "dropped");
            }
        }
    }

    @Test
    void aTenMegabytePayloadRoundTrips(Connection c) throws SQLException {
        PgqOps.createTickingQueue(c, "big");
        PgqOps.register(c, "big", "big_c");
        StringBuilder sb = new StringBuilder(10 * 1024 * 1024);
        for (int i = 0; sb.length() < 10 * 1024 * 1024; i++) {
            sb.append("line ").append(i).append(" of a big payload\n");
        }
        String big = sb.substring(0, 10 * 1024 * 1024);
        StringBuilder mb = new StringBuilder();
        for (int i = 0; mb.length() < 1024 * 1024; i++) {
            mb.append("ö ü 日本 ").append(i).append(' ');
        }
        String multiByte = mb.toString();
        long id = Sql.oneLong(c, "select pgq.insert_event('big', 'big', ?)", big);
        long id2 = Sql.oneLong(c, "select pgq.insert_event('big', 'mb', 'd', ?, null, null, ?)", multiByte, big);
        tick(c, "big");
        long b = nextBatch(c, "big", "big_c");
        List<Event> evs = events(c, b);
        assertEquals(2, evs.size());
        assertEquals(id, evs.get(0).id());
        assertTrue(big.equals(evs.get(0).data()), "10 MB ev_data intact via get_batch_events");
        assertEquals(id2, evs.get(1).id());
        assertTrue(multiByte.equals(evs.get(1).extra1()) && big.equals(evs.get(1).extra4()), "extras intact");
        c.setAutoCommit(false);
        List<Event> viaCursor = PgqOps.read(c, "select * from pgq.get_batch_cursor(?, 'bigcur', 1)", b);
        viaCursor.addAll(PgqOps.read(c, "fetch all from bigcur"));
        c.commit();
        c.setAutoCommit(true);
        assertTrue(big.equals(viaCursor.get(0).data()) && big.equals(viaCursor.get(1).extra4()), "intact via cursor");
        assertEquals(2L, Sql.oneLong(c, "select pgq.batch_retry(?, 0)", b));
        finish(c, b);
        long moved = 0;
        for (long n = 1; n > 0; moved += n) {
            n = Sql.oneLong(c, "select pgq.maint_retry_events()"); // moved through the Java insert
        }
        assertTrue(moved >= 2, "moved " + moved);
        tick(c, "big");
        List<Event> again = drainEvents(c, "big", "big_c");
        assertEquals(2, again.size());
        assertTrue(big.equals(again.get(0).data()) && multiByte.equals(again.get(1).extra1())
                && big.equals(again.get(1).extra4()), "intact after retry");
    }

    /**
     * Payloads far over the backend's 64 MB Java heap (issue 14): insert_event(3) and (7) and
     * insert_event_raw take a 256 MB ev_data and 64 MB extras as PgQ does, the batch delivers them,
     * a retry moves them back. Compared in the server (md5), not carried through JDBC.
     */
    @Test
    void payloadsOverTheJavaHeapGoThroughInsertEventAndRetry(Connection c) throws SQLException {
        PgqOps.createTickingQueue(c, "huge");
        PgqOps.register(c, "huge", "huge_c");
        // 256 MB (16 bytes × 2^24) and 64 MB, different enough that compression does not hide a mix-up
        String big = "md5('big') || repeat('0123456789abcdef', 16777214)";
        String mid = "repeat('fedcba9876543210', 4194304)";
        Sql.exec(c, "create temp table want as select md5(" + big + ") as big, md5(" + mid + ") as mid,"
                + " length(" + big + ") as big_len");
        assertEquals(256L * 1024 * 1024, ((Number) Sql.one(c, "select big_len from want")).longValue());
        long a = Sql.oneLong(c, "select pgq.insert_event('huge', 'a', " + big + ")");
        long b = Sql.oneLong(c, "select pgq.insert_event('huge', 'b', 'small', " + mid + ", null, null, " + mid + ")");
        long r = Sql.oneLong(c, "select pgq.insert_event_raw('huge', null, now(), null, null, 'r', " + mid
                + ", null, null, null, null)");
        tick(c, "huge");
        long batch = nextBatch(c, "huge", "huge_c");
        String check = "select ev_id, md5(ev_data) = (select big from want), md5(ev_data) = (select mid from want),"
                + " md5(coalesce(ev_extra1, '')) = (select mid from want), md5(coalesce(ev_extra4, '')) = (select mid from want)"
                + " from pgq.get_batch_events(?) order by ev_id";
        List<List<Object>> expected = List.of(List.of(a, true, false, false, false), List.of(b, false, false, true, true),
                List.of(r, false, true, false, false));
        assertEquals(expected, Sql.rows(c, check, batch));
        assertEquals(3L, Sql.oneLong(c, "select pgq.batch_retry(?, 0)", batch));
        finish(c, batch);
        long moved = 0;
        for (long n = 1; n > 0; moved += n) {
            n = Sql.oneLong(c, "select pgq.maint_retry_events()");
        }
        assertEquals(3L, moved);
        tick(c, "huge");
        long again = nextBatch(c, "huge", "huge_c");
        assertEquals(expected, Sql.rows(c, check, again));
        assertEquals(List.of(1, 1, 1), Sql.column(c, "select ev_retry from pgq.get_batch_events(?) order by ev_id", again));
        finish(c, again);
    }

    @Test
    void invalidConfigValuesAreClearErrorsAndChangeNothing(Connection c) throws SQLException {
        PgqOps.createTickingQueue(c, "conf");
        String row = "select row(q.*)::text from pgq.queue q where queue_name = 'conf'";
        String before = Sql.str(c, row);
        String[][] bad = {
            {"ticker_max_count", "abc"}, {"ticker_max_count", "-5"}, {"ticker_max_count", "1.5"},
            {"ticker_max_count", "99999999999"}, {"ticker_max_count", ""}, {"ticker_max_lag", "abc"},
            {"ticker_max_lag", "-3 seconds"}, {"ticker_idle_period", "-1 minute"}, {"rotation_period", "-1 hour"},
            {"rotation_period", "forever"}, {"ticker_paused", "maybe"}, {"external_ticker", ""},
            {"unknown_param", "1"}, {"queue_ticker_max_count", "1"}, {"ticker_max_count'; drop table x; --", "1"},
        };
        for (String[] kv : bad) {
            ServerErrorMessage m = Sql.error(c, "select pgq.set_queue_config('conf', ?, ?)", kv[0], kv[1]);
            String what = kv[0] + " = '" + kv[1] + "': " + m.getSQLState() + " " + m.getMessage();
            assertFalse(INTERNAL.contains(m.getSQLState()), what);
            assertTrue(m.getMessage().contains(kv[0]) || (!kv[1].isEmpty() && m.getMessage().contains(kv[1]))
                    || m.getMessage().contains("\"\""), "the message names the parameter or the value: " + what);
            assertEquals(before, Sql.str(c, row), "queue row unchanged after " + what);
        }
        assertEquals(1L, Sql.oneLong(c, "select pgq.set_queue_config('conf', 'ticker_max_count', '0')"), "0 is valid");
        assertEquals(1L, Sql.oneLong(c, "select pgq.set_queue_config('conf', 'rotation_period', '0')"));
        assertNotEquals(before, Sql.str(c, row));
    }

    @Test
    void cursorArgumentsAtTheirLimits(Connection c) throws SQLException {
        PgqOps.createTickingQueue(c, "curlim");
        PgqOps.register(c, "curlim", "curlim_c");
        Sql.exec(c, "select pgq.insert_event('curlim', 't', x::text) from generate_series(1, 3) x");
        tick(c, "curlim");
        long b = nextBatch(c, "curlim", "curlim_c");
        c.setAutoCommit(false);
        try {
            assertEquals(List.of(), PgqOps.read(c, "select * from pgq.get_batch_cursor(?, 'neg', -5)", b));
            assertEquals(3, PgqOps.read(c, "fetch all from neg").size());
            Sql.assertSqlState("42601", c, "select * from pgq.get_batch_cursor(?, 'syn', 5, 'this is not sql')", b);
            c.rollback();
            assertEquals(List.of("2"), data(PgqOps.read(c, "select * from pgq.get_batch_cursor(?, 'w', 5, 'ev_data = ''2''')", b)));
            c.commit();
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
        try (PreparedStatement ps = c.prepareStatement("select * from pgq.get_batch_events(?)")) {
            ps.setLong(1, b);
            try (ResultSet rs = ps.executeQuery()) {
                int n = 0;
                while (rs.next()) {
                    n++;
                }
                assertEquals(3, n);
            }
        }
    }
}
