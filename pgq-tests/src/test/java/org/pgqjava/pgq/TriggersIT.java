package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.data;
import static org.pgqjava.pgq.PgqOps.drainEvents;
import static org.pgqjava.pgq.PgqOps.events;
import static org.pgqjava.pgq.PgqOps.finish;
import static org.pgqjava.pgq.PgqOps.nextBatch;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.lines;
import static org.pgqjava.testsupport.Sql.one;
import static org.pgqjava.testsupport.Sql.oneLong;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.liquibase.PgqInstaller;
import org.pgqjava.pgq.PgqOps.Event;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * pgq-java's table triggers where no comparison with PgQ's C triggers says it all (that is
 * TriggerDifferentialIT): their events as consumers get them, with the producing transaction's
 * fate; inside a consumer's own transaction; read by python-pgq; who may create and fire them;
 * an upgrade that replaces them; and the deliberate differences from PgQ (docs/triggers.md).
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 180, threadMode = ThreadMode.SEPARATE_THREAD)
class TriggersIT {

    private static void table(Connection c, String name, String kind, String args) throws SQLException {
        exec(c, "create table " + name + " (id int primary key, v text)");
        exec(c, "create trigger t after insert or update or delete on " + name + " for each row execute procedure pgq."
                + kind + "(" + args + ")");
    }

    @Test
    void eventsAreDeliveredInBatchesOnlyWhenTheirTransactionCommits(Connection c) throws SQLException {
        createTickingQueue(c, "tq1");
        register(c, "tq1", "reader");
        table(c, "t1", "logutriga", "'tq1'");
        exec(c, "insert into t1 values (1, 'committed')");
        exec(c, "begin");
        exec(c, "insert into t1 values (2, 'rolled back')");
        exec(c, "rollback");
        exec(c, "begin");
        exec(c, "insert into t1 values (3, 'kept')");
        exec(c, "savepoint s");
        exec(c, "update t1 set v = 'undone' where id = 3");
        exec(c, "rollback to savepoint s");
        exec(c, "delete from t1 where id = 1");
        exec(c, "commit");
        tick(c, "tq1");
        List<Event> got = drainEvents(c, "tq1", "reader");
        assertEquals(List.of("id=1&v=committed", "id=3&v=kept", "id=1&v=committed"), data(got));
        assertEquals(List.of("I:id", "I:id", "D:id"), got.stream().map(Event::type).toList());
        assertEquals(got.get(1).txid(), got.get(2).txid(), "one transaction, one txid");
    }

    @Test
    void aTriggerFiresInsideAConsumersTransactionThatRetriesAnEvent(Connection c) throws SQLException {
        createTickingQueue(c, "tq2");
        register(c, "tq2", "worker");
        table(c, "t2", "sqltriga", "'tq2'");
        long e = PgqOps.insert(c, "tq2", "job", "first");
        tick(c, "tq2");
        // the consumer's transaction: handle the batch, retry its event, write a triggered table
        exec(c, "begin");
        long b = nextBatch(c, "tq2", "worker");
        assertEquals(List.of("first"), data(events(c, b)));
        assertEquals(1L, oneLong(c, "select pgq.event_retry(?, ?, 0)", b, e));
        exec(c, "insert into t2 values (1, 'written while consuming')");
        assertEquals(1, finish(c, b));
        exec(c, "commit");
        // the retried event comes back after maintenance, and the trigger's event with it
        assertEquals(1L, oneLong(c, "select pgq.maint_retry_events()"));
        tick(c, "tq2");
        List<Event> got = drainEvents(c, "tq2", "worker");
        assertEquals(List.of("(id,v) values ('1','written while consuming')", "first"),
                got.stream().map(Event::data).sorted().toList());
        assertEquals(1, got.stream().filter(x -> x.id() == e && Integer.valueOf(1).equals(x.retry())).count());
    }

    @Test
    void aPythonPgqConsumerReadsLogutrigaEvents(Connection c, PgDatabase db, PgServer server, @TempDir Path dir)
            throws SQLException, IOException, InterruptedException {
        createTickingQueue(c, "pyq");
        register(c, "pyq", "pyreader");
        table(c, "py", "logutriga", "'pyq'");
        exec(c, "alter table py add column n numeric");
        exec(c, "insert into py values (1, 'a b&c=d%é+''\\', 1.50), (2, null, null), (3, '', 0)");
        exec(c, "update py set v = 'x' where id = 1");
        exec(c, "delete from py where id = 2");
        tick(c, "pyq");

        Path script = dir.resolve("urlenc_reader.py");
        try (var in = TriggersIT.class.getResourceAsStream("/python/urlenc_reader.py")) {
            Files.write(script, in.readAllBytes());
        }
        Path out = dir.resolve("events.jsonl");
        Path ini = dir.resolve("reader.ini");
        String host = server.socketDir().map(Path::toString).orElse(server.host());
        Files.writeString(ini, "[urlenc_reader]\njob_name = urlenc_reader\n"
                + "db = host=" + host + " port=" + server.port() + " dbname=" + db.name() + " user=" + server.superuser()
                + "\nqueue_name = pyq\nconsumer_name = pyreader\nout_file = " + out + "\nlogfile = " + dir.resolve("log")
                + "\npidfile = " + dir.resolve("pid") + "\nloop_delay = -1\n");
        // Debian's python3-pgq, with the system's python (setup-debian.sh installs it)
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), ini.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python consumer did not finish");
        String stdout = Files.readString(dir.resolve("stdout"));
        assertEquals(0, p.exitValue(), "python consumer failed: " + stdout);
        assertEquals(List.of(
                "{\"row\": {\"id\": \"1\", \"n\": \"1.50\", \"v\": \"a b&c=d%é+'\\\\\"}, \"table\": \"public.py\", \"type\": \"I:id\"}",
                "{\"row\": {\"id\": \"2\", \"n\": null, \"v\": null}, \"table\": \"public.py\", \"type\": \"I:id\"}",
                "{\"row\": {\"id\": \"3\", \"n\": \"0\", \"v\": \"\"}, \"table\": \"public.py\", \"type\": \"I:id\"}",
                "{\"row\": {\"id\": \"1\", \"n\": \"1.50\", \"v\": \"x\"}, \"table\": \"public.py\", \"type\": \"U:id\"}",
                "{\"row\": {\"id\": \"2\", \"n\": null, \"v\": null}, \"table\": \"public.py\", \"type\": \"D:id\"}"),
                Files.readAllLines(out, StandardCharsets.UTF_8));
        // the batch was finished by python-pgq: nothing left for that consumer
        assertEquals(0L, oneLong(c, "select count(*) from pgq.subscription where sub_batch is not null"));
    }

    @Test
    void pgqWriterMayCreateTheTriggersAndItsMembersFireThemWithoutRightsOnEventTables(Connection c)
            throws SQLException {
        createTickingQueue(c, "wq");
        register(c, "wq", "r");
        exec(c, "do $$ begin"
                + " if not exists (select from pg_roles where rolname = 'trig_owner') then create role trig_owner; end if;"
                + " if not exists (select from pg_roles where rolname = 'trig_app') then create role trig_app; end if;"
                + " end $$");
        exec(c, "revoke pgq_writer from trig_owner, trig_app");
        exec(c, "create schema if not exists app authorization trig_owner");
        exec(c, "grant usage on schema app to trig_app");
        exec(c, "set role trig_owner");
        exec(c, "create table app.w (id int primary key, v text)");
        exec(c, "grant insert, update, delete, select on app.w to trig_app");
        Sql.assertError("42501", "permission denied for function pgq.logutriga", c,
                "create trigger t after insert on app.w for each row execute procedure pgq.logutriga('wq')");
        exec(c, "reset role");
        exec(c, "grant pgq_writer to trig_owner");
        exec(c, "set role trig_owner");
        exec(c, "create trigger t after insert or update on app.w for each row execute procedure pgq.logutriga('wq')");
        exec(c, "reset role");
        // the application role is not a writer: insert_event is refused, through SQL as in PgQ
        exec(c, "set role trig_app");
        Sql.assertError("42501", "permission denied for function insert_event", c, "insert into app.w values (1, 'a')");
        exec(c, "reset role");
        // a writer fires it; the event is written as insert_event's owner (the app has no rights on the tables)
        exec(c, "grant pgq_writer to trig_app");
        exec(c, "set role trig_app");
        Sql.assertError("42501", "permission denied for table event_template", c, "select count(*) from pgq.event_template");
        exec(c, "insert into app.w values (2, 'b')");
        exec(c, "update app.w set v = 'c'");
        exec(c, "reset role");
        exec(c, "revoke pgq_writer from trig_app, trig_owner");
        tick(c, "wq");
        assertEquals(List.of("id=2&v=b", "id=2&v=c"), data(drainEvents(c, "wq", "r")));
    }

    @Test
    void anUpgradeThatReplacesTheTriggerFunctionsKeepsUsersTriggersWorking(Connection c) throws SQLException {
        createTickingQueue(c, "uq");
        register(c, "uq", "r");
        table(c, "u1", "logutriga", "'uq'");
        exec(c, "create trigger s after truncate on u1 for each statement execute procedure pgq.sqltriga('uq')");
        exec(c, "create table u2 (id int primary key, v text)");
        exec(c, "create trigger j after insert on u2 for each row execute procedure pgq.jsontriga('uq')");
        List<String> oids = lines(c, "select oid::text from pg_proc where proname in ('logutriga', 'sqltriga', 'jsontriga')"
                + " and pronamespace = 'pgq'::regnamespace order by proname");
        exec(c, "insert into u1 values (1, 'before')");
        // as if the three function files had changed: Liquibase runs their changesets again
        assertEquals(3L, oneLong(c, "with u as (update databasechangelog set md5sum = '9:0' where id in"
                + " ('function:pgq.logutriga', 'function:pgq.sqltriga', 'function:pgq.jsontriga') returning 1)"
                + " select count(*) from u"));
        PgqInstaller.install(c);
        assertEquals(List.of("function:pgq.jsontriga", "function:pgq.logutriga", "function:pgq.sqltriga"),
                lines(c, "select id from databasechangelog where id like 'function:pgq.%triga' and md5sum <> '9:0'"
                        + " and exectype = 'RERAN' order by id"));
        assertEquals(oids, lines(c, "select oid::text from pg_proc where proname in ('logutriga', 'sqltriga', 'jsontriga')"
                + " and pronamespace = 'pgq'::regnamespace order by proname"), "replaced in place, not dropped");
        exec(c, "insert into u1 values (2, 'after')");
        exec(c, "truncate u1");
        exec(c, "insert into u2 values (3, 'json')");
        tick(c, "uq");
        assertEquals(List.of("id=1&v=before", "id=2&v=after", "", "{\"id\":3,\"v\":\"json\"}"),
                data(drainEvents(c, "uq", "r")));
    }

    /** docs/examples/triggers-changelog.xml, the documented way to attach a trigger with Liquibase. */
    @Test
    void theDocumentedLiquibaseChangelogAttachesATrigger(Connection c) throws Exception {
        exec(c, "create schema shop");
        exec(c, "create table shop.orders (id int primary key, status text, updated_at timestamptz)");
        Path examples = Path.of("..", "docs", "examples").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(examples.resolve("triggers-changelog.xml")), examples.toString());
        for (int i = 0; i < 2; i++) {   // the second update finds nothing to do
            liquibase.database.Database db = liquibase.database.DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new liquibase.database.jvm.JdbcConnection(c));
            java.util.Map<String, Object> scope = new java.util.HashMap<>();
            scope.put(liquibase.Scope.Attr.resourceAccessor.name(),
                    new liquibase.resource.DirectoryResourceAccessor(examples.toFile()));
            scope.put(liquibase.analytics.configuration.AnalyticsArgs.ENABLED.getKey(), false);
            liquibase.Scope.child(scope, () -> new liquibase.command.CommandScope(
                    liquibase.command.core.UpdateCommandStep.COMMAND_NAME)
                    .addArgumentValue(liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, db)
                    .addArgumentValue(liquibase.command.core.UpdateCommandStep.CHANGELOG_FILE_ARG, "triggers-changelog.xml")
                    .execute());
        }
        assertEquals(1L, oneLong(c, "select count(*) from databasechangelog where id = 'orders-cdc'"));
        c.setAutoCommit(true);
        register(c, "orders_q", "app_reader");
        exec(c, "insert into shop.orders values (1, 'new', now())");
        exec(c, "update shop.orders set updated_at = now()");     // ignored column only: no event
        exec(c, "update shop.orders set status = 'paid'");
        exec(c, "select pgq.force_tick('orders_q')");
        exec(c, "select pgq.ticker('orders_q')");
        assertEquals(List.of("id=1&status=new", "id=1&status=paid"), data(drainEvents(c, "orders_q", "app_reader")));
    }

    /** What pgq-java does where PgQ's C triggers do otherwise; each is in docs/triggers.md. */
    @Test
    void deliberateDifferencesFromPgqsCTriggers(Connection c) throws SQLException {
        createTickingQueue(c, "dq");
        register(c, "dq", "r");
        // an expression names a column as SQL does (C replaces only exact, unquoted names)
        exec(c, "create table d1 (id int primary key, \"Mixed Case\" text)");
        exec(c, "create trigger t after insert on d1 for each row execute procedure"
                + " pgq.logutriga('dq', 'ev_extra1=\"Mixed Case\" || ID')");
        exec(c, "insert into d1 values (1, 'mc')");
        // an expression that does not compile: the parser's own error at the first firing (C
        // writes the text differently: it does not wrap the expression)
        exec(c, "create table d2 (id int primary key)");
        exec(c, "create trigger t after insert on d2 for each row execute procedure pgq.logutriga('dq', 'ev_extra1=1 +')");
        assertEquals("42601", Sql.error(c, "insert into d2 values (1)").getSQLState());
        assertEquals("42601", Sql.error(c, "insert into d2 values (1)").getSQLState(), "again at every firing");
        // a renamed key column: the table's current name (C keeps the index's old column name)
        exec(c, "create table d3 (a int primary key, v text)");
        exec(c, "alter table d3 rename a to id");
        exec(c, "create trigger t after insert or update or delete on d3 for each row execute procedure pgq.sqltriga('dq')");
        exec(c, "insert into d3 values (1, 'x')");
        exec(c, "update d3 set v = 'y'");
        // the key columns of a primary key with INCLUDE columns (C counts those as key columns too)
        exec(c, "create table d4 (id int, v text, w text, primary key (id) include (w))");
        exec(c, "create trigger t after insert on d4 for each row execute procedure pgq.logutriga('dq')");
        exec(c, "insert into d4 values (1, 'x', 'y')");
        // magic columns apply from the first event on (C's sqltriga misses them in an UPDATE that
        // does not change them until its trigger has seen them in another event)
        exec(c, "create table d5 (id int primary key, v text, _pgq_ev_extra3 text)");
        exec(c, "insert into d5 values (1, 'x', 'magic')");
        exec(c, "create trigger t after update on d5 for each row execute procedure pgq.sqltriga('dq')");
        exec(c, "update d5 set v = 'y'");
        tick(c, "dq");
        List<Event> got = drainEvents(c, "dq", "r");
        assertEquals(List.of(
                "I:id|id=1&Mixed+Case=mc|mc1|null",
                "I|(id,v) values ('1','x')|public.d3|null",
                "U|v='y' where id='1'|public.d3|null",
                "I:id|id=1&v=x&w=y|public.d4|null",
                "U|v='y' where id='1'|public.d5|magic"),
                got.stream().map(e -> e.type() + "|" + e.data() + "|" + e.extra1() + "|" + e.extra3()).toList());
    }

    @Test
    void aReplacedInsertEventIsCalledByNameAndBackToOursTheShortcutReturns(Connection c) throws SQLException {
        createTickingQueue(c, "rq");
        register(c, "rq", "r");
        table(c, "r1", "jsontriga", "'rq'");
        String ours = (String) one(c, "select pg_get_functiondef('pgq.insert_event(text,text,text,text,text,text,text)'::regprocedure)");
        exec(c, "insert into r1 values (1, 'ours')");
        // a user's capture: the trigger calls it by name, in the same transaction
        exec(c, "create table captured (t text, d text)");
        exec(c, "create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text,"
                + " ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text) returns bigint language sql"
                + " as $$ insert into captured values (ev_type, ev_data); select 0::bigint $$");
        exec(c, "begin");
        exec(c, "insert into r1 values (2, 'captured')");
        exec(c, "rollback");
        exec(c, "insert into r1 values (3, 'captured')");
        assertEquals(List.of("{\"op\":\"INSERT\",\"table\":[\"public\",\"r1\"],\"pkey\":[\"id\"]}|{\"id\":3,\"v\":\"captured\"}"),
                lines(c, "select t || '|' || d from captured"));
        exec(c, ours);
        exec(c, "insert into r1 values (4, 'ours again')");
        tick(c, "rq");
        assertEquals(List.of("{\"id\":1,\"v\":\"ours\"}", "{\"id\":4,\"v\":\"ours again\"}"), data(drainEvents(c, "rq", "r")));
    }
}
