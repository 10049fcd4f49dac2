package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.liquibase.PgqInstaller;
import org.pgqjava.testsupport.Await;
import org.pgqjava.testsupport.ScratchCluster;

/**
 * What needs a server of its own: the daemon surviving a server stop and start, discovery of
 * every database with pgq (database_list = *), and password authentication from PGPASSWORD and
 * a password file.
 */
class ScratchClusterIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Local connections and TCP connections of postgres are trusted; other roles need a password over TCP. */
    private static final String HBA = "local all all trust\nhost all postgres 127.0.0.1/32 trust\n"
            + "host all all 127.0.0.1/32 scram-sha-256\n";
    private static ScratchCluster cluster;

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ScratchCluster.start(Map.of("fsync", "off", "synchronous_commit", "off", "log_line_prefix", "%m [%p] "), HBA);
        cluster.execute("postgres", "CREATE DATABASE one", "CREATE DATABASE two", "CREATE DATABASE plain",
                "CREATE ROLE ticker LOGIN SUPERUSER PASSWORD 'tick-pw'");
        for (String db : new String[]{"one", "two"}) {
            try (Connection c = cluster.connect(db)) {
                PgqInstaller.install(c);
            }
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private String socketDb(String db) {
        return "db = host=" + cluster.socketDir() + " port=" + cluster.port() + " user=postgres dbname=" + db;
    }

    private static void stop(Path conf, Process p) throws InterruptedException {
        Pgqadm.run(conf.toString(), "-s");
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            Pgqadm.killQuietly(p);
        }
    }

    @Test
    void survivesAServerStopAndStart() throws Exception {
        Path log = dir.resolve("restart.log");
        Path conf = Pgqadm.config(dir, "restart.ini", socketDb("one"), "loop_delay = 0.1", "maint_delay = 0.5",
                "pidfile = " + dir.resolve("restart.pid"), "logfile = " + log);
        Process p = Pgqadm.start(dir.resolve("console.txt"), conf.toString(), "ticker");
        try {
            try (Connection c = cluster.connect("one")) {
                DaemonIT.createQueue(c, "rq");
                DaemonIT.awaitTickAfterEvent(c, "rq");
            }
            cluster.stop();
            Await.until("the ticker reports the failure", WAIT, () -> Pgqadm.read(log).contains("one: ticker: "));
            Thread.sleep(5000); // down for several reconnect attempts (1 s, 2 s, 4 s)
            assertTrue(p.isAlive(), "the daemon stays up while the server is down");
            cluster.startAgain();
            try (Connection c = cluster.connect("one")) {
                DaemonIT.awaitTickAfterEvent(c, "rq");
            }
            Await.until("the recovery logged", WAIT, () -> Pgqadm.read(log).contains("one: ticker: working again after"));
            String text = Pgqadm.read(log);
            long tickerErrors = text.lines().filter(l -> l.contains(" ERROR one: ticker: ")).count();
            assertTrue(tickerErrors >= 1 && tickerErrors <= 3, "one line per change of state, not per attempt:\n" + text);
            assertTrue(text.contains("one: pgq version ok: 3.5.2"), text);
        } finally {
            stop(conf, p);
        }
        assertEquals(0, p.exitValue());
    }

    @Test
    void servesEveryDatabaseWithPgq() throws Exception {
        Path log = dir.resolve("all.log");
        Path conf = Pgqadm.config(dir, "all.ini", socketDb("postgres"), "database_list = *", "check_period = 0.5",
                "loop_delay = 0.1", "pidfile = " + dir.resolve("all.pid"), "logfile = " + log);
        Process p = Pgqadm.start(dir.resolve("console.txt"), conf.toString(), "ticker");
        try {
            try (Connection one = cluster.connect("one"); Connection two = cluster.connect("two")) {
                DaemonIT.createQueue(one, "aq");
                DaemonIT.createQueue(two, "aq");
                DaemonIT.awaitTickAfterEvent(one, "aq");
                DaemonIT.awaitTickAfterEvent(two, "aq");
            }
            cluster.execute("postgres", "CREATE DATABASE three");
            Await.until("three registered", WAIT, () -> Pgqadm.read(log).contains("Register database: three"));
            try (Connection three = cluster.connect("three")) {
                PgqInstaller.install(three);
                DaemonIT.createQueue(three, "aq");
                DaemonIT.awaitTickAfterEvent(three, "aq");
            }
            cluster.execute("postgres", "DROP DATABASE three WITH (FORCE)");
            Await.until("three unregistered", WAIT, () -> Pgqadm.read(log).contains("Unregister database: three"));
            String text = Pgqadm.read(log);
            assertTrue(text.contains("plain: ticker: no pgq installed"), text);
            assertTrue(!text.contains("template1: ticker"), "templates are not served:\n" + text);

            Pgqadm.Result status = Pgqadm.run(conf.toString(), "status", "--json");
            assertEquals(0, status.exit(), status.describe());
            assertTrue(status.out().contains("\"database\": \"one\"") && status.out().contains("\"database\": \"two\"")
                    && !status.out().contains("\"database\": \"plain\""), status.out());
        } finally {
            stop(conf, p);
        }
    }

    @Test
    void passwordFromEnvironmentOrPasswordFile() throws Exception {
        String tcp = "db = host=127.0.0.1 port=" + cluster.port() + " user=ticker dbname=one";
        Path conf = Pgqadm.config(dir, "pw.ini", tcp);
        Pgqadm.Result none = Pgqadm.run(conf.toString(), "status");
        assertEquals(1, none.exit(), none.describe());
        assertTrue(none.err().contains("password"), none.describe());
        Pgqadm.Result env = Pgqadm.runWith(Map.of("PGPASSWORD", "tick-pw"), conf.toString(), "status");
        assertEquals(0, env.exit(), env.describe());
        Path pgpass = dir.resolve("pgpass");
        Files.writeString(pgpass, "# host:port:db:user:password\n127.0.0.1:" + cluster.port() + ":*:ticker:tick-pw\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        Pgqadm.Result file = Pgqadm.runWith(Map.of("PGPASSFILE", pgpass.toString()), conf.toString(), "status");
        assertEquals(0, file.exit(), file.describe());
        Path inConnstr = Pgqadm.config(dir, "pw2.ini", tcp + " passfile=" + pgpass);
        Pgqadm.Result file2 = Pgqadm.run(inConnstr.toString(), "status");
        assertEquals(0, file2.exit(), file2.describe());
        Pgqadm.Result wrong = Pgqadm.runWith(Map.of("PGPASSWORD", "nope"), conf.toString(), "status");
        assertEquals(1, wrong.exit(), wrong.describe());
        assertTrue(wrong.err().contains("password authentication failed for user \"ticker\""), wrong.describe());
    }
}
