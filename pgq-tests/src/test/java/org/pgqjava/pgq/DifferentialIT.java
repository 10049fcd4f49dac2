package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;

/**
 * The same scripted scenario on pgq-java (this class's fresh database) and on Debian's PgQ 3.5
 * (another database of the same server, CREATE EXTENSION pgq), step by step: ids, texts, NULLs,
 * row counts, warnings, error messages and their SQLSTATEs must be equal. Times, txids and
 * snapshots are left out.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 300, threadMode = ThreadMode.SEPARATE_THREAD)
class DifferentialIT {

    private static final String EVENT_COLS = "ev_id, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4";
    private static final String BATCH_INFO = "batch_id, cur_tick_id, prev_tick_id, cur_tick_event_seq, prev_tick_event_seq";
    private static final String QUEUE_INFO = "queue_name, queue_ntables, queue_cur_table, queue_rotation_period,"
            + " queue_external_ticker, queue_ticker_paused, queue_ticker_max_count, queue_ticker_max_lag,"
            + " queue_ticker_idle_period, ev_new, last_tick_id";
    private static final String CONSUMER_INFO = "queue_name, consumer_name, last_tick, current_batch, next_tick, pending_events";

    /** pgq_node and londiste stand-ins, so that maint_operations lists their hooks. */
    private static final List<String> ADDON_STUBS = List.of(
            "create schema pgq_node",
            "create table pgq_node.node_info (queue_name text, node_type text)",
            "insert into pgq_node.node_info values ('dq', 'root'), ('dq2', 'leaf'), ('aa', 'root')",
            "create function pgq_node.maint_watermark(text) returns int language sql as 'select 0'",
            "create schema londiste",
            "create table londiste.seq_info (queue_name text, local bool)",
            "insert into londiste.seq_info values ('dq', true), ('dq', true), ('dq2', true), ('aa', false)",
            "create function londiste.root_check_seqs(text) returns int language sql as 'select 0'",
            "create function londiste.periodic_maintenance() returns int language sql as 'select 0'");

    static List<String> scenario() {
        List<String> s = new ArrayList<>();
        s.add("select pgq.create_queue('dq')");
        s.add("select pgq.create_queue('dq')");
        s.add("select pgq.create_queue('dq2')");
        s.add("select queue_id, queue_name, queue_data_pfx, queue_event_seq, queue_tick_seq, queue_cur_table,"
                + " queue_ntables from pgq.queue order by 1");
        s.add("select tick_queue, tick_id, tick_event_seq from pgq.tick order by 1, 2");
        s.add("select pgq.current_event_table('dq')");
        s.add("select pgq.register_consumer('dq', 'c1')");
        s.add("select pgq.register_consumer('dq', 'c2')");
        s.add("select pgq.register_consumer('dq', 'c1')");
        s.add("select pgq.register_consumer_at('dq', 'c3', 1)");
        s.add("select pgq.register_consumer('dq2', 'c1')");
        s.add("select " + CONSUMER_INFO + " from pgq.get_consumer_info()");
        s.add("select * from pgq.next_batch_info('dq', 'c1')");
        s.add("select pgq.insert_event('dq', 'ta', 'a')");
        s.add("select pgq.insert_event('dq', 'tb', 'b', 'x1', null, 'x3', '')");
        s.add("select pgq.insert_event('dq', 't' || x, x::text) from generate_series(1, 3) x");
        s.add("select " + QUEUE_INFO + " from pgq.get_queue_info('dq')");
        s.add("select pgq.force_tick('dq')");
        s.add("select last_value from pgq.event_1_id_seq");
        s.add("select pgq.ticker('dq')");
        s.add("select pgq.force_tick('dq')");
        s.add("select " + BATCH_INFO + " from pgq.next_batch_info('dq', 'c1')");
        s.add("select " + BATCH_INFO + " from pgq.next_batch_info('dq', 'c1')");
        s.add("select " + EVENT_COLS + " from pgq.get_batch_events(1)");
        s.add("select queue_name, consumer_name, prev_tick_id, tick_id, seq_start, seq_end from pgq.get_batch_info(1)");
        s.add("select * from pgq.batch_event_tables(1)");
        s.add("select pgq.event_retry(1, 2, 0)");
        s.add("select pgq.event_retry(1, 2, 0)");
        s.add("select pgq.event_retry(1, 999, 0)");
        s.add("select pgq.batch_retry(1, 0)");
        s.add("select ev_queue, ev_id, ev_owner, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4"
                + " from pgq.retry_queue order by ev_id");
        s.add("select pgq.finish_batch(1)");
        s.add("select pgq.finish_batch(1)");
        s.add("select pgq.next_batch('dq', 'c1')");
        s.add("select " + CONSUMER_INFO + " from pgq.get_consumer_info('dq')");
        s.add("select pgq.maint_retry_events()");
        s.add("select pgq.maint_retry_events()");
        s.add("select pgq.force_tick('dq')");
        s.add("select pgq.ticker('dq')");
        s.add("select " + BATCH_INFO + " from pgq.next_batch_info('dq', 'c1')");
        s.add("select " + EVENT_COLS + " from pgq.get_batch_events(2)");
        s.add("select pgq.finish_batch(2)");
        s.add("select " + BATCH_INFO + " from pgq.next_batch_custom('dq', 'c2', null, 10000, null)");
        s.add("select " + BATCH_INFO + " from pgq.next_batch_custom('dq', 'c2', '1 hour', null, null)");
        s.add("select " + BATCH_INFO + " from pgq.next_batch_custom('dq', 'c2', null, 3, null)");
        s.add("select " + EVENT_COLS + " from pgq.get_batch_events(3)");
        s.add("select pgq.finish_batch(3)");
        s.add("select " + BATCH_INFO + " from pgq.next_batch_info('dq', 'c3')");
        s.add("select " + EVENT_COLS + " from pgq.get_batch_events(4)");
        s.add("select " + EVENT_COLS + " from pgq.get_batch_cursor(4, 'cr', 2, 'ev_type <> ''ta''')");
        s.add("select " + EVENT_COLS + " from pgq.get_batch_cursor(4, 'cr', 0)");
        s.add("select pgq.event_retry_raw('dq', 'c3', now(), null, now(), 5, 'raw', 'raw data', null, null, null, null)");
        s.add("select pgq.event_retry_raw('dq', 'c3', now(), 77, now(), null, 'raw', 'given', null, null, null, null)");
        s.add("select pgq.finish_batch(4)");
        s.add("select pgq.maint_retry_events()");
        s.add("select " + CONSUMER_INFO + " from pgq.get_consumer_info()");
        s.add("select " + QUEUE_INFO + " from pgq.get_queue_info()");

        // configuration
        s.add("select pgq.set_queue_config('dq', 'ticker_max_count', '7')");
        s.add("select pgq.set_queue_config('dq', 'ticker_max_lag', '0')");
        s.add("select pgq.set_queue_config('dq', 'ticker_idle_period', '0')");
        s.add("select pgq.set_queue_config('dq2', 'ticker_max_lag', '0')");
        s.add("select pgq.set_queue_config('dq2', 'ticker_idle_period', '0')");
        s.add("select pgq.set_queue_config('dq', 'queue_ticker_max_count', '7')");
        s.add("select pgq.set_queue_config('dq', 'ticker_max_count', 'abc')");
        s.add("select pgq.set_queue_config('dq', 'ticker_paused', 'maybe')");
        s.add("select pgq.set_queue_config('dq', 'ticker_max_lag', 'abc')");
        s.add("select pgq.set_queue_config('nq', 'ticker_max_count', '1')");
        s.add("select pgq.set_queue_config('dq', 'ticker_max_count', null)");
        s.add("select pgq.ticker()");
        s.add("select " + QUEUE_INFO + " from pgq.get_queue_info()");
        s.add("select pgq.set_queue_config('dq2', 'external_ticker', 'true')");
        s.add("select pgq.ticker('dq2')");
        s.add("select pgq.ticker()");
        s.add("select pgq.ticker('dq2', 50, now(), 500)");
        s.add("select last_value from pgq.event_2_id_seq");
        s.add("select last_value from pgq.event_2_tick_seq");
        s.add("select pgq.force_tick('dq2')");
        s.add("select pgq.set_queue_config('dq2', 'ticker_paused', 'true')");
        s.add("select pgq.ticker('dq2', 51, now(), 500)");
        s.add("select pgq.set_queue_config('dq2', 'external_ticker', 'false')");
        s.add("select pgq.ticker('dq2')");
        s.add("select pgq.ticker()");
        s.add("select pgq.set_queue_config('dq2', 'ticker_paused', 'false')");

        // limits and disabled inserts
        s.add("update pgq.queue set queue_per_tx_limit = 1 where queue_name = 'dq'");
        s.add("select pgq.insert_event('dq', 't', x::text) from generate_series(1, 2) x");
        s.add("update pgq.queue set queue_per_tx_limit = 0 where queue_name = 'dq'");
        s.add("select pgq.insert_event('dq', 't', 'zero')");
        s.add("update pgq.queue set queue_per_tx_limit = null, queue_disable_insert = true where queue_name = 'dq'");
        s.add("select pgq.insert_event('dq', 't', 'disabled')");
        s.add("select pgq.current_event_table('dq')");
        s.add("update pgq.queue set queue_disable_insert = false where queue_name = 'dq'");
        s.add("select pgq.insert_event('dq', 't', 'after')");

        // maintenance
        s.add("select * from pgq.maint_operations()");
        s.add("select pgq.set_queue_config('dq', 'rotation_period', '0')");
        s.add("select pgq.set_queue_config('dq2', 'rotation_period', '0')");
        s.add("update pgq.queue set queue_extra_maint = array['z.f', 'a.f'] where queue_name = 'dq2'");
        s.addAll(ADDON_STUBS);
        s.add("select * from pgq.maint_operations()");
        s.add("select pgq.maint_rotate_tables_step1('dq')");
        s.add("select queue_name, queue_cur_table, queue_switch_step2 is null from pgq.queue order by 1");
        s.add("select pgq.maint_rotate_tables_step1('dq2')");
        s.add("select queue_name, queue_cur_table, queue_switch_step2 is null from pgq.queue order by 1");
        s.add("select * from pgq.maint_operations()");
        s.add("select pgq.maint_rotate_tables_step2()");
        s.add("select queue_name, queue_cur_table, queue_switch_step2 is null from pgq.queue order by 1");
        s.add("select * from pgq.maint_tables_to_vacuum()");
        s.add("select pgq.unregister_consumer('dq', 'c3')");
        s.add("select pgq.ticker()");
        for (String c : List.of("c1", "c2")) {
            for (int i = 0; i < 6; i++) {
                s.add("select " + BATCH_INFO + " from pgq.next_batch_info('dq', '" + c + "')");
                s.add("select " + EVENT_COLS + " from pgq.get_batch_events((select sub_batch from pgq.subscription"
                        + " where sub_batch is not null order by 1 limit 1))");
                s.add("select pgq.finish_batch((select sub_batch from pgq.subscription where sub_batch is not null"
                        + " order by 1 limit 1))");
            }
        }
        s.add("select pgq.maint_rotate_tables_step1('dq')");
        s.add("select pgq.maint_rotate_tables_step2()");
        s.add("select queue_name, queue_cur_table, queue_switch_step2 is null from pgq.queue order by 1");
        s.add("select tick_queue, tick_id, tick_event_seq from pgq.tick order by 1, 2");

        // errors
        s.add("select pgq.create_queue(null)");
        s.add("select pgq.register_consumer('nq', 'c')");
        s.add("select pgq.register_consumer_at('dq', 'c1', 999)");
        s.add("select pgq.next_batch('dq', 'nobody')");
        s.add("select * from pgq.next_batch_info(null, null)");
        s.add("select * from pgq.get_batch_events(999)");
        s.add("select pgq.batch_event_sql(999)");
        s.add("select * from pgq.batch_event_tables(999)");
        s.add("select * from pgq.get_batch_info(999)");
        s.add("select pgq.finish_batch(999)");
        s.add("select pgq.finish_batch(null)");
        s.add("select pgq.event_retry(999, 1, 0)");
        s.add("select pgq.event_retry(999, 1, now())");
        s.add("select pgq.batch_retry(999, 0)");
        s.add("select pgq.event_retry_raw('dq', 'nobody', now(), null, now(), 0, 't', 'd', null, null, null, null)");
        s.add("select pgq.ticker('nq')");
        s.add("select pgq.ticker('nq', 1, now(), 1)");
        s.add("select pgq.current_event_table('nq')");
        s.add("select pgq.grant_perms('nq')");
        s.add("select pgq.tune_storage('nq')");
        s.add("select pgq.force_tick('nq')");
        s.add("select pgq.insert_event('nq', 't', 'd')");
        s.add("select pgq.insert_event(null, 't', 'd')");
        s.add("select * from pgq.get_queue_info('nq')");
        s.add("select * from pgq.get_consumer_info('nq')");
        s.add("select pgq.unregister_consumer('nq', 'c1')");
        s.add("select pgq.unregister_consumer('dq', 'nobody')");
        s.add("select pgq.drop_queue('nq')");
        s.add("select pgq.drop_queue('dq')");
        s.add("select pgq.drop_queue(null)");
        s.add("select pgq.seq_getval('pgq.batch_id_seq')");
        s.add("select pgq.seq_setval('pgq.batch_id_seq', 1)");
        s.add("select pgq.quote_fqname('Foo.bar baz')");
        s.add("select pgq.quote_fqname('nodot')");

        // drop
        s.add("select pgq.drop_queue('dq', true)");
        s.add("select queue_id, queue_name from pgq.queue order by 1");
        s.add("select co_id, co_name from pgq.consumer order by 1");
        s.add("select pgq.create_queue('dq3')");
        s.add("select queue_id, queue_name, queue_data_pfx from pgq.queue order by 1");
        s.add("select to_regclass('pgq.event_1_0') is null, to_regclass('pgq.event_3_0') is null");
        return s;
    }

    private static List<String> run(Connection c, List<String> steps) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String sql : steps) {
            out.add(NullMatrix.outcome(c, sql));
        }
        return out;
    }

    static void assertSame(List<String> steps, List<String> ours, List<String> oracle) {
        assertEquals(steps.size(), ours.size());
        assertEquals(steps.size(), oracle.size());
        StringBuilder diff = new StringBuilder();
        int n = 0;
        for (int i = 0; i < steps.size(); i++) {
            String theirs = oracle.get(i);
            if (!ours.get(i).equals(theirs)) {
                n++;
                diff.append("\nstep ").append(i + 1).append(": ").append(steps.get(i))
                        .append("\n  pgq-java: ").append(ours.get(i))
                        .append("\n  PgQ 3.5:  ").append(oracle.get(i));
            }
        }
        assertTrue(n == 0, n + " of " + steps.size() + " steps differ:" + diff);
    }

    @Test
    void scriptedScenarioMatchesPgq(Connection c, PgServer server) throws SQLException {
        List<String> steps = scenario();
        List<String> ours = run(c, steps);
        List<String> oracle;
        try (OraclePgq o = OraclePgq.create(server, "diff"); Connection oc = o.connect()) {
            oracle = run(oc, steps);
        }
        assertSame(steps, ours, oracle);
    }
}
