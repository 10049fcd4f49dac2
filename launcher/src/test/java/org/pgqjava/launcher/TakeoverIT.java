package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * {@code pgqadm takeover}: a database filled by Debian's PgQ 3.5 (with pgq_node and londiste as
 * extensions too) moves to pgq-java in place, with events in flight, a batch open, a retry
 * pending and a logutriga trigger on a table; afterwards every consumer gets what it had not
 * finished exactly as in a twin database that stayed on PgQ, and the trigger fires in Java.
 */
@PgTest
class TakeoverIT {
    private static final String SUFFIX = "_" + ProcessHandle.current().pid();

    @TempDir
    Path dir;

    private static Path ini(Path dir, PgServer server, String db) {
        return Pgqadm.config(dir, db + ".ini", "db = host=" + server.host() + " port=" + server.port() + " user="
                + server.superuser() + " dbname=" + db);
    }

    private static void createDb(PgServer server, String db) throws SQLException {
        try (Connection c = server.connect("postgres")) {
            Sql.exec(c, "CREATE DATABASE " + db + " TEMPLATE template0");
        }
    }

    private static void dropDb(PgServer server, String db) throws SQLException {
        try (Connection c = server.connect("postgres")) {
            Sql.exec(c, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    /** The language of a function ({@code regprocedure} text). */
    private static Object language(Connection c, String function) throws SQLException {
        return Sql.one(c, "select l.lanname::text from pg_proc p join pg_language l on l.oid = p.prolang"
                + " where p.oid = ?::regprocedure", function);
    }

    /** What both twins go through before the takeover: PgQ's state with work in the middle. */
    private static void before(Connection c) throws SQLException {
        Sql.exec(c, "create extension londiste cascade");   // pgq, pgq_node, londiste
        Sql.exec(c, "select pgq.create_queue('mq')");
        Sql.exec(c, "select pgq.set_queue_config('mq', 'ticker_max_count', '1')");
        for (String consumer : List.of("c_open", "c_retry", "c_idle")) {
            Sql.exec(c, "select pgq.register_consumer('mq', '" + consumer + "')");
        }
        Sql.exec(c, "create table public.ut (id int primary key, v text)");
        Sql.exec(c, "create trigger ut_log after insert or update or delete on public.ut for each row"
                + " execute function pgq.logutriga('mq')");
        Sql.exec(c, "select pgq.insert_event('mq', 'plain', 'p' || g) from generate_series(1, 10) g");
        Sql.exec(c, "insert into public.ut select g, 'v' || g from generate_series(1, 5) g");
        Sql.exec(c, "select pgq.ticker('mq')");
        // c_open: a batch opened and read, not finished
        long open = Sql.oneLong(c, "select pgq.next_batch('mq', 'c_open')");
        assertEquals(15L, Sql.oneLong(c, "select count(*) from pgq.get_batch_events(" + open + ")"));
        // c_retry: a batch read, one event put back for later, finished
        long b = Sql.oneLong(c, "select pgq.next_batch('mq', 'c_retry')");
        Sql.exec(c, "select pgq.event_retry(" + b + ", (select min(ev_id) from pgq.get_batch_events(" + b + ")"
                + " where ev_type = 'plain'), 0)");
        Sql.exec(c, "select pgq.finish_batch(" + b + ")");
        // in flight: events after the last tick
        Sql.exec(c, "select pgq.insert_event('mq', 'late', 'l' || g, 'x1', null, null, 'x4') from generate_series(1, 3) g");
        Sql.exec(c, "update public.ut set v = 'changed' where id = 2");
    }

    /** What both twins do after it: more events, the retry due, ticks. */
    private static void after(Connection c) throws SQLException {
        Sql.exec(c, "select pgq.ticker('mq')");
        Sql.exec(c, "delete from public.ut where id = 3");
        Sql.exec(c, "insert into public.ut values (100, 'after'), (101, 'a&b=c')");
        Sql.exec(c, "select pgq.insert_event('mq', 'after', 'a' || g) from generate_series(1, 4) g");
        Sql.exec(c, "select pgq.maint_retry_events()");
        Sql.exec(c, "select pgq.ticker('mq')");
    }

    /** Every consumer's batches to the end: its events, batch by batch. */
    private static Map<String, List<List<Object>>> drain(Connection c) throws SQLException {
        Map<String, List<List<Object>>> got = new TreeMap<>();
        for (String consumer : List.of("c_open", "c_retry", "c_idle")) {
            List<List<Object>> events = new ArrayList<>();
            for (int guard = 0; guard < 20; guard++) {
                Object batch = Sql.one(c, "select pgq.next_batch('mq', '" + consumer + "')");
                if (batch == null) {
                    break;
                }
                events.addAll(Sql.rows(c, "select ev_id, ev_type, ev_data, ev_extra1, ev_extra4, ev_retry"
                        + " from pgq.get_batch_events(" + batch + ") order by ev_id"));
                events.add(List.of("-- end of batch"));
                Sql.exec(c, "select pgq.finish_batch(" + batch + ")");
            }
            got.put(consumer, events);
        }
        return got;
    }

    @Test
    void aPgqDatabaseWithWorkInFlightMovesAndItsConsumersGetWhatTheTwinOnPgqGets(PgServer server) throws Exception {
        String moved = "takeover_moved" + SUFFIX;
        String twin = "takeover_twin" + SUFFIX;
        createDb(server, moved);
        createDb(server, twin);
        try (Connection m = server.connect(moved); Connection t = server.connect(twin)) {
            before(m);
            before(t);
            Object triggerFn = Sql.one(m, "select 'pgq.logutriga()'::regprocedure::oid");
            Path ini = ini(dir, server, moved);

            // the install refuses a PgQ extension database and changes nothing
            Pgqadm.Result r = Pgqadm.run(ini.toString(), "install");
            assertEquals(1, r.exit(), r.describe());
            assertTrue(r.err().contains("this database has PgQ installed as an extension (CREATE EXTENSION pgq)")
                    && r.err().contains("Hint: Take it over in place with pgqadm CONFIG.ini takeover")
                    && !r.err().contains("Exception"), r.describe());
            assertEquals("c", language(m, "pgq.logutriga()"));

            r = Pgqadm.run(ini.toString(), "takeover");
            assertEquals(0, r.exit(), r.describe());
            assertTrue(r.err().contains("taken over: pgq-java now serves what PgQ 3.5 held"), r.describe());
            assertEquals(List.of(List.of("pljvm"), List.of("plpgsql")),
                    Sql.rows(m, "select extname::text from pg_extension order by 1"));
            assertEquals("pljvm", language(m, "pgq.logutriga()"), "the trigger function is Java now");
            assertEquals(triggerFn, Sql.one(m, "select 'pgq.logutriga()'::regprocedure::oid"), "with its OID");
            assertEquals(0L, Sql.oneLong(m, "select count(*) from pg_proc where prolang = (select oid from pg_language"
                    + " where lanname = 'c') and pronamespace = 'pgq'::regnamespace"), "no C function of PgQ left");
            assertEquals(List.of(List.of("londiste", "3.8"), List.of("pgq_node", "3.5")),
                    Sql.rows(m, "select name, version from pgq_java.cascade_component order by name"));
            assertEquals("3.5.2", Sql.one(m, "select pgq.version()"));

            after(m);
            after(t);
            Map<String, List<List<Object>>> got = drain(m);
            Map<String, List<List<Object>>> want = drain(t);
            assertEquals(want, got);
            // what the twin's PgQ delivered: the open batch again, the retried event, everything after
            assertTrue(want.get("c_open").size() > 20 && want.get("c_retry").stream().anyMatch(e -> e.size() == 6
                    && Integer.valueOf(1).equals(e.get(5))), want.toString());
            assertNotEquals(List.of(), want.get("c_idle"));

            // pgq-java's own tools on it afterwards
            r = Pgqadm.run(ini.toString(), "install");
            assertEquals(0, r.exit(), r.describe());
            r = Pgqadm.run(ini.toString(), "takeover");
            assertEquals(1, r.exit(), r.describe());
            assertTrue(r.err().contains("this database has no PgQ extension: it has pgq-java"), r.describe());
            r = Pgqadm.run(ini.toString(), "install-cascade");
            assertEquals(0, r.exit(), r.describe());
            assertTrue(r.err().contains("pgq_node 3.5 is installed already"), r.describe());
        } finally {
            dropDb(server, moved);
            dropDb(server, twin);
        }
    }

    @Test
    void aTakeoverThatStoppedAfterReleasingTheExtensionsGoesOnWhenRunAgain(PgServer server) throws Exception {
        String half = "takeover_half" + SUFFIX;
        createDb(server, half);
        try (Connection c = server.connect(half)) {
            before(c);
            // step 1 alone, as a takeover that stopped right after it leaves the database
            Sql.exec(c, "do $$ declare e text; r record; begin"
                    + " foreach e in array array['londiste', 'pgq_node', 'pgq'] loop"
                    + "   for r in select i.type, i.identity from pg_depend d, pg_identify_object(d.classid, d.objid, d.objsubid) i"
                    + "     where d.refclassid = 'pg_extension'::regclass and d.deptype = 'e'"
                    + "     and d.refobjid = (select oid from pg_extension where extname = e) loop"
                    + "     execute format('alter extension %I drop %s %s', e, r.type, r.identity);"
                    + "   end loop;"
                    + "   execute format('drop extension %I', e);"
                    + " end loop; end $$");
            Path ini = ini(dir, server, half);
            Pgqadm.Result r = Pgqadm.run(ini.toString(), "takeover");
            assertEquals(0, r.exit(), r.describe());
            assertTrue(r.err().contains("released from its extension by an earlier takeover; going on from there"),
                    r.describe());
            assertEquals(List.of(List.of("londiste", "3.8"), List.of("pgq_node", "3.5")),
                    Sql.rows(c, "select name, version from pgq_java.cascade_component order by name"));
            assertEquals("pljvm", language(c, "pgq.insert_event_raw(text, bigint, timestamptz, integer, integer, text, text, text,"
                    + " text, text, text)"));
            after(c);
            Map<String, List<List<Object>>> got = drain(c);
            assertTrue(got.get("c_open").size() > 20, got.toString());
        } finally {
            dropDb(server, half);
        }
    }

    @Test
    void anUnknownPgqVersionIsRefusedAndNothingChanges(PgServer server) throws Exception {
        String old = "takeover_old" + SUFFIX;
        createDb(server, old);
        try (Connection c = server.connect(old)) {
            Sql.exec(c, "create extension pgq");
            Sql.exec(c, "select pgq.create_queue('oq')");
            // stands for a PgQ that is not 3.5 (Debian ships only 3.5's full script)
            Sql.exec(c, "update pg_extension set extversion = '3.4.1' where extname = 'pgq'");
            Pgqadm.Result r = Pgqadm.run(ini(dir, server, old).toString(), "takeover");
            assertEquals(1, r.exit(), r.describe());
            assertTrue(r.err().contains("takeover failed: cannot take over: pgq 3.4.1 (pgq-java takes over pgq 3.5)")
                    && r.err().contains("Hint: Upgrade to PgQ 3.5 (ALTER EXTENSION pgq UPDATE;")
                    && r.err().contains("[SQLSTATE 55000]"), r.describe());
            assertEquals("c", language(c, "pgq.logutriga()"), "nothing changed");
            assertEquals(62L, Sql.oneLong(c, "select count(*) from pg_depend where deptype = 'e'"
                    + " and refobjid = (select oid from pg_extension where extname = 'pgq')"), "all still in the extension");
            assertEquals(null, Sql.one(c, "select to_regclass('databasechangelog')::text"));
        } finally {
            dropDb(server, old);
        }
    }

    @Test
    void aDatabaseWithoutPgqIsRefused(PgServer server) throws Exception {
        String plain = "takeover_plain" + SUFFIX;
        createDb(server, plain);
        try {
            Pgqadm.Result r = Pgqadm.run(ini(dir, server, plain).toString(), "takeover");
            assertEquals(1, r.exit(), r.describe());
            assertTrue(r.err().contains("takeover failed: this database has no PgQ extension")
                    && r.err().contains("Hint: Install pgq-java with pgqadm install. [SQLSTATE 55000]"), r.describe());
            try (Connection c = server.connect(plain)) {
                assertEquals(0L, Sql.oneLong(c, "select count(*) from pg_namespace where nspname like 'pgq%'"));
            }
        } finally {
            dropDb(server, plain);
        }
    }
}
