package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.data;
import static org.pgqjava.pgq.PgqOps.drainEvents;
import static org.pgqjava.pgq.PgqOps.insert;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;
import org.pgqjava.testsupport.Await;

/**
 * Queue knobs (reference §1.2, §2.6, §2.7, §3.8): per-transaction insert limit, disabled
 * inserts and the replica exception, external and paused tickers, the ticker's decision, the
 * rows of maint_operations and maint_tables_to_vacuum.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class QueueConfigIT {

    @Test
    void perTransactionLimitCountsPerTransactionAndQueue(Connection c, PgDatabase db) throws SQLException {
        createTickingQueue(c, "lim");
        createTickingQueue(c, "lim_other");
        register(c, "lim", "lim_c");
        Sql.exec(c, "update pgq.queue set queue_per_tx_limit = 3 where queue_name in ('lim', 'lim_other')");
        try (Connection p = db.connect()) {
            p.setAutoCommit(false);
            insert(p, "lim", "t", "a1");
            Sql.exec(p, "select pgq.insert_event('lim', 't', 'a2', null, null, null, null)");
            insert(p, "lim", "t", "a3");
            insert(p, "lim_other", "t", "other counts apart");
            assertEquals("Queue 'lim' allows max 3 events from one TX",
                    Sql.error(p, "select pgq.insert_event('lim', 't', 'a4')").getMessage());
            p.rollback();

            for (int i = 1; i <= 3; i++) {
                insert(p, "lim", "t", "b" + i); // a new transaction counts from 0
            }
            p.commit();
            p.setAutoCommit(true);
            for (int i = 1; i <= 5; i++) {
                insert(p, "lim", "t", "c" + i); // each its own transaction
            }
            p.setAutoCommit(false);
            Sql.exec(p, "select pgq.insert_event('lim', 't', 'd' || x) from generate_series(1, 3) x");
            assertEquals("Queue 'lim' allows max 3 events from one TX",
                    Sql.error(p, "select pgq.insert_event('lim', 't', 'd4')").getMessage());
            p.rollback();
            Sql.exec(p, "savepoint s");
            insert(p, "lim", "t", "e1");
            Sql.exec(p, "rollback to savepoint s");
            insert(p, "lim", "t", "e2");
            insert(p, "lim", "t", "e3");
            p.commit();
        }
        tick(c, "lim");
        List<String> got = data(drainEvents(c, "lim", "lim_c"));
        assertEquals(List.of("b1", "b2", "b3", "c1", "c2", "c3", "c4", "c5", "e2", "e3"), got,
                "nothing of the failed transactions");

        Sql.exec(c, "update pgq.queue set queue_per_tx_limit = 0 where queue_name = 'lim'");
        assertEquals("Queue 'lim' allows max 0 events from one TX",
                Sql.error(c, "select pgq.insert_event('lim', 't', 'x')").getMessage(), "limit 0 forbids all");
        Sql.exec(c, "update pgq.queue set queue_per_tx_limit = null where queue_name = 'lim'");
        c.setAutoCommit(false);
        Sql.exec(c, "select pgq.insert_event('lim', 't', x::text) from generate_series(1, 50) x");
        c.commit();
        c.setAutoCommit(true);
    }

    @Test
    void disabledInsertsExceptAsReplica(Connection c) throws SQLException {
        createTickingQueue(c, "dis");
        register(c, "dis", "dis_c");
        Sql.exec(c, "update pgq.queue set queue_disable_insert = true where queue_name = 'dis'");
        assertEquals("Insert into queue disallowed", Sql.error(c, "select pgq.insert_event('dis', 't', 'no')").getMessage());
        PgqOps.assertPgqError("Writing to queue disabled", c, "select pgq.current_event_table('dis')");
        Sql.exec(c, "set session_replication_role = replica");
        insert(c, "dis", "t", "as replica");
        assertEquals("pgq.event_" + Sql.one(c, "select queue_id from pgq.queue where queue_name = 'dis'") + "_0",
                Sql.str(c, "select pgq.current_event_table('dis')"));
        Sql.exec(c, "set session_replication_role = local");
        assertEquals("Insert into queue disallowed", Sql.error(c, "select pgq.insert_event('dis', 't', 'no')").getMessage(),
                "only replica, not local");
        Sql.exec(c, "reset session_replication_role");
        tick(c, "dis");
        assertEquals(List.of("as replica"), data(drainEvents(c, "dis", "dis_c")));
    }

    @Test
    void externalTicker(Connection c) throws SQLException {
        createTickingQueue(c, "ext");
        register(c, "ext", "ext_c");
        int id = (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = 'ext'");
        assertEquals(1L, Sql.oneLong(c, "select pgq.set_queue_config('ext', 'external_ticker', 'true')"));
        PgqOps.assertPgqError("This queue has external tick source.", c, "select pgq.ticker('ext')");
        long ticks = Sql.oneLong(c, "select count(*) from pgq.tick where tick_queue = ?", id);
        Sql.exec(c, "select pgq.ticker()");
        assertEquals(ticks, Sql.oneLong(c, "select count(*) from pgq.tick where tick_queue = ?", id), "ticker() skips it");
        insert(c, "ext", "t", "e");
        long seqBefore = Sql.oneLong(c, "select last_value from pgq.event_" + id + "_id_seq");
        assertEquals(1L, Sql.oneLong(c, "select pgq.force_tick('ext')"), "force_tick: last tick, nothing else");
        assertEquals(seqBefore, Sql.oneLong(c, "select last_value from pgq.event_" + id + "_id_seq"));

        OffsetDateTime when = OffsetDateTime.of(2020, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);
        assertEquals(10L, Sql.oneLong(c, "select pgq.ticker('ext', 10, ?, 100)", when));
        assertEquals(List.of(10L, 100L, true), Sql.row(c, "select tick_id, tick_event_seq, tick_time = ? from pgq.tick"
                + " where tick_queue = ? and tick_id = 10", when, id));
        assertEquals(10L, Sql.oneLong(c, "select last_value from pgq.event_" + id + "_tick_seq"), "tick sequence raised");
        assertEquals(100L, Sql.oneLong(c, "select last_value from pgq.event_" + id + "_id_seq"), "event sequence raised");
        assertEquals(List.of("e"), data(drainEvents(c, "ext", "ext_c")), "batch 1 -> 10");
        // lower values never lower the sequences
        assertEquals(11L, Sql.oneLong(c, "select pgq.ticker('ext', 11, now(), 50)"));
        assertEquals(100L, Sql.oneLong(c, "select last_value from pgq.event_" + id + "_id_seq"));

        Sql.exec(c, "select pgq.set_queue_config('ext', 'external_ticker', 'false')");
        PgqOps.assertPgqError("queue not found or ticker disabled: ext", c, "select pgq.ticker('ext', 12, now(), 200)");
        assertEquals(12L, tick(c, "ext"), "local ticking continues after the external ids");
    }

    @Test
    void pausedTicker(Connection c) throws SQLException {
        createTickingQueue(c, "paused");
        int id = (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = 'paused'");
        assertEquals(1L, Sql.oneLong(c, "select pgq.set_queue_config('paused', 'ticker_paused', 'true')"));
        PgqOps.assertPgqError("Ticker has been paused for this queue", c, "select pgq.ticker('paused')");
        long ticksBefore = Sql.oneLong(c, "select count(*) from pgq.tick");
        long ticked = Sql.oneLong(c, "select pgq.ticker()");
        assertEquals(ticksBefore + ticked, Sql.oneLong(c, "select count(*) from pgq.tick"), "ticker() counts what it ticked");
        assertEquals(1L, Sql.oneLong(c, "select count(*) from pgq.tick where tick_queue = ?", id), "paused queue skipped");
        long seq = Sql.oneLong(c, "select last_value from pgq.event_" + id + "_id_seq");
        Sql.exec(c, "select pgq.force_tick('paused')");
        assertEquals(seq, Sql.oneLong(c, "select last_value from pgq.event_" + id + "_id_seq"), "force_tick: nothing");
        Sql.exec(c, "select pgq.set_queue_config('paused', 'external_ticker', 'true')");
        PgqOps.assertPgqError("queue not found or ticker disabled: paused", c, "select pgq.ticker('paused', 5, now(), 5)");
        Sql.exec(c, "select pgq.set_queue_config('paused', 'external_ticker', 'false')");
        Sql.exec(c, "select pgq.set_queue_config('paused', 'ticker_paused', 'false')");
        assertEquals(2L, tick(c, "paused"));
        assertEquals(List.of(false, false), Sql.row(c, "select queue_ticker_paused, queue_external_ticker"
                + " from pgq.get_queue_info('paused')"));
    }

    /** §3.8 with the default knobs; tick times are moved into the past instead of waiting. */
    @Test
    void tickerDecision(Connection c) throws SQLException {
        assertEquals(1L, Sql.oneLong(c, "select pgq.create_queue('dec')"));
        int id = (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = 'dec'");
        String ticker = "select pgq.ticker('dec')";
        assertEquals(2L, Sql.oneLong(c, ticker), "only one tick so far: an idle queue ticks");
        moveTicks(c, id, "0 seconds", null);
        assertNull(Sql.one(c, ticker), "idle, latest tick younger than max_lag/2");
        insert(c, "dec", "t", "x");
        moveTicks(c, id, "0 seconds", null);
        assertNull(Sql.one(c, ticker), "event 1 leaves last_value at 1: still idle");
        Sql.exec(c, "select pgq.set_queue_config('dec', 'ticker_max_count', '3')");
        Sql.exec(c, "select pgq.insert_event('dec', 't', 'y') from generate_series(1, 2)");
        moveTicks(c, id, "0 seconds", null);
        assertNull(Sql.one(c, ticker), "2 new events < max_count 3, lag < 3 s");
        insert(c, "dec", "t", "y3");
        assertEquals(3L, Sql.oneLong(c, ticker), "max_count new events: tick");
        insert(c, "dec", "t", "z");
        moveTicks(c, id, "0 seconds", null);
        assertNull(Sql.one(c, ticker), "1 new event, lag < 3 s");
        moveTicks(c, id, "4 seconds", null);
        assertEquals(4L, Sql.oneLong(c, ticker), "new events and lag >= max_lag: tick");

        // idle back-off: gap between the last two ticks decides
        moveTicks(c, id, "2 seconds", "10 seconds");
        assertNull(Sql.one(c, ticker), "idle, lag 2 s < twice the 8 s gap");
        moveTicks(c, id, "2 seconds", "2.5 seconds");
        assertEquals(5L, Sql.oneLong(c, ticker), "idle, lag 2 s >= twice the 0.5 s gap");
        moveTicks(c, id, "1 second", "61 seconds");
        assertNull(Sql.one(c, ticker), "idle, lag below max_lag / 2");
        moveTicks(c, id, "61 seconds", "100 seconds");
        assertEquals(6L, Sql.oneLong(c, ticker), "idle, lag >= idle_period: tick");
        Sql.exec(c, "select pgq.set_queue_config('dec', 'ticker_idle_period', '2 minutes')");
        moveTicks(c, id, "61 seconds", "100 seconds");
        assertNull(Sql.one(c, ticker), "idle, lag < idle_period and < twice the gap");
    }

    /** Sets the time of the queue's latest tick to now - lastAgo and of the one before to now - prevAgo. */
    private static void moveTicks(Connection c, int id, String lastAgo, String prevAgo) throws SQLException {
        Sql.exec(c, "update pgq.tick set tick_time = now() - ?::interval where tick_queue = ? and tick_id ="
                + " (select max(tick_id) from pgq.tick where tick_queue = ?)", lastAgo, id, id);
        if (prevAgo != null) {
            Sql.exec(c, "update pgq.tick set tick_time = now() - ?::interval where tick_queue = ? and tick_id ="
                    + " (select max(tick_id) - 1 from pgq.tick where tick_queue = ?)", prevAgo, id, id);
        }
    }

    /** The only test of this class that makes queues due for rotation or gives them extra maintenance. */
    @Test
    void maintOperationsListsWhatADaemonRuns(Connection c) throws SQLException {
        for (String q : List.of("mo_b", "mo_a", "mo_c")) {
            createTickingQueue(c, q);
        }
        String ops = "select func_name, coalesce(func_arg, '<null>') from pgq.maint_operations()";
        assertEquals(List.of(), Sql.rows(c, ops), "nothing due: 2 hours not over, autovacuum on");
        Sql.exec(c, "select pgq.set_queue_config('mo_b', 'rotation_period', '0')");
        Sql.exec(c, "select pgq.set_queue_config('mo_a', 'rotation_period', '0')");
        Sql.exec(c, "update pgq.queue set queue_extra_maint = array['x.two', 'x.one'] where queue_name = 'mo_c'");
        Sql.exec(c, "update pgq.queue set queue_extra_maint = array['y.only'] where queue_name = 'mo_a'");
        assertEquals(List.of(
                List.of("pgq.maint_rotate_tables_step1", "mo_a"),
                List.of("pgq.maint_rotate_tables_step1", "mo_b"),
                List.of("pgq.maint_rotate_tables_step2", "<null>"),
                List.of("y.only", "mo_a"),
                List.of("x.two", "mo_c"),
                List.of("x.one", "mo_c")), Sql.rows(c, ops));
        Sql.exec(c, "select pgq.maint_rotate_tables_step1('mo_a')");
        assertEquals(List.of(
                List.of("pgq.maint_rotate_tables_step1", "mo_b"),
                List.of("pgq.maint_rotate_tables_step2", "<null>"),
                List.of("y.only", "mo_a"),
                List.of("x.two", "mo_c"),
                List.of("x.one", "mo_c")), Sql.rows(c, ops), "mo_a waits for step2");
        Sql.exec(c, "select pgq.set_queue_config('mo_b', 'rotation_period', '1 day')");
        assertEquals(List.of(
                List.of("pgq.maint_rotate_tables_step2", "<null>"),
                List.of("y.only", "mo_a"),
                List.of("x.two", "mo_c"),
                List.of("x.one", "mo_c")), Sql.rows(c, ops), "step2 alone while a rotation is half done");
        Sql.exec(c, "select pgq.maint_rotate_tables_step2()");
        Sql.exec(c, "update pgq.queue set queue_extra_maint = null");
        Sql.exec(c, "select pgq.set_queue_config('mo_a', 'rotation_period', '1 day')");
        assertEquals(List.of(), Sql.rows(c, ops));
        assertEquals(List.of(), Sql.rows(c, "select * from pgq.maint_tables_to_vacuum()"), "autovacuum is on");
    }

    /**
     * autovacuum cannot be SET in a session; it is switched off server-wide (ALTER SYSTEM and
     * reload) for this test and back on afterwards.
     */
    @Test
    void withoutAutovacuumTheMetadataTablesNeedVacuum(Connection c, PgDatabase db) throws SQLException {
        List<List<Object>> tables = List.of(List.of("pgq.subscription"), List.of("pgq.consumer"), List.of("pgq.queue"),
                List.of("pgq.tick"), List.of("pgq.retry_queue"));
        try {
            Sql.exec(c, "alter system set autovacuum = off");
            Sql.exec(c, "select pg_reload_conf()");
            Await.until("autovacuum off in new sessions", Duration.ofSeconds(60), () -> setting(db).equals("off"));
            try (Connection s = db.connect()) {
                assertEquals(tables, Sql.rows(s, "select * from pgq.maint_tables_to_vacuum()"));
                List<List<Object>> vac = Sql.rows(s, "select func_name, func_arg from pgq.maint_operations()"
                        + " where func_name = 'vacuum'");
                assertEquals(tables.stream().map(t -> List.<Object>of("vacuum", t.get(0))).toList(), vac);
            }
        } finally {
            Sql.exec(c, "alter system reset autovacuum");
            Sql.exec(c, "select pg_reload_conf()");
            Await.until("autovacuum back on", Duration.ofSeconds(60), () -> setting(db).equals("on"));
        }
    }

    private static String setting(PgDatabase db) {
        try (Connection s = db.connect()) {
            return Sql.str(s, "select current_setting('autovacuum')");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void setQueueConfigChangesTheNamedColumn(Connection c) throws SQLException {
        createTickingQueue(c, "cfg");
        for (String[] kv : new String[][] {{"ticker_max_count", "42", "42"}, {"ticker_max_lag", "7 seconds", "00:00:07"},
            {"ticker_idle_period", "2 minutes", "00:02:00"}, {"rotation_period", "1 hour", "01:00:00"},
            {"ticker_paused", "true", "true"}, {"external_ticker", "on", "true"}}) {
            assertEquals(1L, Sql.oneLong(c, "select pgq.set_queue_config('cfg', ?, ?)", kv[0], kv[1]), kv[0]);
            assertEquals(kv[2], Sql.str(c, "select queue_" + kv[0] + "::text from pgq.queue where queue_name = 'cfg'"), kv[0]);
        }
        assertNotNull(Sql.one(c, "select 1 from pgq.get_queue_info('cfg') where queue_ticker_max_count = 42"
                + " and queue_ticker_max_lag = '7 seconds' and queue_rotation_period = '1 hour'"));
        assertTrue(Arrays.asList(true, true).equals(Sql.row(c, "select queue_ticker_paused, queue_external_ticker"
                + " from pgq.get_queue_info('cfg')")));
    }

    /** pgq-java's stuck consumer thresholds: set, turned off three ways, bad values refused with nothing changed. */
    @Test
    void stuckConsumerThresholds(Connection c) throws SQLException {
        createTickingQueue(c, "stk");
        String row = "select coalesce(extract(epoch from stuck_consumer_warn)::text, 'null') || '/'"
                + " || coalesce(extract(epoch from stuck_consumer_detach)::text, 'null') from pgq_java.queue_config cfg"
                + " join pgq.queue q on q.queue_id = cfg.queue_id where q.queue_name = 'stk'";
        assertEquals(1L, Sql.oneLong(c, "select pgq.set_queue_config('stk', 'stuck_consumer_warn', '1 hour')"));
        assertEquals(1L, Sql.oneLong(c, "select pgq.set_queue_config('stk', 'stuck_consumer_detach', '1 day')"));
        assertEquals("3600.000000/86400.000000", Sql.str(c, row));
        assertEquals(false, Sql.one(c, "select c.push from pgq_java.queue_config c join pgq.queue q using (queue_id)"
                + " where q.queue_name = 'stk'"), "push stays off");
        Sql.assertError("22023", "invalid value for queue parameter \"stuck_consumer_warn\": \"-5 minutes\"", c,
                "select pgq.set_queue_config('stk', 'stuck_consumer_warn', '-5 minutes')");
        Sql.assertSqlState("22007", c, "select pgq.set_queue_config('stk', 'stuck_consumer_detach', 'soon')");
        assertEquals("3600.000000/86400.000000", Sql.str(c, row), "unchanged by the refused values");
        Sql.exec(c, "select pgq.set_queue_config('stk', 'stuck_consumer_warn', 'off')");
        Sql.exec(c, "select pgq.set_queue_config('stk', 'stuck_consumer_detach', '0')");
        assertEquals("null/null", Sql.str(c, row));
        Sql.exec(c, "select pgq.set_queue_config('stk', 'stuck_consumer_warn', '30 min')");
        Sql.exec(c, "select pgq.set_queue_config('stk', 'stuck_consumer_warn', null)");
        assertEquals("null/null", Sql.str(c, row));
    }
}
