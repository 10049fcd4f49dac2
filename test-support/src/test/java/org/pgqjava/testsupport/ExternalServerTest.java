package org.pgqjava.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import org.junit.jupiter.api.Test;

/**
 * The PGTEST_URL path, tested by attaching to the managed server of this run through its URL
 * (reading the environment variable itself is one line and not tested).
 */
@PgTest
class ExternalServerTest {

    @Test
    void attachesThroughTcpAndNeverStopsTheServer(PgServer managed, PgDatabase db) throws Exception {
        PgServer external = PgServer.external(managed.jdbcUrl("postgres") + "&ApplicationName=pgtest");
        assertFalse(external.isManaged());
        assertEquals("postgres", external.superuser());
        assertEquals(managed.port(), external.port());
        assertTrue(external.socketDir().isEmpty());
        assertTrue(external.jdbcUrl(db.name()).endsWith("/" + db.name() + "?user=postgres&ApplicationName=pgtest"));

        try (Connection c = external.connect(db.name())) {
            assertEquals(db.name(), PgServerTest.query(c, "SELECT current_database()"));
            assertEquals("pgtest", PgServerTest.query(c, "SHOW application_name"));
        }
        assertEquals(managed.serverPid(), external.serverPid()); // via pg_read_file('postmaster.pid')
        assertTrue(external.isRunning());

        ExecResult r = new PgDatabase(external, db.name()).psql("SELECT inet_server_addr();");
        assertEquals(0, r.exitCode(), r.describe());
        assertEquals("127.0.0.1", r.stdout().trim()); // TCP, not the Unix socket

        external.stop();
        assertTrue(managed.isRunning());
    }

    @Test
    void userDefaultsAndBadUrlsAreRejected() {
        assertEquals(System.getProperty("user.name"), PgServer.external("jdbc:postgresql://h:5433/x").superuser());
        assertThrows(IllegalArgumentException.class, () -> PgServer.external("jdbc:mysql://h/x"));
    }
}
