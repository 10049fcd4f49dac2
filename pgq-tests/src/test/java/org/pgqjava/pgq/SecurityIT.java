package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.data;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * Privileges (reference §1.8): login roles in pgq_reader, pgq_writer, pgq_admin and in none can
 * do exactly what their group may; nobody but admin writes PgQ's tables; SECURITY DEFINER
 * functions pin search_path, so a hostile search_path of the caller cannot hijack them.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class SecurityIT {
    private static final String DENIED = "42501";
    private static final String SUFFIX = "_" + ProcessHandle.current().pid();
    private static final String READER = "pgqt_reader" + SUFFIX;
    private static final String WRITER = "pgqt_writer" + SUFFIX;
    private static final String ADMIN = "pgqt_admin" + SUFFIX;
    private static final String NOBODY = "pgqt_nobody" + SUFFIX;
    private static final List<String> ROLES = List.of(READER, WRITER, ADMIN, NOBODY);

    @BeforeAll
    static void roles(Connection c) throws SQLException {
        for (String r : ROLES) {
            Sql.exec(c, "drop role if exists " + r);
        }
        Sql.exec(c, "create role " + READER + " login in role pgq_reader");
        Sql.exec(c, "create role " + WRITER + " login in role pgq_writer");
        Sql.exec(c, "create role " + ADMIN + " login in role pgq_admin");
        Sql.exec(c, "create role " + NOBODY + " login");
        createTickingQueue(c, "sec");
        Sql.exec(c, "select pgq.register_consumer('sec', 'admin_cons')");
    }

    @AfterAll
    static void dropRoles(Connection c) throws SQLException {
        for (String r : ROLES) {
            Sql.exec(c, "drop owned by " + r);
            Sql.exec(c, "drop role " + r);
        }
    }

    private static Connection as(PgDatabase db, String role) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl().replace("user=" + db.server().superuser(), "user=" + role));
    }

    private static void denied(Connection c, String sql, Object... args) {
        String msg = Sql.assertSqlState(DENIED, c, sql, args);
        assertTrue(msg.startsWith("permission denied"), msg);
    }

    @Test
    void groupsHaveTheirFunctionsAndNoMore(Connection su, PgDatabase db) throws SQLException {
        int qid = (Integer) Sql.one(su, "select queue_id from pgq.queue where queue_name = 'sec'");
        String table = "pgq.event_" + qid + "_0";
        try (Connection w = as(db, WRITER); Connection r = as(db, READER); Connection a = as(db, ADMIN);
             Connection n = as(db, NOBODY)) {
            // writer: produce, nothing else
            assertEquals(WRITER, Sql.str(w, "select current_user"));
            PgqOps.insert(w, "sec", "t", "by writer");
            Sql.exec(w, "select pgq.insert_event('sec', 't', 'by writer 7', 'a', 'b', 'c', 'd')");
            Sql.exec(w, "select pgq.insert_events('sec', '{t}', '{by writer bulk}')");
            assertEquals(table, Sql.str(w, "select pgq.current_event_table('sec')"));
            denied(w, "select pgq.register_consumer('sec', 'w')");
            denied(w, "select pgq.next_batch('sec', 'admin_cons')");
            denied(w, "select pgq.ticker()");
            denied(w, "select pgq.ticker('sec')");
            denied(w, "select pgq.create_queue('w')");
            denied(w, "select pgq.insert_event_raw('sec', null, now(), null, null, 't', 'd', null, null, null, null)");
            denied(w, "insert into " + table + " (ev_id, ev_time, ev_type) values (999, now(), 'direct')");
            denied(w, "select * from " + table);

            // reader: consume, not produce, not administer
            PgqOps.tick(su, "sec");
            assertEquals(1L, Sql.oneLong(r, "select pgq.register_consumer('sec', 'reader_cons')"));
            denied(r, "select pgq.insert_event('sec', 't', 'by reader')");
            denied(r, "select pgq.insert_event('sec', 't', 'by reader', null, null, null, null)");
            denied(r, "select pgq.current_event_table('sec')");
            denied(r, "select pgq.insert_events('sec', '{t}', '{by reader}')");
            denied(r, "select pgq.ticker('sec')");
            denied(r, "select pgq.create_queue('r')");
            denied(r, "select pgq.drop_queue('sec', true)");
            denied(r, "select pgq.set_queue_config('sec', 'ticker_max_count', '1')");
            denied(r, "select pgq.maint_rotate_tables_step1('sec')");
            denied(r, "select pgq.maint_rotate_tables_step2()");
            denied(r, "select pgq.maint_retry_events()");
            denied(r, "select * from pgq.maint_operations()");

            // admin: ticks, maintains; a member of reader and writer
            assertEquals(1L, Sql.oneLong(a, "select pgq.create_queue('sec_admin')"));
            PgqOps.insert(w, "sec", "t", "after reader registered");
            PgqOps.tick(a, "sec");
            Sql.exec(a, "select pgq.maint_rotate_tables_step1('sec')");
            Sql.exec(a, "select pgq.maint_rotate_tables_step2()");
            Sql.exec(a, "select * from pgq.maint_operations()");
            Sql.exec(a, "select pgq.set_queue_config('sec_admin', 'ticker_max_count', '10')");
            Sql.exec(a, "update pgq.queue set queue_per_tx_limit = 100 where queue_name = 'sec_admin'");
            PgqOps.insert(a, "sec_admin", "t", "by admin");

            long b = PgqOps.nextBatch(r, "sec", "reader_cons");
            assertEquals(List.of("after reader registered"), data(PgqOps.events(r, b)));
            Sql.row(r, "select * from pgq.next_batch_info('sec', 'reader_cons')");
            Sql.row(r, "select * from pgq.get_batch_info(?)", b);
            Sql.rows(r, "select * from pgq.batch_event_tables(?)", b);
            Sql.exec(r, "select pgq.batch_event_sql(?)", b);
            long ev = PgqOps.events(r, b).get(0).id();
            assertEquals(1L, Sql.oneLong(r, "select pgq.event_retry(?, ?, 0)", b, ev));
            assertEquals(0L, Sql.oneLong(r, "select pgq.event_retry(?, ?, now())", b, ev));
            assertEquals(0L, Sql.oneLong(r, "select pgq.batch_retry(?, 0)", b));
            r.setAutoCommit(false);
            assertEquals(1, PgqOps.read(r, "select * from pgq.get_batch_cursor(?, 'c', 10)", b).size());
            r.commit();
            r.setAutoCommit(true);
            assertEquals(1, PgqOps.finish(r, b));
            Sql.exec(r, "select pgq.force_tick('sec')");
            assertEquals(1L, Sql.oneLong(r, "select count(*) from " + table + " where ev_data = 'by writer'"),
                    "readers may read event tables");
            assertEquals(1L, Sql.oneLong(a, "select pgq.maint_retry_events()"));

            // public: status only
            assertEquals(1L, Sql.oneLong(n, "select count(*) from pgq.get_queue_info('sec')"));
            Sql.rows(n, "select * from pgq.get_consumer_info()");
            assertTrue(Sql.str(n, "select pgq.version()").startsWith("3"));
            denied(n, "select pgq.next_batch('sec', 'admin_cons')");
            denied(n, "select pgq.insert_event('sec', 't', 'd')");
            denied(n, "select pgq.register_consumer('sec', 'n')");
            denied(n, "select * from " + table);

            // direct writes to PgQ's tables
            for (Connection x : List.of(r, w, n)) {
                denied(x, "update pgq.queue set queue_ticker_max_count = 1");
                denied(x, "delete from pgq.tick");
                denied(x, "update pgq.subscription set sub_last_tick = 1");
                denied(x, "insert into pgq.consumer (co_name) values ('x')");
                denied(x, "delete from pgq.retry_queue");
                denied(x, "truncate " + table);
                denied(x, "insert into pgq.event_template (ev_id, ev_time) values (1, now())");
                denied(x, "select nextval('pgq.event_" + qid + "_id_seq')");
            }
            assertEquals(1L, Sql.oneLong(r, "select pgq.unregister_consumer('sec', 'reader_cons')"));
        }
    }

    /** A writer producing under REPEATABLE READ uses current_event_table as under READ COMMITTED. */
    @Test
    void writerUnderRepeatableRead(PgDatabase db) throws SQLException {
        try (Connection w = as(db, WRITER)) {
            w.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            w.setAutoCommit(false);
            PgqOps.insert(w, "sec", "t", "rr writer");
            assertTrue(Sql.str(w, "select pgq.current_event_table('sec')").startsWith("pgq.event_"));
            w.commit();
        }
    }

    @Test
    void securityDefinerFunctionsPinSearchPath(Connection su) throws SQLException {
        assertEquals(List.of(), Sql.column(su, "select proname from pg_proc"
                + " where pronamespace in ('pgq'::regnamespace, 'pgq_java'::regnamespace, 'pgq_coop'::regnamespace)"
                + " and prosecdef and not (coalesce(proconfig::text, '') like '%search_path%')"));
        assertTrue(Sql.oneLong(su, "select count(*) from pg_proc where pronamespace = 'pgq'::regnamespace and prosecdef") >= 15);
        // every function of schemas pgq and pgq_java is in a group or public, and PUBLIC cannot
        // execute the others
        assertEquals(List.of(), Sql.column(su, "select p.oid::regprocedure::text from pg_proc p"
                + " where p.pronamespace in ('pgq'::regnamespace, 'pgq_java'::regnamespace, 'pgq_coop'::regnamespace)"
                + " and has_function_privilege('" + NOBODY + "', p.oid, 'execute')"
                + " and p.proname not in ('seq_getval', 'get_queue_info', 'get_consumer_info', 'quote_fqname', 'version',"
                + " 'tick_channel')"
                + " order by 1"), "only the status functions are public");
        assertEquals(List.of("pgq_java.purge_dead_letters(text,text,bigint[])", "pgq_java.push_ticker()",
                "pgq_java.redrive_dead_letters(text,text,bigint[])"), Sql.column(su, "select p.oid::regprocedure::text from pg_proc p"
                + " where p.pronamespace = 'pgq_java'::regnamespace and has_function_privilege('pgq_admin', p.oid, 'execute')"
                + " and not has_function_privilege('pgq_reader', p.oid, 'execute') order by 1"),
                "the push ticker, redriving and purging dead letters are the admin's");
    }

    /**
     * A caller puts a schema of its own before pg_catalog in search_path, with now(), txid_current(),
     * nextval() and a text = operator that log who ran them: the SECURITY DEFINER functions must
     * not run any of them (they would run as the function owner).
     */
    @Test
    void hostileSearchPathDoesNotReachSecurityDefinerFunctions(Connection su, PgDatabase db) throws SQLException {
        Sql.exec(su, "create schema evil authorization " + READER);
        Sql.exec(su, "grant pgq_writer to " + READER);
        Sql.exec(su, "create table evil.calls (who text, what text)");
        Sql.exec(su, "alter table evil.calls owner to " + READER);
        Sql.exec(su, "grant insert, select on evil.calls to public");
        try (Connection r = as(db, READER)) {
            Sql.exec(r, "create function evil.now() returns timestamptz language plpgsql as $$"
                    + " begin insert into evil.calls values (current_user, 'now'); return '2000-01-01'; end $$");
            Sql.exec(r, "create function evil.txid_current() returns bigint language plpgsql as $$"
                    + " begin insert into evil.calls values (current_user, 'txid_current'); return 1; end $$");
            Sql.exec(r, "create function evil.nextval(regclass) returns bigint language plpgsql as $$"
                    + " begin insert into evil.calls values (current_user, 'nextval'); return 1; end $$");
            Sql.exec(r, "create function evil.texteq(text, text) returns boolean language plpgsql as $$"
                    + " begin insert into evil.calls values (current_user, '='); return true; end $$");
            Sql.exec(r, "create operator evil.= (function = evil.texteq, leftarg = text, rightarg = text)");
            Sql.exec(r, "set search_path = evil, pg_catalog, public");
            assertEquals(1L, Sql.oneLong(r, "select count(*) from (select 'a'::text = 'b'::text as x) s where x"),
                    "the hostile operator is in effect for plain SQL");
            Sql.exec(r, "truncate evil.calls");

            // SECURITY DEFINER functions, as reader (and writer)
            Sql.exec(r, "select pgq.register_consumer('sec', 'evil_cons')");
            Sql.exec(r, "select pgq.insert_event('sec', 't', 'under hostile path', null, null, null, null)");
            PgqOps.assertPgqError("Not subscriber to queue: sec/nobody", r,
                    "select * from pgq.next_batch_custom('sec', 'nobody', null, null, null)");
            PgqOps.assertPgqError("Event queue not created yet", r, "select pgq.register_consumer('no such queue', 'x')");
            Sql.exec(r, "select pgq.force_tick('sec')");
            Sql.rows(r, "select * from pgq.get_consumer_info('sec')");
            Sql.exec(r, "select pgq.unregister_consumer('sec', 'evil_cons')");
            assertEquals(List.of(), Sql.rows(r, "select who, what from evil.calls"), "hostile objects were run");
            assertEquals(0L, Sql.oneLong(su, "select count(*) from pgq.consumer where co_name = 'x'"));
            assertTrue((Boolean) Sql.one(su, "select ev_time > '2001-01-01' from pgq.event_template"
                    + " where ev_data = 'under hostile path'"), "real now()");
        } finally {
            Sql.exec(su, "revoke pgq_writer from " + READER);
            Sql.exec(su, "drop schema evil cascade");
        }
    }
}
