package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.testsupport.Sql.lines;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * A database with PgQ as an extension (Debian's) is refused by the master changelog's
 * precondition (Liquibase's command line) and by PgqInstaller, pointing to pgqadm takeover;
 * nothing changes. A class of its own: its database gets the extension.
 */
@PgTest
class PgqExtensionRefusedIT {

    @Test
    void aDatabaseWithPgqAsAnExtensionIsRefusedAndNothingChanges(Connection c, PgDatabase db) throws Exception {
        Sql.exec(c, "create extension pgq");   // Debian's PgQ
        CommandLineIT.Result r = CommandLineIT.liquibase(db, "update");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("This database has PgQ installed as an extension (CREATE EXTENSION pgq):"
                + " pgq-java does not install over it. Take it over in place with: pgqadm CONFIG.ini takeover"), r.output());
        assertEquals(List.of("0"), lines(c, "select count(*) from databasechangelog"), "no changeset ran");
        assertEquals(List.of("c"), lines(c, "select l.lanname from pg_proc p join pg_language l on l.oid = p.prolang"
                + " where p.oid = 'pgq.logutriga()'::regprocedure"));
        SQLException e = assertThrows(SQLException.class, () -> PgqInstaller.install(c));
        assertEquals("55000", e.getSQLState());
        assertTrue(e.getMessage().contains("pgq-java does not install over it; nothing was changed"), e.getMessage());
    }
}
