package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.events;
import static org.pgqjava.pgq.PgqOps.finish;
import static org.pgqjava.pgq.PgqOps.insert;
import static org.pgqjava.pgq.PgqOps.nextBatch;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;
import static org.pgqjava.pgq.PgqOps.assertPgqError;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * Every error and warning text of reference §2, exactly (clients match on them), with SQLSTATE
 * P0001 where PgQ raises them from PL/pgSQL; and which calls give a row of NULLs, which no row
 * and which a warning. The texts were checked against Debian's PgQ 3.5.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class PgqErrorsIT {

    @Test
    void queueAdministration(Connection c) throws SQLException {
        createTickingQueue(c, "adm");
        assertPgqError("Invalid NULL value", c, "select pgq.create_queue(null)");
        assertPgqError("No such event queue", c, "select pgq.drop_queue('nq')");
        assertPgqError("No such event queue", c, "select pgq.drop_queue('nq', true)");
        assertPgqError("No such event queue", c, "select pgq.drop_queue(null, true)");
        assertNull(Sql.one(c, "select pgq.drop_queue(null)"), "drop_queue(1) is strict");
        register(c, "adm", "c");
        assertPgqError("cannot drop queue, consumers still attached", c, "select pgq.drop_queue('adm')");

        assertPgqError("Invalid NULL value", c, "select pgq.set_queue_config(null, 'ticker_max_count', '1')");
        assertPgqError("Invalid NULL value", c, "select pgq.set_queue_config('adm', null, '1')");
        assertPgqError("No such event queue", c, "select pgq.set_queue_config('nq', 'ticker_max_count', '1')");
        // the stray "s" is PgQ's
        assertPgqError("cannot change parameter \"queue_ticker_max_counts\"", c,
                "select pgq.set_queue_config('adm', 'queue_ticker_max_count', '1')");
        assertPgqError("cannot change parameter \"unknowns\"", c, "select pgq.set_queue_config('adm', 'unknown', '1')");
        assertPgqError("cannot change parameter \"disable_inserts\"", c,
                "select pgq.set_queue_config('adm', 'disable_insert', 'true')");
        assertEquals("query string argument of EXECUTE is null", Sql.assertSqlState("22004", c,
                "select pgq.set_queue_config('adm', 'ticker_max_count', null)"), "PgQ's NULL value error");

        assertPgqError("Event queue not found", c, "select pgq.current_event_table('nq')");
        assertPgqError("Queue not found", c, "select pgq.grant_perms('nq')");
        assertEquals(0L, Sql.oneLong(c, "select pgq.tune_storage('nq')"), "tune_storage: 0 for an unknown queue");
        assertEquals(1L, Sql.oneLong(c, "select pgq.tune_storage('adm')"));
        assertEquals(1L, Sql.oneLong(c, "select pgq.grant_perms('adm')"));
        assertNull(Sql.one(c, "select pgq.force_tick('nq')"), "force_tick of an unknown queue: NULL");
    }

    /** insert_event_raw is C in PgQ: its errors have SQLSTATE XX000 (elog) there, and here. */
    @Test
    void producing(Connection c) throws SQLException {
        createTickingQueue(c, "prod");
        PgqOps.assertInsertError("Queue name must not be NULL", c, "select pgq.insert_event(null, 't', 'd')");
        PgqOps.assertInsertError("Queue name must not be NULL", c, "select pgq.insert_event(null, 't', 'd', null, null, null, null)");
        PgqOps.assertInsertError("No such queue", c, "select pgq.insert_event('nq', 't', 'd')");
        PgqOps.assertInsertError("No such queue", c, "select pgq.insert_event_raw('nq', null, now(), null, null, 't', 'd',"
                + " null, null, null, null)");
        Sql.exec(c, "update pgq.queue set queue_disable_insert = true where queue_name = 'prod'");
        PgqOps.assertInsertError("Insert into queue disallowed", c, "select pgq.insert_event('prod', 't', 'd')");
        PgqOps.assertInsertError("Insert into queue disallowed", c, "select pgq.insert_event('prod', 't', 'd', 'a', 'b', 'c', 'd')");
        assertPgqError("Writing to queue disabled", c, "select pgq.current_event_table('prod')");
        Sql.exec(c, "update pgq.queue set queue_disable_insert = false, queue_per_tx_limit = 1 where queue_name = 'prod'");
        c.setAutoCommit(false);
        try {
            insert(c, "prod", "t", "d");
            PgqOps.assertInsertError("Queue 'prod' allows max 1 events from one TX", c, "select pgq.insert_event('prod', 't', 'd')");
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    @Test
    void subscribing(Connection c) throws SQLException {
        createTickingQueue(c, "sub");
        assertPgqError("Event queue not created yet", c, "select pgq.register_consumer('nq', 'c')");
        assertPgqError("Event queue not created yet", c, "select pgq.register_consumer(null, 'c')");
        assertPgqError("Event queue not created yet", c, "select pgq.register_consumer_at('nq', 'c', 1)");
        assertPgqError("cannot reposition, tick not found: 99", c, "select pgq.register_consumer_at('sub', 'c', 99)");
        register(c, "sub", "c");
        assertPgqError("cannot reposition, tick not found: 99", c, "select pgq.register_consumer_at('sub', 'c', 99)");
        assertEquals(0L, Sql.oneLong(c, "select pgq.unregister_consumer('sub', 'nobody')"));
        assertEquals(0L, Sql.oneLong(c, "select pgq.unregister_consumer('nq', 'c')"));

        createTickingQueue(c, "noticks");
        Sql.exec(c, "delete from pgq.tick where tick_queue = (select queue_id from pgq.queue where queue_name = 'noticks')");
        assertPgqError("No ticks for this queue.  Please run ticker on database.", c,
                "select pgq.register_consumer('noticks', 'c')");
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.subscription s join pgq.queue q on q.queue_id = s.sub_queue"
                + " where queue_name = 'noticks'"), "nothing registered");
    }

    @Test
    void batches(Connection c) throws SQLException {
        createTickingQueue(c, "bat");
        register(c, "bat", "c");
        for (String f : List.of("next_batch", "next_batch_info")) {
            assertPgqError("Not subscriber to queue: bat/x", c, "select pgq." + f + "('bat', 'x')");
            assertPgqError("Not subscriber to queue: bat/NULL", c, "select pgq." + f + "('bat', null)");
            assertPgqError("Not subscriber to queue: NULL/c", c, "select pgq." + f + "(null, 'c')");
            assertPgqError("Not subscriber to queue: nq/c", c, "select pgq." + f + "('nq', 'c')");
        }
        assertPgqError("Not subscriber to queue: bat/x", c, "select pgq.next_batch_custom('bat', 'x', null, null, null)");

        long none = 999_999;
        assertPgqError("batch not found", c, "select * from pgq.get_batch_events(?)", none);
        assertPgqError("batch not found", c, "select * from pgq.get_batch_events(null)");
        assertPgqError("batch not found", c, "select pgq.batch_event_sql(?)", none);
        assertPgqError("Cannot find data for batch 999999", c, "select * from pgq.batch_event_tables(?)", none);
        assertPgqError("batch_retry: batch 999999 not found", c, "select pgq.batch_retry(?, 0)", none);
        assertPgqError("batch_retry: batch <NULL> not found", c, "select pgq.batch_retry(null, 0)");
        assertPgqError("event not found", c, "select pgq.event_retry(?, 1, 0)", none);
        assertPgqError("event not found", c, "select pgq.event_retry(?, 1, now())", none);
        assertPgqError("consumer not registered", c, "select pgq.event_retry_raw('bat', 'x', now(), null, now(), 0,"
                + " 't', 'd', null, null, null, null)");

        // unknown batch: a row of NULLs, a warning and 0
        assertEquals(Collections.nCopies(9, null), Sql.row(c, "select * from pgq.get_batch_info(?)", none));
        Sql.Warned w = Sql.warned(c, "select pgq.finish_batch(?)", none);
        assertEquals(0, w.value());
        assertEquals(List.of("WARNING: finish_batch: batch 999999 not found"), w.warnings());
        w = Sql.warned(c, "select pgq.finish_batch(null)");
        assertEquals(0, w.value());
        assertEquals(List.of("WARNING: finish_batch: batch <NULL> not found"), w.warnings());
        // nothing to do: one row of NULLs, not no row
        assertEquals(Collections.nCopies(7, null), Sql.row(c, "select * from pgq.next_batch_info('bat', 'c')"));
        assertEquals(Collections.nCopies(7, null), Sql.row(c, "select * from pgq.next_batch_custom('bat', 'c', null, null, null)"));
        assertEquals(Collections.singletonList(null), Sql.row(c, "select pgq.next_batch('bat', 'c')"));

        // an event that is not in the batch
        insert(c, "bat", "t", "d");
        tick(c, "bat");
        long batch = nextBatch(c, "bat", "c");
        long ev = events(c, batch).get(0).id();
        assertPgqError("event not found", c, "select pgq.event_retry(?, ?, 0)", batch, ev + 1000);
        assertPgqError("event not found", c, "select pgq.event_retry(?, null, 0)", batch);
        assertEquals(1L, Sql.oneLong(c, "select pgq.event_retry(?, ?, 0)", batch, ev));
        finish(c, batch);

        // a subscription whose position tick is gone
        Sql.exec(c, "update pgq.subscription set sub_last_tick = 999 where sub_queue ="
                + " (select queue_id from pgq.queue where queue_name = 'bat')");
        assertPgqError("PgQ corruption: Consumer c on queue bat does not see tick <NULL>", c,
                "select pgq.next_batch('bat', 'c')");
    }

    @Test
    void ticker(Connection c) throws SQLException {
        createTickingQueue(c, "tck");
        assertPgqError("no such queue", c, "select pgq.ticker('nq')");
        assertPgqError("no such queue", c, "select pgq.ticker(null)");
        assertPgqError("queue not found or ticker disabled: nq", c, "select pgq.ticker('nq', 5, now(), 5)");
        assertPgqError("queue not found or ticker disabled: tck", c, "select pgq.ticker('tck', 5, now(), 5)");
        Sql.exec(c, "select pgq.set_queue_config('tck', 'external_ticker', 'true')");
        assertPgqError("This queue has external tick source.", c, "select pgq.ticker('tck')");
        Sql.exec(c, "select pgq.set_queue_config('tck', 'external_ticker', 'false')");
        Sql.exec(c, "select pgq.set_queue_config('tck', 'ticker_paused', 'true')");
        assertPgqError("Ticker has been paused for this queue", c, "select pgq.ticker('tck')");
        Sql.exec(c, "select pgq.set_queue_config('tck', 'ticker_paused', 'false')");

        String lastTick = "update pgq.tick set tick_snapshot = ?::txid_snapshot, tick_event_seq = ?"
                + " where tick_queue = (select queue_id from pgq.queue where queue_name = 'tck')";
        c.setAutoCommit(false);
        try {
            // the latest tick's xmin is above the current txid (a restore into a younger cluster)
            Sql.exec(c, lastTick, "99999990:99999999:", 1L);
            long txid = Sql.oneLong(c, "select txid_current()");
            assertPgqError("Invalid PgQ state: old xmin=99999990, old xmax=99999999, cur txid=" + txid, c,
                    "select pgq.ticker('tck')");
            c.rollback();

            txid = Sql.oneLong(c, "select txid_current()");
            Sql.exec(c, lastTick, (txid - 1) + ":99999999:", 500L);
            long seq = Sql.oneLong(c, "select last_value from pgq.event_" + queueId(c, "tck") + "_id_seq");
            Sql.Warned w = Sql.warned(c, "select pgq.ticker('tck')");
            assertEquals(List.of("WARNING: Negative new_events?  old=500 cur=" + seq,
                    "WARNING: Dubious PgQ state: old xmax=99999999, cur txid=" + txid), w.warnings());
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    @Test
    void maintenance(Connection c) throws SQLException {
        createTickingQueue(c, "mnt");
        register(c, "mnt", "c");
        Sql.exec(c, "select pgq.set_queue_config('mnt', 'rotation_period', '0')");
        Sql.exec(c, "update pgq.subscription set sub_last_tick = 999 where sub_queue = ?", queueId(c, "mnt"));
        assertPgqError("queue mnt maint failure: tick 999 not found", c, "select pgq.maint_rotate_tables_step1('mnt')");
        Sql.exec(c, "update pgq.subscription set sub_last_tick = 1 where sub_queue = ?", queueId(c, "mnt"));
        Sql.exec(c, "update pgq.queue set queue_switch_step1 = 999999999 where queue_name = 'mnt'");
        c.setAutoCommit(false);
        try {
            long txid = Sql.oneLong(c, "select txid_current()");
            assertPgqError("queue mnt maint failure: step1=999999999, current=" + txid, c,
                    "select pgq.maint_rotate_tables_step1('mnt')");
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
        assertEquals(0L, Sql.oneLong(c, "select pgq.maint_rotate_tables_step1('nq')"), "unknown queue: 0, no error");
        assertEquals(0L, Sql.oneLong(c, "select pgq.maint_rotate_tables_step1(null)"));
    }

    @Test
    void infoFunctionsGiveNoRowsForUnknownNames(Connection c) throws SQLException {
        assertEquals(List.of(), Sql.rows(c, "select * from pgq.get_queue_info('nq')"));
        assertEquals(List.of(), Sql.rows(c, "select * from pgq.get_consumer_info('nq')"));
        assertEquals(List.of(), Sql.rows(c, "select * from pgq.get_consumer_info('nq', 'c')"));
        assertPgqError("Cannot find data for batch <NULL>", c, "select * from pgq.batch_event_tables(null)");
        assertPgqError("batch not found", c, "select pgq.batch_event_sql(null)");
        assertEquals(Arrays.asList((Object) null), Sql.row(c, "select pgq.seq_getval(null)"), "strict");
    }

    private static int queueId(Connection c, String queue) throws SQLException {
        return (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = ?", queue);
    }

}
