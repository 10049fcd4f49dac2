package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;
import org.pgqjava.pgq.PgqTemplate;

/** Every command and option of pgqadm but the ticker's, run as a separate process. */
@PgTest(setup = PgqTemplate.class)
class CommandsIT {

    @TempDir
    Path dir;

    private Path conf(PgDatabase db, String... more) {
        List<String> lines = new java.util.ArrayList<>(List.of(Pgqadm.dbLine(db)));
        lines.addAll(List.of(more));
        return Pgqadm.config(dir, "t.ini", lines.toArray(String[]::new));
    }

    private static Pgqadm.Result ok(String... args) {
        Pgqadm.Result r = Pgqadm.run(args);
        assertEquals(0, r.exit(), r.describe());
        return r;
    }

    private static Pgqadm.Result fails(int exit, String... args) {
        Pgqadm.Result r = Pgqadm.run(args);
        assertEquals(exit, r.exit(), r.describe());
        return r;
    }

    @Test
    void versionHelpSampleAndUsageErrors(PgDatabase db) {
        assertTrue(ok("-V").out().matches("pgq-java version \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n"), "version line");
        String help = ok("-h").out();
        for (String s : List.of("-q, --quiet", "-v, --verbose", "-d, --daemon", "-r, --reload", "-s, --stop", "-k, --kill",
                "-V, --version", "ticker", "status", "install", "create QUEUE", "drop QUEUE", "register QUEUE CONSUMER",
                "unregister QUEUE CONSUMER", "config [QUEUE [key=value ...]]")) {
            assertTrue(help.contains(s), "help lacks " + s + ":\n" + help);
        }
        assertTrue(ok("--ini").out().contains("\n[pgqadm]\n"));
        assertEquals("need config file\n", fails(1).err());
        Path c = conf(db);
        assertEquals("need command\n", fails(1, c.toString()).err());
        assertEquals("unknown command\ndid you mean ticker? (pgqadm -h lists the commands)\n", fails(1, c.toString(), "tick").err());
        assertEquals("unknown command\ndid you mean status? (pgqadm -h lists the commands)\n", fails(1, c.toString(), "statsu").err());
        assertEquals("unknown command\n(pgqadm -h lists the commands)\n", fails(1, c.toString(), "frobnicate").err());
        assertTrue(fails(1, c.toString(), "create").err().contains("usage: pgqadm CONFIG.ini create QUEUE"));
        assertTrue(fails(1, c.toString(), "register", "q").err().contains("usage: pgqadm CONFIG.ini register QUEUE CONSUMER"));
        assertTrue(fails(2, c.toString(), "status", "--bogus").err().contains("Unknown option: '--bogus'"));
    }

    @Test
    void configErrorsNameTheKeyAndExit78(PgDatabase db) {
        Path missing = Pgqadm.config(dir, "m.ini", "loop_delay = 1");
        assertTrue(fails(78, missing.toString(), "status").err().contains("m.ini: db: missing"));
        Path bad = conf(db, "loop_delay = often");
        String badErr = fails(78, bad.toString(), "status").err();
        assertTrue(java.util.regex.Pattern.compile("t\\.ini:\\d+: loop_delay: not a number: 'often'").matcher(badErr).find(),
                "file:line: key: problem\n" + badErr);
        Path badDb = Pgqadm.config(dir, "d.ini", "db = dbname=x sslmode=sometimes");
        assertTrue(fails(78, badDb.toString(), "status").err().contains("d.ini:2: db: invalid sslmode value"));
        Path unknown = Pgqadm.config(dir, "u.ini", Pgqadm.dbLine(db), "maint_dealy = 5");
        Pgqadm.Result r = ok(unknown.toString(), "status");
        assertTrue(r.err().contains("WARN") && r.err().contains("u.ini:3: unknown key maint_dealy ignored"), r.describe());
        assertTrue(r.out().startsWith("Postgres version: "), r.describe());
        assertTrue(fails(78, Pgqadm.config(dir, "s.ini", Pgqadm.dbLine(db), "use_skylog = 1").toString(), "status")
                .err().contains("use_skylog: skylog.ini logging is not supported"));
    }

    @Test
    void queueAndConsumerCommands(PgDatabase db, Connection c) throws SQLException {
        Path logfile = dir.resolve("logs/admin.log");
        String cf = conf(db, "logfile = " + logfile).toString();
        assertTrue(ok(cf, "create", "orders").err().contains(db.name() + ": Creating queue: orders"));
        assertEquals(1, Sql.oneLong(c, "select count(*) from pgq.queue where queue_name = 'orders'"));
        assertTrue(ok(cf, "create", "orders").err().contains("queue orders exists already"));
        assertTrue(ok(cf, "register", "orders", "billing").err().contains(": Registering consumer billing on queue orders"));
        ok(cf, "register", "orders", "mailer");
        assertEquals(2, Sql.oneLong(c, "select count(*) from pgq.get_consumer_info('orders')"));

        String status = ok(cf, "status").out();
        List<String> lines = List.of(status.split("\n"));
        assertTrue(lines.get(0).matches("Postgres version: 15\\.\\S+ .*   PgQ version: 3\\.5\\.2"), status);
        assertEquals("", lines.get(1));
        assertEquals("Event queue                                    Rotation        Ticker   TLag", lines.get(2));
        assertEquals("-".repeat(78), lines.get(3));
        int queues = lines.subList(4, lines.size()).indexOf("-".repeat(78)) + 4; // other tests' queues may be there
        assertTrue(lines.subList(4, queues).stream().anyMatch(l -> l.matches("orders {42}3/7200s {4}500/3s/60s +\\d+s")), status);
        assertEquals("", lines.get(queues + 1));
        assertEquals("Consumer                                                       Lag  LastSeen", lines.get(queues + 2));
        assertEquals("-".repeat(78), lines.get(queues + 3));
        int orders = lines.indexOf("orders:");
        assertTrue(orders > queues + 3, status);
        assertTrue(lines.get(orders + 1).matches("  billing {47} +\\d+s +\\d+s"), status);
        assertTrue(lines.get(orders + 2).startsWith("  mailer "), status);
        assertEquals("-".repeat(78), lines.get(lines.size() - 1));

        String json = ok(cf, "status", "--json").out();
        assertTrue(json.contains("\"queue_name\": \"orders\"") && json.contains("\"consumer_name\": \"mailer\"")
                && json.contains("\"pgq_version\": \"3.5.2\"") && json.contains("\"database\": \"" + db.name() + "\"")
                && json.contains("\"retry_events\": 0") && json.contains("\"queue_cur_table\": 0"), json);

        Pgqadm.Result dropBusy = fails(1, cf, "drop", "orders");
        assertTrue(dropBusy.err().contains("drop failed"), dropBusy.describe());
        assertTrue(ok(cf, "unregister", "orders", "billing").err().contains(": Unregistering consumer billing from queue orders"));
        assertTrue(ok(cf, "unregister", "orders", "billing").err().contains("was not registered"));
        ok(cf, "unregister", "orders", "mailer");
        assertTrue(ok(cf, "drop", "orders").err().contains(": Dropping queue: orders"));
        assertEquals(0, Sql.oneLong(c, "select count(*) from pgq.queue where queue_name = 'orders'"));
        String log = Pgqadm.read(logfile);
        assertTrue(log.contains("INFO " + db.name() + ": Creating queue: orders") && log.contains("Dropping queue: orders"), log);
    }

    @Test
    void configShowsAndChangesQueueSettings(PgDatabase db, Connection c) throws SQLException {
        String cf = conf(db).toString();
        ok(cf, "create", "cq1");
        ok(cf, "create", "cq2");
        String one = ok(cf, "config", "cq1").out();
        assertEquals("cq1\n    ticker_max_lag\t=3.000000\n    ticker_max_count\t=    500\n"
                + "    ticker_idle_period\t=60.000000\n    rotation_period\t=7200.000000\n", one);
        String all = ok(cf, "config").out();
        assertTrue(all.startsWith("cq1\n") && all.contains("\ncq2\n"), all);
        Pgqadm.Result change = ok(cf, "config", "cq1", "ticker_max_lag=10", "queue_ticker_max_count=300", "rotation_period=1 hour");
        assertTrue(change.err().contains(": Change queue cq1 config to: queue_ticker_max_lag='10', queue_ticker_max_count='300',"
                + " queue_rotation_period='1 hour'"), change.describe());
        assertEquals(1, Sql.oneLong(c, "select count(*) from pgq.queue where queue_name = 'cq1' and queue_ticker_max_lag = '10 s'"
                + " and queue_ticker_max_count = 300 and queue_rotation_period = '1 hour'"));
        assertTrue(fails(1, cf, "config", "cq1", "ticker_paused=true").err().contains("unknown config var: ticker_paused"));
        assertTrue(fails(1, cf, "config", "nosuch").err().contains("no such queue: nosuch"));
        assertTrue(fails(1, cf, "config", "nosuch", "ticker_max_lag=1").err().contains("no such queue: nosuch"));
        assertTrue(fails(1, cf, "config", "cq1", "ticker_max_count=lots").err().contains("config failed"));
    }

    @Test
    void dbMayNameAServiceOfPgServiceConf(PgDatabase db) throws Exception {
        Path services = dir.resolve("pg_service.conf");
        Files.writeString(services, "[pgqtest]\nhost=" + db.server().socketDir().orElseThrow() + "\nport=" + db.server().port()
                + "\ndbname=" + db.name() + "\nuser=postgres\n");
        Path conf = Pgqadm.config(dir, "svc.ini", "db = service=pgqtest");
        Pgqadm.Result r = Pgqadm.runWith(Map.of("PGSERVICEFILE", services.toString()), conf.toString(), "status");
        assertEquals(0, r.exit(), r.describe());
        assertTrue(r.out().startsWith("Postgres version: "), r.describe());
        Pgqadm.Result none = Pgqadm.runWith(Map.of("PGSERVICEFILE", services.toString()),
                Pgqadm.config(dir, "nosvc.ini", "db = service=nosuch").toString(), "status");
        assertEquals(78, none.exit(), none.describe());
        assertTrue(none.err().contains("nosvc.ini:2: db: definition of service \"nosuch\" not found"), none.describe());
    }

    @Test
    void setOverridesAKeyOfTheConfigFile(PgDatabase db) {
        Path wrong = Pgqadm.config(dir, "wrong.ini", "db = dbname=pgtest_no_such_database host=/nonexistent");
        String real = Pgqadm.dbLine(db).substring("db = ".length());
        assertTrue(ok("--set", "db=" + real, wrong.toString(), "status").out().startsWith("Postgres version: "));
        Pgqadm.Result bad = fails(78, "--set", "loop_delay=soon", wrong.toString(), "status");
        assertTrue(bad.err().contains("--set loop_delay=soon: loop_delay: not a number: 'soon'"), bad.describe());
    }

    @Test
    void deadLettersAreListedRedrivenAndPurged(PgDatabase db, Connection c) throws SQLException {
        String cf = conf(db).toString();
        ok(cf, "create", "dq");
        ok(cf, "register", "dq", "dc");
        ok(cf, "config", "dq", "max_retries=0", "stuck_consumer_warn=1 hour");
        assertTrue(ok(cf, "config", "dq").out().contains("    stuck_consumer_warn\t=3600.000000\n    stuck_consumer_detach\t=    off\n"
                + "    max_retries\t=      0\n"));
        long[] ids = new long[3];
        for (int i = 0; i < 3; i++) {
            ids[i] = Sql.oneLong(c, "select pgq.insert_event('dq', 't', ?)", "d" + i);
        }
        Sql.exec(c, "select pgq.force_tick('dq')");
        Sql.exec(c, "select pgq.ticker('dq')");
        c.setAutoCommit(false);
        long b = Sql.oneLong(c, "select pgq.next_batch('dq', 'dc')");
        assertEquals(3L, Sql.oneLong(c, "select pgq.batch_retry(?, 0)", b));
        Sql.exec(c, "select pgq.finish_batch(?)", b);
        c.commit();
        c.setAutoCommit(true);

        String list = ok(cf, "dead-letters", "dq").out();
        assertTrue(list.contains("dc\t" + ids[0] + "\tretry null\tt\t") && list.endsWith("3 dead letter(s) in queue dq\n"), list);
        assertTrue(list.contains("retried 0 times, max_retries 0"), list);
        String json = ok(cf, "dead-letters", "dq", "dc", "--json").out();
        assertTrue(json.contains("\"ev_data\": \"d2\""), json);
        assertTrue(ok(cf, "redrive", "dq", "dc", Long.toString(ids[1])).err().contains("1 dead letter(s) of dc on queue dq given back"));
        assertEquals(List.of(ids[1]), Sql.column(c, "select ev_id from pgq.retry_queue"));
        assertTrue(ok(cf, "purge-dead-letters", "dq", "dc", Long.toString(ids[0])).err().contains("1 dead letter(s) of queue dq deleted"));
        assertEquals(List.of(ids[2]), Sql.column(c, "select ev_id from pgq_java.dead_letters('dq')"));
        assertTrue(fails(1, cf, "redrive", "dq").err().contains("usage: pgqadm CONFIG.ini redrive QUEUE CONSUMER [EV_ID ...]"));
        assertTrue(fails(1, cf, "redrive", "dq", "dc", "x1").err().contains("(event ids: whole numbers)"));
        assertTrue(fails(1, cf, "redrive", "dq", "nobody").err().contains("Not subscriber to queue: dq/nobody"));
        assertTrue(ok(cf, "purge-dead-letters", "dq").err().contains("1 dead letter(s) of queue dq deleted"));
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq_java.dead_letter"));
    }

    @Test
    void connectsOverTheUnixSocketByUriAndFromTheEnvironment(PgDatabase db) {
        Path sock = db.server().socketDir().orElseThrow();
        int port = db.server().port();
        Path unix = Pgqadm.config(dir, "unix.ini", "db = host=" + sock + " port=" + port + " user=postgres dbname=" + db.name());
        assertTrue(ok(unix.toString(), "status").out().startsWith("Postgres version: "));
        Path uri = Pgqadm.config(dir, "uri.ini", "db = postgresql://postgres@" + sock.toString().replace("/", "%%2F") + ":" + port + "/" + db.name());
        assertTrue(ok(uri.toString(), "status").out().startsWith("Postgres version: "));
        Path env = Pgqadm.config(dir, "env.ini", "db = dbname=" + db.name());
        Pgqadm.Result r = Pgqadm.runWith(Map.of("PGHOST", sock.toString(), "PGPORT", Integer.toString(port), "PGUSER", "postgres"),
                env.toString(), "status");
        assertEquals(0, r.exit(), r.describe());
        Pgqadm.Result refused = Pgqadm.run(Pgqadm.config(dir, "no.ini", "db = host=" + dir + " port=1 dbname=x user=postgres").toString(), "status");
        assertEquals(1, refused.exit(), refused.describe());
        assertTrue(refused.err().contains("x: status failed: connection to server on socket \"" + dir + "/.s.PGSQL.1\" failed: "),
                refused.describe());
    }

    @Test
    void adminCommandsUseTheAdminPidfile(PgDatabase db) throws Exception {
        Path pidfile = dir.resolve("t.pid");
        String cf = conf(db, "pidfile = " + pidfile).toString();
        ok(cf, "status");
        assertTrue(Files.notExists(Path.of(pidfile + ".admin")), "removed after the command");
        Files.writeString(Path.of(pidfile + ".admin"), ProcessHandle.current().pid() + "\n"); // alive: this JVM
        assertTrue(fails(1, cf, "status").err().contains("Pidfile exists, another process running?"));
        Files.writeString(Path.of(pidfile + ".admin"), "999999999\n");
        Pgqadm.Result stale = ok(cf, "status");
        assertTrue(stale.err().contains("Ignoring stale pidfile"), stale.describe());
    }
}
