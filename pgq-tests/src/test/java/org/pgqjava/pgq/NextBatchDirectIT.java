package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.insert;
import static org.pgqjava.pgq.PgqOps.nextBatch;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * next_batch_info runs next_batch_custom's Java itself (SqlFunction) while next_batch_custom is
 * pgq-java's own and the caller may run it; otherwise it calls next_batch_custom through SQL, as
 * PgQ's next_batch_info does: a replaced next_batch_custom is what runs, and a caller without
 * EXECUTE on it is refused. And next_batch's own lean read gives what next_batch_custom gives.
 */
@PgTest(setup = PgqTemplate.class)
class NextBatchDirectIT {
    private static final String ROLE = "pgqt_nbd_" + ProcessHandle.current().pid();
    private static final String SIGNATURE = "pgq.next_batch_custom(text, text, interval, int4, interval)";

    @Test
    void nextBatchInfoGivesNextBatchCustomsRowAsAReaderAndCallsAReplacementByName(Connection c, PgDatabase db)
            throws SQLException {
        createTickingQueue(c, "nbd");
        register(c, "nbd", "cons");
        insert(c, "nbd", "t", "one");
        tick(c, "nbd");
        Sql.exec(c, "drop role if exists " + ROLE);
        Sql.exec(c, "create role " + ROLE + " login in role pgq_reader");
        try (Connection r = DriverManager.getConnection(
                db.jdbcUrl().replace("user=" + db.server().superuser(), "user=" + ROLE))) {
            List<Object> info = Sql.row(r, "select * from pgq.next_batch_info('nbd', 'cons')");
            assertNotNull(info.get(0), "a batch");
            assertEquals(info, Sql.row(r, "select * from pgq.next_batch_custom('nbd', 'cons', null, null, null)"));
            assertEquals(info.get(0), Sql.one(r, "select pgq.next_batch('nbd', 'cons')"));
            PgqOps.assertPgqError("Not subscriber to queue: nbd/nobody", r,
                    "select * from pgq.next_batch_info('nbd', 'nobody')");

            // replaced: next_batch_info calls the replacement
            Sql.exec(c, "create table nbd_calls (who text)");
            Sql.exec(c, "grant insert on nbd_calls to public");
            Sql.exec(c, "alter function " + SIGNATURE + " rename to next_batch_custom_orig");
            try {
                Sql.exec(c, "create function pgq.next_batch_custom(i_queue_name text, i_consumer_name text,"
                        + " i_min_lag interval, i_min_count int4, i_min_interval interval,"
                        + " out batch_id int8, out cur_tick_id int8, out prev_tick_id int8,"
                        + " out cur_tick_time timestamptz, out prev_tick_time timestamptz,"
                        + " out cur_tick_event_seq int8, out prev_tick_event_seq int8)"
                        + " language plpgsql security definer set search_path = pg_catalog, pg_temp as $$"
                        + " begin insert into public.nbd_calls values (session_user);"
                        + " select * into batch_id, cur_tick_id, prev_tick_id, cur_tick_time, prev_tick_time,"
                        + " cur_tick_event_seq, prev_tick_event_seq"
                        + " from pgq.next_batch_custom_orig(i_queue_name, i_consumer_name, i_min_lag, i_min_count,"
                        + " i_min_interval); end $$");
                Sql.exec(c, "grant execute on function " + SIGNATURE + " to pgq_reader");
                assertEquals(info, Sql.row(r, "select * from pgq.next_batch_info('nbd', 'cons')"));
                assertEquals(List.of(List.of(ROLE)), Sql.rows(c, "select who from nbd_calls"),
                        "the replacement ran, once");

                // no EXECUTE on next_batch_custom: refused as SQL refuses it
                Sql.exec(c, "revoke execute on function " + SIGNATURE + " from pgq_reader, public");
                String msg = Sql.assertSqlState("42501", r, "select * from pgq.next_batch_info('nbd', 'cons')");
                assertTrue(msg.startsWith("permission denied for function next_batch_custom"), msg);
            } finally {
                Sql.exec(c, "drop function if exists " + SIGNATURE);
                Sql.exec(c, "alter function pgq.next_batch_custom_orig(text, text, interval, int4, interval)"
                        + " rename to next_batch_custom");
            }
            // pgq-java's own again: the direct path, the wrapper's table untouched
            Sql.exec(c, "truncate nbd_calls");
            assertEquals(info, Sql.row(r, "select * from pgq.next_batch_info('nbd', 'cons')"));
            Sql.exec(c, "revoke execute on function " + SIGNATURE + " from pgq_reader");
            String msg = Sql.assertSqlState("42501", r, "select * from pgq.next_batch_info('nbd', 'cons')");
            assertTrue(msg.startsWith("permission denied for function next_batch_custom"), msg);
            Sql.exec(c, "grant execute on function " + SIGNATURE + " to pgq_reader");
            assertEquals(info, Sql.row(r, "select * from pgq.next_batch_info('nbd', 'cons')"));
            assertEquals(0L, Sql.oneLong(c, "select count(*) from nbd_calls"));
        } finally {
            Sql.exec(c, "drop owned by " + ROLE);
            Sql.exec(c, "drop role " + ROLE);
        }
    }

    @Test
    void nextBatchOpensTheBatchNextBatchCustomWouldOpen(Connection c) throws SQLException {
        createTickingQueue(c, "lean");
        register(c, "lean", "a");
        register(c, "lean", "b");
        assertNull(nextBatch(c, "lean", "a"), "no tick after the registration yet");
        insert(c, "lean", "t", "one");
        long t2 = tick(c, "lean");
        insert(c, "lean", "t", "two");
        tick(c, "lean");
        long a = nextBatch(c, "lean", "a");
        List<Object> b = Sql.row(c, "select batch_id, prev_tick_id, cur_tick_id"
                + " from pgq.next_batch_custom('lean', 'b', null, null, null)");
        assertEquals(List.of(a, b.get(1), t2), Sql.row(c, "select sub_batch, sub_last_tick, sub_next_tick"
                + " from pgq.subscription s join pgq.consumer on co_id = sub_consumer where co_name = 'a'"),
                "the same range as next_batch_custom's: up to the next tick, not the newest");
        assertEquals(t2, b.get(2));
        assertEquals(a, nextBatch(c, "lean", "a"), "the open batch again");
        PgqOps.assertPgqError("Not subscriber to queue: lean/c", c, "select pgq.next_batch('lean', 'c')");
        PgqOps.assertPgqError("Not subscriber to queue: NULL/a", c, "select pgq.next_batch(null, 'a')");
    }
}
