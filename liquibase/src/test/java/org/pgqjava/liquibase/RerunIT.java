package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.liquibase.Db.changelogRows;
import static org.pgqjava.liquibase.Db.functionFiles;
import static org.pgqjava.liquibase.Db.releaseChangesets;
import static org.pgqjava.testsupport.Sql.lines;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;

/** Running the changelog on an up-to-date database runs no changeset and changes nothing. */
@PgTest
class RerunIT {

    @Test
    void secondUpdateChangesNothing(Connection c, PgDatabase db) throws Exception {
        PgqInstaller.install(c);
        List<String> rows = changelogRows(c);
        List<String> jar = lines(c, "select jar_name, jar_sha256, installed_at from pljvm.jar");
        String dump = schemaDump(db);
        // release 0.1's changesets, the jar, one per function file, the grants
        assertEquals(releaseChangesets() + functionFiles().size() + 2, rows.size(),
                String.join("\n", rows));

        PgqInstaller.install(c);

        // a re-run changeset would get a new ORDEREXECUTED (and EXECTYPE RERAN)
        assertEquals(rows, changelogRows(c));
        assertEquals(jar, lines(c, "select jar_name, jar_sha256, installed_at from pljvm.jar"));
        assertEquals(dump, schemaDump(db));
    }

    @Test
    void installLeavesTheConnectionUsable(PgDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(true);
            PgqInstaller.install(c);
            assertTrue(c.getAutoCommit(), "auto-commit restored");
            assertEquals(List.of("3.5.2"), lines(c, "select pgq.version()"));
            c.setAutoCommit(false);
            PgqInstaller.install(c);
            assertEquals(false, c.getAutoCommit());
            c.rollback();
        }
    }

    /** {@code pg_dump --schema-only} of the database, without its random restrict key. */
    static String schemaDump(PgDatabase db) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(db.server().binDir().resolve("pg_dump").toString(),
                "--schema-only", "--no-sync",
                "-h", db.server().socketDir().map(Path::toString).orElse(db.server().host()),
                "-p", Integer.toString(db.server().port()), "-U", db.server().superuser(), "-d", db.name()));
        Path out = Files.createTempFile("pgq-dump-", ".sql");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "pg_dump did not finish: " + cmd);
            assertEquals(0, p.exitValue(), "pg_dump failed: " + cmd);
            // pg_dump 15.14+ brackets the script in restrict / unrestrict meta-commands with a random key
            return Files.readString(out, StandardCharsets.UTF_8).replaceAll("(?m)^\\\\(un)?restrict .*$", "");
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
