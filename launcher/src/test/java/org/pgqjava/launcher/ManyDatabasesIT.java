package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.liquibase.PgqInstaller;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Await;
import org.pgqjava.pgq.PgqTemplate;

/**
 * One daemon, several databases (database_list): each is ticked and maintained on its own; a
 * database without pgq is reported once and left alone, without holding up the others.
 */
@PgTest(setup = PgqTemplate.class)
class ManyDatabasesIT {

    private static final String OTHER = "pgqadm_many_other_" + ProcessHandle.current().pid();
    private static final String PLAIN = "pgqadm_many_plain_" + ProcessHandle.current().pid();

    @TempDir
    Path dir;

    @BeforeAll
    static void databases(PgServer server) throws Exception {
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + OTHER + " TEMPLATE template0");
            s.execute("CREATE DATABASE " + PLAIN + " TEMPLATE template0");
        }
        try (Connection c = server.connect(OTHER)) {
            PgqInstaller.install(c);
        }
    }

    @AfterAll
    static void dropDatabases(PgServer server) throws Exception {
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + OTHER + " WITH (FORCE)");
            s.execute("DROP DATABASE IF EXISTS " + PLAIN + " WITH (FORCE)");
        }
    }

    @Test
    void eachListedDatabaseIsServed(PgDatabase db, Connection c, PgServer server) throws Exception {
        Path log = dir.resolve("many.log");
        Path conf = Pgqadm.config(dir, "many.ini", Pgqadm.dbLine(db), "database_list = " + db.name() + ", " + OTHER + " " + PLAIN,
                "loop_delay = 0.1", "check_period = 0.5", "pidfile = " + dir.resolve("many.pid"), "logfile = " + log);
        Process p = Pgqadm.start(dir.resolve("console.txt"), conf.toString(), "ticker");
        try (Connection other = server.connect(OTHER)) {
            DaemonIT.createQueue(c, "mq");
            DaemonIT.createQueue(other, "mq");
            DaemonIT.awaitTickAfterEvent(c, "mq");
            DaemonIT.awaitTickAfterEvent(other, "mq");
            Await.until("the database without pgq reported", Duration.ofSeconds(30),
                    () -> Pgqadm.read(log).contains(PLAIN + ": ticker: no pgq installed"));
            Thread.sleep(2000); // several check_periods: the report must not repeat
            DaemonIT.awaitTickAfterEvent(other, "mq");
            String text = Pgqadm.read(log);
            assertEquals(1, text.split(PLAIN + ": ticker: no pgq installed", -1).length - 1, text);
            assertTrue(text.contains(db.name() + ": pgq version ok: 3.5.2") && text.contains(OTHER + ": pgq version ok: 3.5.2"), text);

            Pgqadm.Result status = Pgqadm.run(conf.toString(), "status");
            assertEquals(0, status.exit(), status.describe());
            assertTrue(status.out().startsWith("Database: " + db.name() + "\n\nPostgres version: "), status.out());
            assertTrue(status.out().contains("\nDatabase: " + OTHER + "\n\nPostgres version: "), status.out());
            assertTrue(status.err().contains(PLAIN + ": no pgq installed"), status.describe());
        } finally {
            Pgqadm.run(conf.toString(), "-s");
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                Pgqadm.killQuietly(p);
            }
        }
        assertEquals(0, p.exitValue());
    }
}
