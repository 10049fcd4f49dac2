package org.pgqjava.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@PgTest
class PgServerTest {

    @Test
    void serverIsPostgres15(Connection c) throws SQLException {
        assertEquals("15", query(c, "SELECT current_setting('server_version_num')::int / 10000"));
    }

    @Test
    void testSettingsAreApplied(Connection c) throws SQLException {
        assertEquals("off", query(c, "SHOW fsync"));
        assertEquals("off", query(c, "SHOW synchronous_commit"));
        assertEquals("%m [%p] ", query(c, "SHOW log_line_prefix"));
        assertEquals("127.0.0.1", query(c, "SHOW listen_addresses"));
        assertEquals("UTF8", query(c, "SHOW server_encoding"));
    }

    @Test
    void settingsComeFromThePropertyAndMustComeBeforeStart(Connection c) throws SQLException {
        // this module's pom passes pgtest.settings=pgtest.marker=from-pom; a -Dpgtest.settings
        // on the Maven command line replaces it (Maven's user properties win), and is not checked
        if (System.getProperty("pgtest.settings", "").contains("pgtest.marker=from-pom")) {
            assertEquals("from-pom", query(c, "SELECT current_setting('pgtest.marker', true)"));
        }
        assertThrows(IllegalStateException.class, () -> PgServer.setting("work_mem", "8MB"));
        assertThrows(IllegalArgumentException.class, () -> PgServer.setting("work_mem = 1; x", "8MB"));
    }

    @Test
    void serverRunsAsPostgresWhenRootElseAsUs(Connection c, PgServer server) throws Exception {
        String expected = Exec.isRoot() ? "postgres" : System.getProperty("user.name");
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE os_user(name text)");
            s.execute("COPY os_user FROM PROGRAM 'id -un'"); // runs in the backend, as its OS user
        }
        assertEquals(expected, query(c, "SELECT name FROM os_user"));
        assertEquals(expected, Files.getOwner(server.dataDir().orElseThrow()).getName());
        assertEquals(expected, ProcessHandle.of(server.serverPid()).orElseThrow().info().user().orElseThrow());
    }

    @Test
    void serverPidIsTheParentOfOurBackend(Connection c, PgServer server) throws SQLException {
        long backend = Long.parseLong(query(c, "SELECT pg_backend_pid()"));
        long parent = ProcessHandle.of(backend).orElseThrow().parent().orElseThrow().pid();
        assertEquals(server.serverPid(), parent);
        assertTrue(server.isRunning());
    }

    @Test
    void serverLogSinceShowsNewWarningsOnly(Connection c, PgServer server) throws Exception {
        String marker = "pgtest-marker-" + UUID.randomUUID();
        try (Statement s = c.createStatement()) {
            s.execute("DO $$BEGIN RAISE WARNING '" + marker + " one'; END$$");
            long offset = server.serverLogSize();
            s.execute("DO $$BEGIN RAISE WARNING '" + marker + " two'; END$$");
            String since = waitForLog(server, offset, marker + " two");
            assertFalse(since.contains(marker + " one"), since);
            assertTrue(server.serverLog().contains(marker + " one"));
        }
    }

    @Test
    void psqlRunsScriptsAndReportsErrors(PgDatabase db) {
        ExecResult ok = db.psql("CREATE TABLE t(x int);\nINSERT INTO t VALUES (41);\nSELECT x + 1, current_database() FROM t;\n");
        assertEquals(0, ok.exitCode(), ok.describe());
        assertEquals("42|" + db.name(), ok.stdout().trim());

        ExecResult bad = db.psql("SELECT 1/0;\nSELECT 'not reached';\n");
        assertEquals(3, bad.exitCode(), bad.describe());
        assertTrue(bad.stderr().contains("division by zero"), bad.describe());
        assertFalse(bad.stdout().contains("not reached"), bad.describe());
    }

    static String waitForLog(PgServer server, long offset, String text) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        String since = server.serverLogSince(offset);
        while (!since.contains(text)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("'" + text + "' not in the server log after 10 s; log since offset:\n" + since);
            }
            Thread.sleep(20);
            since = server.serverLogSince(offset);
        }
        return since;
    }

    /** Column 1 of the only row, as text. */
    static String query(Connection c, String sql) throws SQLException {
        List<String> lines = Sql.lines(c, sql);
        assertEquals(1, lines.size(), () -> "rows of " + sql + ": " + lines);
        return lines.get(0);
    }
}
