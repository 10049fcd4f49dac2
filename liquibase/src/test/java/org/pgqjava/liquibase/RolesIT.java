package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

/**
 * The groups at work, each as a role of its own (SET ROLE): an admin creates a queue and ticks,
 * a producer inserts, a consumer reads and finishes a batch, a role in no group is refused.
 * Functions that are not security definers (next_batch, get_batch_events, current_event_table,
 * ...) run their Java as the calling role, so this also needs pljvm to load the jar for any role.
 */
@PgTest
class RolesIT {

    private static final String ADMIN = "pgq_it_admin";
    private static final String PRODUCER = "pgq_it_producer";
    private static final String CONSUMER = "pgq_it_consumer";
    private static final String NOBODY = "pgq_it_nobody";

    @BeforeAll
    static void install(Connection c) throws SQLException {
        PgqInstaller.install(c);
        for (String[] r : new String[][] {{ADMIN, "pgq_admin"}, {PRODUCER, "pgq_writer"}, {CONSUMER, "pgq_reader"},
                {NOBODY, null}}) {
            exec(c, "do $$ begin create role " + r[0] + (r[1] == null ? "" : " in role " + r[1])
                    + "; exception when duplicate_object then null; end $$");
        }
    }

    /** The rows of {@code sql} run as {@code role}. */
    private static List<String> as(Connection c, String role, String sql) throws SQLException {
        exec(c, "set role " + role);
        try {
            return lines(c, sql);
        } finally {
            exec(c, "reset role");
        }
    }

    @Test
    void eachGroupDoesItsPart(Connection c) throws SQLException {
        assertEquals(List.of("1"), as(c, ADMIN, "select pgq.create_queue('roles_q')"));
        assertEquals(List.of("1"), as(c, CONSUMER, "select pgq.register_consumer('roles_q', 'roles_c')"));
        assertEquals(lines(c, "select queue_data_pfx || '_0' from pgq.queue where queue_name = 'roles_q'"),
                as(c, PRODUCER, "select pgq.current_event_table('roles_q')"));
        as(c, PRODUCER, "select pgq.insert_event('roles_q', 't', 'one')");
        as(c, PRODUCER, "select pgq.insert_event('roles_q', 't', 'two', 'x1', null, null, null)");
        exec(c, "update pgq.queue set queue_ticker_max_lag = '0' where queue_name = 'roles_q'");
        assertEquals(List.of("2"), as(c, ADMIN, "select pgq.ticker('roles_q')"));

        exec(c, "set role " + CONSUMER);
        try {
            Long batch = (Long) one(c, "select pgq.next_batch('roles_q', 'roles_c')");
            assertNotNull(batch);
            assertEquals(List.of("t|one|", "t|two|x1"),
                    lines(c, "select ev_type, ev_data, ev_extra1 from pgq.get_batch_events(" + batch + ")"));
            assertEquals(1, one(c, "select pgq.event_retry(" + batch + ", (select min(ev_id) from pgq.get_batch_events("
                    + batch + ")), 60)"));
            assertEquals(1, one(c, "select pgq.finish_batch(" + batch + ")"));
            assertEquals(List.of("roles_q|roles_c|"), lines(c, "select queue_name, consumer_name, current_batch"
                    + " from pgq.get_consumer_info('roles_q')"));
        } finally {
            exec(c, "reset role");
        }
        assertEquals(List.of("0"), as(c, ADMIN, "select pgq.maint_retry_events()"), "the retry is due in 60 s");
    }

    @Test
    void outsidersAndWrongGroupsAreRefused(Connection c) throws SQLException {
        exec(c, "select pgq.create_queue('refused_q')");
        String[][] refused = {
            {NOBODY, "select pgq.insert_event('refused_q', 't', 'd')"},
            {NOBODY, "select pgq.register_consumer('refused_q', 'x')"},
            {NOBODY, "select count(*) from pgq.event_template"},
            {CONSUMER, "select pgq.insert_event('refused_q', 't', 'd')"},
            {CONSUMER, "select pgq.create_queue('other_q')"},
            {CONSUMER, "select count(*) from pgq.retry_queue"},
            {PRODUCER, "select pgq.next_batch('refused_q', 'x')"},
            {PRODUCER, "select pgq.ticker()"},
            {PRODUCER, "select pgq.insert_event_raw('refused_q', null, null, null, null, 't', 'd', null, null, null, null)"},
        };
        for (String[] call : refused) {
            PSQLException e = assertThrows(PSQLException.class, () -> as(c, call[0], call[1]), call[0] + ": " + call[1]);
            assertEquals("42501", e.getSQLState(), call[0] + ": " + call[1] + ": " + e.getMessage());
        }
        // what everybody may do
        assertEquals(List.of("refused_q"), as(c, NOBODY, "select queue_name from pgq.get_queue_info('refused_q')"));
        assertEquals(List.of(), as(c, NOBODY, "select queue_name from pgq.get_consumer_info('refused_q')"));
        assertEquals(List.of("3.5.2"), as(c, NOBODY, "select pgq.version()"));
        assertEquals(List.of("1"), as(c, NOBODY, "select count(*) from pgq.queue where queue_name = 'refused_q'"));
    }
}
