package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.liquibase.CascadeInstaller;
import org.pgqjava.liquibase.PgqInstaller;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.Await;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * Londiste on pgq-java with its own, unchanged tools (Debian's python3-londiste, pgq_node and
 * londiste SQL loaded by {@code pgqadm install-cascade} from Debian's packages), ticked by
 * pgqadm: a root and a leaf database, one table replicated with its initial copy while it
 * changes, then INSERT / UPDATE / DELETE / TRUNCATE, the leaf refusing direct writes.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 300)
class CascadeIT {
    private static final String LEAF = "pgqadm_cascade_leaf_" + ProcessHandle.current().pid();
    private static final String LONDISTE = "/usr/bin/londiste";
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @BeforeAll
    static void leaf(PgServer server) throws Exception {
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + LEAF + " TEMPLATE template0");
        }
        try (Connection c = server.connect(LEAF)) {
            PgqInstaller.install(c);
        }
    }

    @AfterAll
    static void dropLeaf(PgServer server) throws Exception {
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + LEAF + " WITH (FORCE)");
        }
    }

    private static String connstr(PgServer server, String db) {
        return "host=" + server.host() + " port=" + server.port() + " user=" + server.superuser() + " dbname=" + db;
    }

    @Test
    void aTableReplicatesFromRootToLeafWithLondistesOwnTools(PgDatabase db, Connection root, PgServer server)
            throws Exception {
        Path rootIni = Pgqadm.config(dir, "root-pgqadm.ini", Pgqadm.dbLine(db));
        Path leafIni = Pgqadm.config(dir, "leaf-pgqadm.ini", Pgqadm.dbLine(db).replace(db.name(), LEAF));
        for (Path ini : List.of(rootIni, leafIni)) {
            Pgqadm.Result r = Pgqadm.run(ini.toString(), "install-cascade");
            assertEquals(0, r.exit(), r.describe());
            assertTrue(r.err().contains("pgq_node 3.5 installed from /usr/share/postgresql/15/extension/pgq_node--3.5.sql")
                    && r.err().contains("londiste 3.8 installed from"), r.describe());
            r = Pgqadm.run(ini.toString(), "install-cascade");
            assertEquals(0, r.exit(), r.describe());
            assertTrue(r.err().contains("pgq_node 3.5 is installed already"), r.describe());
        }
        assertEquals(List.of(List.of("londiste", "3.8"), List.of("pgq_node", "3.5")),
                Sql.rows(root, "select name, version from pgq_java.cascade_component order by name"));

        try (Connection leaf = server.connect(LEAF)) {
            for (Connection c : List.of(root, leaf)) {
                Sql.exec(c, "create table public.repl (id int primary key, v text)");
            }
            Sql.exec(root, "insert into public.repl select g, 'v' || g from generate_series(1, 2000) g");

            String rootConn = connstr(server, db.name());
            String leafConn = connstr(server, LEAF);
            Path rootLd = londisteIni("root", rootConn);
            Path leafLd = londisteIni("leaf", leafConn);
            londiste(rootLd, "create-root", "rootnode", rootConn);
            londiste(leafLd, "create-leaf", "leafnode", leafConn, "--provider=" + rootConn);

            Path tickerLog = dir.resolve("ticker.log");
            Path tickerIni = Pgqadm.config(dir, "ticker.ini", Pgqadm.dbLine(db),
                    "database_list = " + db.name() + ", " + LEAF, "loop_delay = 0.1", "check_period = 0.5",
                    "pidfile = " + dir.resolve("ticker.pid"), "logfile = " + tickerLog);
            Process ticker = Pgqadm.start(dir.resolve("ticker-console.txt"), tickerIni.toString(), "ticker");
            List<Process> workers = new ArrayList<>();
            try {
                workers.add(worker(rootLd));
                workers.add(worker(leafLd));
                londiste(rootLd, "add-table", "public.repl");
                londiste(leafLd, "add-table", "public.repl");
                // changes while the copy runs
                Sql.exec(root, "insert into public.repl values (5000, 'during copy')");
                Sql.exec(root, "update public.repl set v = 'changed' where id between 10 and 20");
                Sql.exec(root, "delete from public.repl where id between 30 and 39");
                Await.until("the leaf's table copied and in sync", WAIT,
                        () -> londisteOut(leafLd, "tables").contains("public.repl") && "ok".equals(
                                Sql.one(leaf, "select merge_state from londiste.table_info where table_name = 'public.repl'"))
                                && content(root).equals(content(leaf)));
                assertEquals(1991L, Sql.oneLong(leaf, "select count(*) from public.repl"));

                Sql.exec(root, "insert into public.repl values (6000, 'after copy'), (6001, 'x')");
                Sql.exec(root, "update public.repl set v = 'again' where id = 1");
                Sql.exec(root, "delete from public.repl where id = 2");
                Await.until("row changes replicated", WAIT, () -> content(root).equals(content(leaf)));
                assertEquals("again", Sql.one(leaf, "select v from public.repl where id = 1"));

                String msg = Sql.assertSqlState("XX000", leaf, "insert into public.repl values (7000, 'direct')");
                assertEquals("Table 'public.repl' to queue 'replika': change not allowed (INSERT)", msg);

                Sql.exec(root, "truncate public.repl");
                Sql.exec(root, "insert into public.repl values (1, 'after truncate')");
                Await.until("TRUNCATE replicated", WAIT, () -> content(root).equals(content(leaf)));
                assertEquals(1L, Sql.oneLong(leaf, "select count(*) from public.repl"));
                assertNotEquals(0L, Sql.oneLong(root, "select count(*) from pgq.tick t join pgq.queue q"
                        + " on q.queue_id = t.tick_queue where q.queue_name = 'replika'"), "pgqadm ticks the queue");
            } finally {
                for (Path ini : List.of(rootLd, leafLd)) {
                    londisteQuietly(ini, "-s");
                }
                for (Process w : workers) {
                    if (!w.waitFor(30, TimeUnit.SECONDS)) {
                        w.destroyForcibly();
                    }
                }
                Pgqadm.run(tickerIni.toString(), "-s");
                if (!ticker.waitFor(30, TimeUnit.SECONDS)) {
                    ticker.destroyForcibly();
                }
            }
            assertTrue(!Pgqadm.read(dir.resolve("root.log")).contains(" ERROR ")
                    && !Pgqadm.read(dir.resolve("leaf.log")).contains(" ERROR "),
                    Pgqadm.read(dir.resolve("root.log")) + Pgqadm.read(dir.resolve("leaf.log")));
        }
    }

    @Test
    void installCascadeRefusesWhatItCannotDoAndChangesNothing(PgServer server) throws Exception {
        String plain = "pgqadm_cascade_plain_" + ProcessHandle.current().pid();
        String ext = "pgqadm_cascade_ext_" + ProcessHandle.current().pid();
        String partial = "pgqadm_cascade_partial_" + ProcessHandle.current().pid();
        try (Connection c = server.connect("postgres")) {
            for (String d : List.of(plain, ext, partial)) {
                Sql.exec(c, "CREATE DATABASE " + d + " TEMPLATE template0");
            }
        }
        try {
            try (Connection c = server.connect(plain)) {
                SQLException e = assertThrows(SQLException.class, () -> CascadeInstaller.installAvailable(c));
                assertEquals("55000", e.getSQLState());
                assertTrue(e.getMessage().startsWith("pgq-java is not installed in this database"), e.getMessage());
                assertEquals(0L, Sql.oneLong(c, "select count(*) from pg_namespace where nspname like 'pgq%'"));
            }
            try (Connection c = server.connect(ext)) {
                Sql.exec(c, "create extension pgq");   // Debian's PgQ in C
                SQLException e = assertThrows(SQLException.class, () -> CascadeInstaller.installAvailable(c));
                assertTrue(e.getMessage().startsWith("this database has PgQ as an extension (CREATE EXTENSION pgq)"),
                        e.getMessage());
            }
            try (Connection c = server.connect(partial)) {
                PgqInstaller.install(c);
                Object triggerFn = Sql.one(c, "select 'pgq.logutriga()'::regprocedure::oid");
                Object queueTable = Sql.one(c, "select 'pgq.queue'::regclass::oid");
                SQLException e = assertThrows(SQLException.class, () -> CascadeInstaller.install(c, List.of("pgq_ext")));
                assertTrue(e.getMessage().startsWith("unknown cascade component \"pgq_ext\""), e.getMessage());
                // londiste's schema made by hand: refused, and pgq_node, loaded first, is rolled back
                Sql.exec(c, "create schema londiste");
                e = assertThrows(SQLException.class, () -> CascadeInstaller.install(c, List.of("londiste")));
                assertEquals("55000", e.getSQLState());
                assertTrue(e.getMessage().startsWith("schema londiste exists, but pgq-java did not load it"), e.getMessage());
                assertEquals(null, Sql.one(c, "select to_regnamespace('pgq_node')::text"));
                assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq_java.cascade_component"));
                Sql.exec(c, "drop schema londiste");
                // asking for londiste brings pgq_node first
                assertEquals(List.of("pgq_node", "londiste"), CascadeInstaller.install(c, List.of("londiste")).stream()
                        .map(CascadeInstaller.Outcome::component).toList());
                // pgq-java's own install run again leaves what pgq_node and londiste reference in place
                PgqInstaller.install(c);
                assertEquals(triggerFn, Sql.one(c, "select 'pgq.logutriga()'::regprocedure::oid"));
                assertEquals(queueTable, Sql.one(c, "select 'pgq.queue'::regclass::oid"));
                assertEquals("3.5", Sql.one(c, "select version from pgq_java.cascade_component where name = 'pgq_node'"));
                assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq_node.node_info"), "pgq_node's tables are there");
            }
        } finally {
            try (Connection c = server.connect("postgres")) {
                for (String d : List.of(plain, ext, partial)) {
                    Sql.exec(c, "DROP DATABASE IF EXISTS " + d + " WITH (FORCE)");
                }
            }
        }
    }

    private static String content(Connection c) throws SQLException {
        return String.valueOf(Sql.one(c, "select count(*) || ':' || coalesce(md5(string_agg(id || '=' || v, ','"
                + " order by id)), '') from public.repl"));
    }

    private Path londisteIni(String node, String conn) throws IOException {
        return Files.write(dir.resolve(node + ".ini"), List.of("[londiste]", "job_name = cascade_" + node,
                "db = " + conn, "queue_name = replika", "logfile = " + dir.resolve(node + ".log"),
                "pidfile = " + dir.resolve(node + ".pid"), "loop_delay = 0.2"));
    }

    private ProcessBuilder londisteCommand(Path ini, String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", LONDISTE, ini.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.redirectInput(new File("/dev/null"));
        return pb;
    }

    /** Runs a londiste command to its end; fails the test unless it exits 0. */
    private String londiste(Path ini, String... args) {
        String out = londisteOut(ini, args);
        assertTrue(out.startsWith("exit 0\n"), "londiste " + List.of(args) + ":\n" + out);
        return out;
    }

    private String londisteOut(Path ini, String... args) {
        try {
            Path out = Files.createTempFile(dir, "londiste-", ".txt");
            Process p = londisteCommand(ini, args).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timeout\n" + Files.readString(out);
            }
            return "exit " + p.exitValue() + "\n" + Files.readString(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void londisteQuietly(Path ini, String... args) {
        londisteOut(ini, args);
    }

    /** A londiste worker in the foreground of its own process (stopped with londiste -s). */
    private Process worker(Path ini) throws IOException {
        return londisteCommand(ini, "worker").redirectErrorStream(true)
                .redirectOutput(dir.resolve(ini.getFileName() + ".console").toFile()).start();
    }
}
