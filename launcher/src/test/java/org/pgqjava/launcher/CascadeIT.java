package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Map;
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
import org.pgqjava.testsupport.ScratchCluster;
import org.pgqjava.testsupport.Sql;

/**
 * Londiste on pgq-java with its own, unchanged tools (Debian's python3-londiste, pgq_node and
 * londiste SQL loaded by {@code pgqadm install-cascade} from Debian's packages), ticked by one
 * pgqadm per server: root and branch on the run's server, the leaf on a second one; one table
 * replicated with its initial copy while it changes, then INSERT / UPDATE / DELETE / TRUNCATE,
 * branch and leaf refusing direct writes, the leaf moved to the root (change-provider) and the
 * branch taking over as root (takeover), nothing lost on the way.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 300)
class CascadeIT {
    private static final String BRANCH = "pgqadm_cascade_branch_" + ProcessHandle.current().pid();
    /** The leaf is on a server of its own. */
    private static final String LEAF = "cascade_leaf";
    private static ScratchCluster cluster;
    private static final String LONDISTE = "/usr/bin/londiste";
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @BeforeAll
    static void branchAndLeaf(PgServer server) throws Exception {
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + BRANCH + " TEMPLATE template0");
        }
        try (Connection c = server.connect(BRANCH)) {
            PgqInstaller.install(c);
        }
        cluster = ScratchCluster.start(Map.of("fsync", "off", "synchronous_commit", "off"), null);
        cluster.execute("postgres", "CREATE DATABASE " + LEAF);
        try (Connection c = cluster.connect(LEAF)) {
            PgqInstaller.install(c);
        }
    }

    @AfterAll
    static void dropBranchAndLeaf(PgServer server) throws Exception {
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + BRANCH + " WITH (FORCE)");
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String connstr(String host, int port, String user, String db) {
        return "host=" + host + " port=" + port + " user=" + user + " dbname=" + db;
    }

    private static String leafDbLine() {
        return "db = " + connstr("127.0.0.1", cluster.port(), "postgres", LEAF);
    }

    /** The table's copy on this node is complete (londiste's merge_state ok). */
    private static boolean copied(Connection c) throws SQLException {
        return "ok".equals(Sql.one(c, "select merge_state from londiste.table_info where table_name = 'public.repl'"));
    }

    /**
     * Waits until {@code ready} holds and the table is the same on every node; on a timeout the
     * error shows the tables and the end of every node's londiste log.
     */
    private void awaitSame(String what, List<Connection> nodes, Await.Condition ready) throws SQLException {
        try {
            awaitSameOrFail(what, nodes, ready);
        } catch (AssertionError e) {
            StringBuilder sb = new StringBuilder(e.getMessage());
            for (Connection c : nodes) {
                sb.append("\n").append(c.getCatalog()).append(": ").append(content(c));
            }
            for (String node : List.of("root", "branch", "leaf", "ticker1", "ticker2")) {
                String log = Pgqadm.read(dir.resolve(node + ".log"));
                sb.append("\n--- ").append(node).append(".log (end) ---\n")
                        .append(log.substring(Math.max(0, log.length() - 3000)));
            }
            throw new AssertionError(sb.toString(), e);
        }
    }

    private static void awaitSameOrFail(String what, List<Connection> nodes, Await.Condition ready) {
        Await.until(what, WAIT, () -> {
            if (!ready.holds()) {
                return false;
            }
            String first = content(nodes.get(0));
            for (Connection c : nodes) {
                if (!first.equals(content(c))) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void aTableReplicatesRootBranchLeafOnTwoServersAndThroughASwitchover(PgDatabase db, Connection root, PgServer server)
            throws Exception {
        Path rootIni = Pgqadm.config(dir, "root-pgqadm.ini", Pgqadm.dbLine(db));
        Path branchIni = Pgqadm.config(dir, "branch-pgqadm.ini", Pgqadm.dbLine(db).replace(db.name(), BRANCH));
        Path leafIni = Pgqadm.config(dir, "leaf-pgqadm.ini", leafDbLine());
        for (Path ini : List.of(rootIni, branchIni, leafIni)) {
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

        try (Connection branch = server.connect(BRANCH); Connection leaf = cluster.connect(LEAF)) {
            List<Connection> all = List.of(root, branch, leaf);
            for (Connection c : all) {
                Sql.exec(c, "create table public.repl (id int primary key, v text)");
            }
            Sql.exec(root, "insert into public.repl select g, 'v' || g from generate_series(1, 2000) g");

            String rootConn = connstr(server.host(), server.port(), server.superuser(), db.name());
            String branchConn = connstr(server.host(), server.port(), server.superuser(), BRANCH);
            String leafConn = connstr("127.0.0.1", cluster.port(), "postgres", LEAF);
            Path rootLd = londisteIni("root", rootConn);
            Path branchLd = londisteIni("branch", branchConn);
            Path leafLd = londisteIni("leaf", leafConn);
            londiste(rootLd, "create-root", "rootnode", rootConn);
            londiste(branchLd, "create-branch", "branchnode", branchConn, "--provider=" + rootConn);
            londiste(leafLd, "create-leaf", "leafnode", leafConn, "--provider=" + branchConn);
            // Londiste's copy hand-shake waits for batches: tick an idle queue every second, not
            // every minute (PgQ's ticker_idle_period); the branch's settings count once it is the root
            for (Connection c : List.of(root, branch)) {
                Sql.exec(c, "select pgq.set_queue_config('replika', 'ticker_idle_period', '1 second')");
                Sql.exec(c, "select pgq.set_queue_config('replika', 'ticker_max_lag', '1 second')");
            }

            // one pgqadm per server, as one pgqd per server
            Path ticker1 = Pgqadm.config(dir, "ticker1.ini", Pgqadm.dbLine(db), "database_list = " + db.name() + ", "
                    + BRANCH, "loop_delay = 0.1", "check_period = 0.5", "maint_delay = 1", "pidfile = " + dir.resolve("ticker1.pid"),
                    "logfile = " + dir.resolve("ticker1.log"));
            Path ticker2 = Pgqadm.config(dir, "ticker2.ini", leafDbLine(), "loop_delay = 0.1",
                    "pidfile = " + dir.resolve("ticker2.pid"), "logfile = " + dir.resolve("ticker2.log"));
            List<Process> daemons = new ArrayList<>();
            List<Path> lds = List.of(rootLd, branchLd, leafLd);
            try {
                daemons.add(Pgqadm.start(dir.resolve("ticker1-console.txt"), "-v", ticker1.toString(), "ticker"));
                daemons.add(Pgqadm.start(dir.resolve("ticker2-console.txt"), ticker2.toString(), "ticker"));
                for (Path ld : lds) {
                    daemons.add(worker(ld));
                }
                for (Path ld : lds) {
                    londiste(ld, "add-table", "public.repl");
                }
                // changes while the copies run
                Sql.exec(root, "insert into public.repl values (5000, 'during copy')");
                Sql.exec(root, "update public.repl set v = 'changed' where id between 10 and 20");
                Sql.exec(root, "delete from public.repl where id between 30 and 39");
                awaitSame("the branch's and the leaf's copies in sync", all, () -> copied(branch) && copied(leaf));
                assertEquals(1991L, Sql.oneLong(leaf, "select count(*) from public.repl"));

                Sql.exec(root, "insert into public.repl values (6000, 'after copy'), (6001, 'x')");
                Sql.exec(root, "update public.repl set v = 'again' where id = 1");
                Sql.exec(root, "delete from public.repl where id = 2");
                awaitSame("row changes replicated", all, () -> true);
                assertEquals("again", Sql.one(leaf, "select v from public.repl where id = 1"));

                // pgqadm's maintenance runs pgq_node's and Londiste's operations, as pgqd does
                assertEquals(List.of(List.of("pgq_node.maint_watermark", "replika"),
                        List.of("londiste.periodic_maintenance", "")), Sql.rows(root,
                        "select func_name, coalesce(func_arg, '') from pgq.maint_operations()"
                        + " where func_name like 'pgq\\_node.%' or func_name like 'londiste.%' order by 1 desc"));
                Await.until("pgqadm ran them", WAIT, () -> {
                    String log = Pgqadm.read(dir.resolve("ticker1.log"));
                    return log.contains(db.name() + ": maintenance: pgq_node.maint_watermark(replika)")
                            && log.contains(db.name() + ": maintenance: londiste.periodic_maintenance()");
                });

                // direct writes: the leaf's trigger denies them; the branch's queue takes events from its
                // provider only (PgQ's text; the SQLSTATE is issue 14's)
                String denied = Sql.assertSqlState("XX000", leaf, "insert into public.repl values (7000, 'direct')");
                assertEquals("Table 'public.repl' to queue 'replika': change not allowed (INSERT)", denied);
                assertEquals("Insert into queue disallowed",
                        Sql.error(branch, "insert into public.repl values (7000, 'direct')").getMessage());

                Sql.exec(root, "truncate public.repl");
                Sql.exec(root, "insert into public.repl select g, 't' || g from generate_series(1, 300) g");
                awaitSame("TRUNCATE replicated", all, () -> true);
                assertEquals(300L, Sql.oneLong(leaf, "select count(*) from public.repl"));

                // the leaf moves to the root as its provider, while the root keeps changing
                Sql.exec(root, "insert into public.repl select g, 'p' || g from generate_series(301, 400) g");
                londiste(leafLd, "change-provider", "--provider=rootnode");
                Sql.exec(root, "update public.repl set v = 'after change-provider' where id <= 50");
                awaitSame("changes after change-provider", all, () -> true);
                assertTrue(londiste(leafLd, "status").contains("leafnode (leaf)"));

                // switchover: the branch becomes the root, the root a branch
                Sql.exec(root, "insert into public.repl select g, 'q' || g from generate_series(401, 450) g");
                londiste(branchLd, "takeover", "rootnode");
                Await.until("branchnode is the root", WAIT, () -> londisteOut(branchLd, "status").contains("branchnode (root)"));
                Sql.exec(branch, "insert into public.repl values (9000, 'on the new root')");
                Sql.exec(branch, "delete from public.repl where id between 100 and 109");
                awaitSame("changes on the new root replicated", all, () -> true);
                assertEquals(441L, Sql.oneLong(leaf, "select count(*) from public.repl"), "nothing lost");
                assertEquals("on the new root", Sql.one(root, "select v from public.repl where id = 9000"));
                // the old root's queue now takes events from its provider only (PgQ's text; the SQLSTATE is issue 14's)
                assertEquals("Insert into queue disallowed",
                        Sql.error(root, "insert into public.repl values (9001, 'on the old root')").getMessage());
                // the new root's queue is ticked by pgqadm (the changes above needed its ticks), the old
                // root's takes its ticks from its provider now
                assertEquals(false, Sql.one(branch, "select queue_external_ticker from pgq.queue where queue_name = 'replika'"));
                assertEquals(true, Sql.one(root, "select queue_external_ticker from pgq.queue where queue_name = 'replika'"));
            } finally {
                for (Path ld : lds) {
                    londisteOut(ld, "-s");
                }
                Pgqadm.run(ticker1.toString(), "-s");
                Pgqadm.run(ticker2.toString(), "-s");
                for (Process p : daemons) {
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }
            for (String node : List.of("root", "branch", "leaf", "ticker1", "ticker2")) {
                String log = Pgqadm.read(dir.resolve(node + ".log"));
                assertTrue(!log.contains(" ERROR "), node + ".log:\n" + log);
            }
        }
    }

    @Test
    void aLondisteRootOnDebiansPgqIsTakenOverAndKeepsReplicating(PgServer server) throws Exception {
        String pgqRoot = "cascade_pgq_root" + "_" + ProcessHandle.current().pid();
        String javaLeaf = "cascade_java_leaf" + "_" + ProcessHandle.current().pid();
        try (Connection c = server.connect("postgres")) {
            Sql.exec(c, "CREATE DATABASE " + pgqRoot + " TEMPLATE template0");
            Sql.exec(c, "CREATE DATABASE " + javaLeaf + " TEMPLATE template0");
        }
        List<Process> daemons = new ArrayList<>();
        Path rootLd = null;
        Path leafLd = null;
        Path tickerIni = null;
        try (Connection root = server.connect(pgqRoot); Connection leaf = server.connect(javaLeaf)) {
            PgqInstaller.install(leaf);
            Path leafIni = Pgqadm.config(dir, "jl-pgqadm.ini", "db = " + connstr(server.host(), server.port(),
                    server.superuser(), javaLeaf));
            Pgqadm.Result r = Pgqadm.run(leafIni.toString(), "install-cascade");
            assertEquals(0, r.exit(), r.describe());
            for (Connection c : List.of(root, leaf)) {
                Sql.exec(c, "create table public.repl (id int primary key, v text)");
            }
            Sql.exec(root, "insert into public.repl select g, 'v' || g from generate_series(1, 500) g");
            String rootConn = connstr(server.host(), server.port(), server.superuser(), pgqRoot);
            String leafConn = connstr(server.host(), server.port(), server.superuser(), javaLeaf);
            rootLd = londisteIni("root", rootConn);
            leafLd = londisteIni("leaf", leafConn);
            // on the root, Londiste's own installer creates Debian's extensions pgq, pgq_node, londiste
            londiste(rootLd, "create-root", "rootnode", rootConn);
            assertEquals(List.of(List.of("londiste", "3.8"), List.of("pgq", "3.5"), List.of("pgq_node", "3.5")),
                    Sql.rows(root, "select extname::text, extversion from pg_extension where extname <> 'plpgsql' order by 1"));
            londiste(leafLd, "create-leaf", "leafnode", leafConn, "--provider=" + rootConn);
            Sql.exec(root, "select pgq.set_queue_config('replika', 'ticker_idle_period', '1 second')");
            Sql.exec(root, "select pgq.set_queue_config('replika', 'ticker_max_lag', '1 second')");
            tickerIni = Pgqadm.config(dir, "ticker.ini", "db = " + rootConn, "database_list = " + pgqRoot + ", "
                    + javaLeaf, "loop_delay = 0.1", "check_period = 0.5", "pidfile = " + dir.resolve("ticker1.pid"),
                    "logfile = " + dir.resolve("ticker1.log"));
            daemons.add(Pgqadm.start(dir.resolve("ticker-console.txt"), tickerIni.toString(), "ticker"));
            Process rootWorker = worker(rootLd);
            daemons.add(rootWorker);
            daemons.add(worker(leafLd));
            londiste(rootLd, "add-table", "public.repl");
            londiste(leafLd, "add-table", "public.repl");
            Sql.exec(root, "update public.repl set v = 'during copy' where id <= 10");
            List<Connection> both = List.of(root, leaf);
            awaitSame("the leaf's copy in sync", both, () -> copied(leaf));

            // events in flight in the root's queue while it is taken over: the root's worker stopped,
            // changes made by PgQ's C trigger wait in the queue
            londiste(rootLd, "-s");
            assertTrue(rootWorker.waitFor(60, TimeUnit.SECONDS), "the root's worker stopped");
            Sql.exec(root, "insert into public.repl values (1000, 'before takeover')");
            Sql.exec(root, "delete from public.repl where id = 20");
            Object triggerFn = Sql.one(root, "select 'pgq.logutriga()'::regprocedure::oid");
            Path rootIni = Pgqadm.config(dir, "pr-pgqadm.ini", "db = " + rootConn);
            r = Pgqadm.run(rootIni.toString(), "takeover");
            assertEquals(0, r.exit(), r.describe());
            assertEquals(List.of(List.of("pljvm")),
                    Sql.rows(root, "select extname::text from pg_extension where extname <> 'plpgsql'"));
            assertEquals(triggerFn, Sql.one(root, "select 'pgq.logutriga()'::regprocedure::oid"));
            daemons.add(worker(rootLd));
            Sql.exec(root, "update public.repl set v = 'after takeover' where id between 30 and 40");
            Sql.exec(root, "insert into public.repl values (1001, 'after takeover')");
            awaitSame("changes from before and after the takeover replicated", both, () -> true);
            assertEquals(501L, Sql.oneLong(leaf, "select count(*) from public.repl"), "500 + 2 - 1: nothing lost");
            assertTrue(londiste(leafLd, "status").contains("rootnode (root)"));
        } finally {
            for (Path ld : new Path[] {rootLd, leafLd}) {
                if (ld != null) {
                    londisteOut(ld, "-s");
                }
            }
            if (tickerIni != null) {
                Pgqadm.run(tickerIni.toString(), "-s");
            }
            for (Process p : daemons) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            try (Connection c = server.connect("postgres")) {
                Sql.exec(c, "DROP DATABASE IF EXISTS " + pgqRoot + " WITH (FORCE)");
                Sql.exec(c, "DROP DATABASE IF EXISTS " + javaLeaf + " WITH (FORCE)");
            }
        }
        for (String node : List.of("root", "leaf")) {
            String log = Pgqadm.read(dir.resolve(node + ".log"));
            assertTrue(!log.contains(" ERROR "), node + ".log:\n" + log);
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


    /** A londiste worker in the foreground of its own process (stopped with londiste -s). */
    private Process worker(Path ini) throws IOException {
        return londisteCommand(ini, "worker").redirectErrorStream(true)
                .redirectOutput(dir.resolve(ini.getFileName() + ".console").toFile()).start();
    }
}
