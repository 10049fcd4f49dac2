package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.lines;
import static org.pgqjava.testsupport.Sql.one;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.util.PSQLException;

/** The functions written in SQL and PL/pgSQL (module sql), per reference §2.8 and §2.2. */
@PgTest
class SqlFunctionsIT {

    @BeforeAll
    static void install(Connection c) throws SQLException {
        PgqInstaller.install(c);
    }

    @Test
    void quoteFqnameSplitsAtTheFirstDot(Connection c) throws SQLException {
        assertEquals(List.of("a.b|public.ab|\"A\".\"b.C\"|public.\"x y\"|\"\".x|"),
                lines(c, "select pgq.quote_fqname('a.b'), pgq.quote_fqname('ab'), pgq.quote_fqname('A.b.C'),"
                        + " pgq.quote_fqname('x y'), pgq.quote_fqname('.x'), pgq.quote_fqname(null)"));
        assertEquals("i", one(c, "select provolatile::text from pg_proc where oid = 'pgq.quote_fqname(text)'::regprocedure"));
    }

    @Test
    void seqGetvalAndSetvalNeverGoBack(Connection c) throws SQLException {
        exec(c, "create sequence public.\"Odd Seq\"");
        assertEquals(1L, one(c, "select pgq.seq_getval('Odd Seq')"), "a fresh sequence reads its start value");
        assertEquals(10L, one(c, "select pgq.seq_setval('public.Odd Seq', 10)"));
        assertEquals(10L, one(c, "select pgq.seq_setval('Odd Seq', 5)"), "no going back");
        assertEquals(10L, one(c, "select pgq.seq_getval('public.Odd Seq')"));
        assertEquals(11L, one(c, "select nextval('public.\"Odd Seq\"')"));
        assertNull(one(c, "select pgq.seq_setval('Odd Seq', null)"), "strict");
        assertNull(one(c, "select pgq.seq_getval(null)"), "strict");
        PSQLException e = assertThrows(PSQLException.class, () -> one(c, "select pgq.seq_getval('pgq.no_such_seq')"));
        assertEquals("42P01", e.getSQLState());
    }

    @Test
    void versionIsPgq352(Connection c) throws SQLException {
        assertEquals("3.5.2", one(c, "select pgq.version()"));
    }

    @Test
    void upgradeSchemaFindsNothingToDo(Connection c) throws SQLException {
        assertEquals(0, one(c, "select pgq.upgrade_schema()"));
        assertEquals(List.of("t"), lines(c, "select attnotnull = false from pg_attribute"
                + " where attrelid = 'pgq.subscription'::regclass and attname = 'sub_last_tick'"));
    }

    @Test
    void unknownNamesGiveNoRowsOrANullRow(Connection c) throws SQLException {
        assertEquals(List.of(), lines(c, "select * from pgq.get_queue_info('no such queue')"));
        assertEquals(List.of(), lines(c, "select * from pgq.get_consumer_info('no such queue')"));
        assertEquals(List.of(), lines(c, "select * from pgq.get_consumer_info('no such queue', 'c')"));
        assertEquals(List.of("||||||||"), lines(c, "select * from pgq.get_batch_info(123456)"),
                "an unknown batch is one row of NULLs, as in PgQ");
        assertEquals(List.of("(,,,,,,,,)"), lines(c, "select pgq.get_batch_info(123456)"));
        assertEquals(0, one(c, "select pgq.tune_storage('no such queue')"));
        assertNull(one(c, "select pgq.tune_storage(null)"));
        PSQLException e = assertThrows(PSQLException.class, () -> one(c, "select pgq.grant_perms('no such queue')"));
        assertEquals("P0001 Queue not found", e.getSQLState() + " " + e.getServerErrorMessage().getMessage());
    }

    @Test
    void infoFunctionsDescribeAQueueAndItsConsumer(Connection c) throws SQLException {
        assertEquals(1, one(c, "select pgq.create_queue('info_q')"));
        assertEquals(1, one(c, "select pgq.register_consumer('info_q', 'info_c')"));
        exec(c, "select pgq.insert_event('info_q', 't', 'd')");
        exec(c, "select pgq.insert_event('info_q', 't', 'd')");

        // ev_new: the sequence is at 2, tick 1 saw a fresh sequence (last_value 1)
        assertEquals(List.of("info_q|3|0|02:00:00|f|f|500|00:00:03|00:01:00|t||1|1"),
                lines(c, "select queue_name, queue_ntables, queue_cur_table, queue_rotation_period,"
                        + " queue_external_ticker, queue_ticker_paused, queue_ticker_max_count, queue_ticker_max_lag,"
                        + " queue_ticker_idle_period, ticker_lag >= '0', ev_per_sec, ev_new, last_tick_id"
                        + " from pgq.get_queue_info('info_q')"));
        String allButLag = "queue_name, queue_ntables, queue_cur_table, queue_rotation_period, queue_switch_time,"
                + " queue_external_ticker, queue_ticker_paused, queue_ticker_max_count, queue_ticker_max_lag,"
                + " queue_ticker_idle_period, ev_per_sec, ev_new, last_tick_id";
        assertEquals(lines(c, "select " + allButLag + " from pgq.get_queue_info('info_q')"),
                lines(c, "select " + allButLag + " from pgq.get_queue_info() where queue_name = 'info_q'"));
        assertEquals(List.of("info_q|info_c|t|1|||0"),
                lines(c, "select queue_name, consumer_name, lag >= '0', last_tick, current_batch, next_tick,"
                        + " pending_events from pgq.get_consumer_info('info_q', 'info_c')"));
        assertEquals(lines(c, "select queue_name, consumer_name from pgq.get_consumer_info('info_q')"),
                lines(c, "select queue_name, consumer_name from pgq.get_consumer_info() where queue_name = 'info_q'"));

        // a second tick 10 s and 4 events (by sequence) later gives a rate and a batch to describe
        exec(c, "update pgq.queue set queue_ticker_max_lag = '0' where queue_name = 'info_q'");
        exec(c, "select pgq.insert_event('info_q', 't', 'd') from generate_series(1, 3)");
        assertEquals(2L, one(c, "select pgq.ticker('info_q')"));
        exec(c, "update pgq.tick t1 set tick_time = t2.tick_time - interval '10 seconds' from pgq.tick t2"
                + " where t1.tick_queue = t2.tick_queue and t1.tick_id = 1 and t2.tick_id = 2"
                + " and t1.tick_queue = (select queue_id from pgq.queue where queue_name = 'info_q')");
        assertEquals(List.of("0.400|0|2"), lines(c, "select round(ev_per_sec::numeric, 3), ev_new, last_tick_id"
                + " from pgq.get_queue_info('info_q')"));
        long batch = (Long) one(c, "select pgq.next_batch('info_q', 'info_c')");
        assertEquals(List.of("info_q|info_c|1|2|t|1|5|10.000000"),
                lines(c, "select queue_name, consumer_name, prev_tick_id, tick_id, lag >= '0', seq_start, seq_end,"
                        + " extract(epoch from batch_end - batch_start) from pgq.get_batch_info(" + batch + ")"));
        assertEquals(List.of("1|" + batch + "|2|4"), lines(c, "select last_tick, current_batch, next_tick, pending_events"
                + " from pgq.get_consumer_info('info_q', 'info_c')"));
    }

    @Test
    void queueTablesGetTheGrantsOfEventTemplateAndTunedStorage(Connection c) throws SQLException {
        assertEquals(1, one(c, "select pgq.create_queue('grants_q')"));
        String pfx = (String) one(c, "select queue_data_pfx from pgq.queue where queue_name = 'grants_q'");
        String template = aclWithoutOwner(c, "pgq.event_template");
        for (String t : List.of(pfx, pfx + "_0", pfx + "_1", pfx + "_2")) {
            assertEquals(template, aclWithoutOwner(c, t), t);
        }
        for (String t : List.of(pfx + "_0", pfx + "_1", pfx + "_2")) {
            assertEquals(List.of("{fillfactor=100,autovacuum_enabled=off}|{autovacuum_enabled=off}"),
                    lines(c, "select c.reloptions, t.reloptions from pg_class c left join pg_class t"
                            + " on t.oid = c.reltoastrelid where c.oid = '" + t + "'::regclass"), t);
        }
        assertTrue((Boolean) one(c, "select has_sequence_privilege('public', '" + pfx + "_id_seq', 'SELECT')"
                + " and has_sequence_privilege('pgq_admin', '" + pfx + "_id_seq', 'USAGE')"
                + " and has_sequence_privilege('public', '" + pfx + "_tick_seq', 'SELECT')"
                + " and not has_sequence_privilege('pgq_reader', '" + pfx + "_id_seq', 'USAGE')"));
        // again: grants are only added, so nothing changes
        assertEquals(1, one(c, "select pgq.grant_perms('grants_q')"));
        assertEquals(template, aclWithoutOwner(c, pfx + "_1"));
        assertEquals(1, one(c, "select pgq.tune_storage('grants_q')"));
    }

    private static String aclWithoutOwner(Connection c, String table) throws SQLException {
        return String.join(",", lines(c, "select pg_get_userbyid(a.grantee) || '=' || a.privilege_type"
                + " from pg_class cl, aclexplode(cl.relacl) a where cl.oid = '" + table + "'::regclass"
                + " and a.grantee <> cl.relowner order by 1"));
    }
}
