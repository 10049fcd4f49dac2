package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;

/** pgqadm install on an empty database: the Liquibase changelog packed in the jar. */
@PgTest
class PgqadmInstallIT {

    @TempDir
    Path dir;

    @Test
    void installsAndIsIdempotent(PgDatabase db, Connection c) throws Exception {
        String conf = Pgqadm.config(dir, "i.ini", Pgqadm.dbLine(db)).toString();
        Pgqadm.Result before = Pgqadm.run(conf, "status");
        assertEquals(1, before.exit(), before.describe());
        assertTrue(before.err().contains(db.name() + ": no pgq installed"), before.describe());

        Pgqadm.Result install = Pgqadm.run(conf, "install");
        assertEquals(0, install.exit(), install.describe());
        assertTrue(install.err().contains(db.name() + ": pgq-java installed, pgq.version() = 3.5.2"), install.describe());
        assertTrue(!install.err().contains("ERROR"), install.describe());
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pgq.version(), pgq.create_queue('iq')")) {
            rs.next();
            assertEquals("3.5.2", rs.getString(1));
            assertEquals(1, rs.getInt(2));
        }
        Pgqadm.Result again = Pgqadm.run(conf, "-v", "install");
        assertEquals(0, again.exit(), again.describe());
        assertTrue(again.err().contains("0 changeset(s) run"), again.describe());
        assertTrue(Pgqadm.run(conf, "status").out().contains("\niq "));
    }
}
