package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.liquibase.Db.changelogRows;
import static org.pgqjava.liquibase.Db.functionFiles;
import static org.pgqjava.liquibase.Db.releaseChangesets;
import static org.pgqjava.testsupport.Sql.lines;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;

/**
 * Liquibase's own command line (liquibase-core's {@code LiquibaseCommandLine}) in a JVM of its own,
 * with nothing of ours on its class path but the jar of this module, installs pgq-java; the
 * changesets are the same as {@link PgqInstaller}'s, so either may follow the other.
 */
@PgTest
class CommandLineIT {

    private static final Pattern NOTHING_RUN = Pattern.compile("(?m)^Run:\\s+0$");

    @Test
    void commandLineInstallsAndCodeFindsNothingToDo(Connection c, PgDatabase db) throws Exception {
        Result first = liquibase(db, "update");
        assertEquals(0, first.exit, first.output);
        assertTrue(first.output.contains("Liquibase command 'update' was executed successfully"), first.output);
        List<String> rows = changelogRows(c);
        // release 0.1's changesets, the jar, one per function file, the grants
        assertEquals(releaseChangesets() + functionFiles().size() + 2, rows.size(), first.output);
        assertEquals(List.of("3.5.2"), lines(c, "select pgq.version()"));

        PgqInstaller.install(c);
        assertEquals(rows, changelogRows(c), "the installer re-ran changesets the command line had run");

        Result second = liquibase(db, "update");
        assertEquals(0, second.exit, second.output);
        assertTrue(NOTHING_RUN.matcher(second.output).find(), second.output);
        assertEquals(rows, changelogRows(c));
    }

    @Test
    void statusListsNothingPendingAfterInstall(Connection c, PgDatabase db) throws Exception {
        PgqInstaller.install(c);
        Result status = liquibase(db, "status");
        assertEquals(0, status.exit, status.output);
        assertTrue(status.output.contains("is up to date"), status.output);
    }

    record Result(int exit, String output) {
    }

    /**
     * Runs {@code java -cp <cli dir>/*:<our jar> liquibase.integration.commandline.LiquibaseCommandLine
     * --changelog-file=db/pgq/changelog-master.xml --url=... <command>} in an empty directory, as
     * liquibase/README.md documents it.
     */
    static Result liquibase(PgDatabase db, String command) throws IOException, InterruptedException {
        String jar = System.getProperty("pgq.liquibaseJar");
        String cliDir = System.getProperty("pgq.cliDir");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "no module jar at " + jar + " (run mvn verify)");
        assertTrue(cliDir != null && Files.isDirectory(Path.of(cliDir)), "no " + cliDir + " (run mvn verify)");
        Path dir = Files.createTempDirectory("pgq-cli-");
        Path out = dir.resolve("output.txt");
        try {
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", cliDir + File.separator + "*" + File.pathSeparator + jar,
                    "liquibase.integration.commandline.LiquibaseCommandLine",
                    "--changelog-file=db/pgq/changelog-master.xml",
                    "--url=" + db.jdbcUrl(),
                    "--analytics-enabled=false", "--show-banner=false",
                    command);
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("no exit after 180 s: " + cmd + "\n" + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            try (var all = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
