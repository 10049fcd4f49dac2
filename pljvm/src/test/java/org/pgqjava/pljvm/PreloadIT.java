package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.testsupport.Sql.one;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.ScratchCluster;

/**
 * pljvm in shared_preload_libraries: the postmaster loads libjvm (and no JVM), backends inherit
 * it; a libjvm that cannot be loaded does not keep the server from starting.
 */
@PgTest(setup = FixturesTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class PreloadIT {

    @Test
    void thePostmasterHasLibjvmLoadedAndNoJvm(Connection c, PgServer server) throws Exception {
        assertTrue(server.isManaged(), "reads the server's files");
        assertEquals("pljvm", one(c, "show shared_preload_libraries"), "the test servers preload pljvm");
        Path data = Paths.get(one(c, "show data_directory").toString());
        long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        String libjvm = Paths.get(one(c, "show pljvm.libjvm_location").toString()).toRealPath().toString();
        String maps = Files.readString(Paths.get("/proc/" + postmaster + "/maps"));
        assertTrue(maps.contains(libjvm), "libjvm in the postmaster:\n" + maps);
        assertTrue(maps.contains("/libjava.so"), "and the JDK's libjava");
        // no JVM: the postmaster has one thread, and no class-data archive mapped
        assertEquals(1L, Files.list(Paths.get("/proc/" + postmaster + "/task")).count());
        assertTrue(!maps.contains(".jsa"), "no JVM started in the postmaster");
        assertEquals(5L, one(c, "select jnoop(5)"), "a backend starts its JVM on the inherited libjvm");
    }

    @Test
    void aLibjvmThatCannotBeLoadedIsAWarningAtStartAndAnErrorAtTheFirstCall() throws Exception {
        try (ScratchCluster cluster = ScratchCluster.start(Map.of("fsync", "off",
                "shared_preload_libraries", "pljvm", "pljvm.libjvm_location", "/nonexistent/libjvm.so"), null)) {
            String log = Files.readString(cluster.logFile());
            assertTrue(log.contains("WARNING:  pljvm: cannot preload libjvm \"/nonexistent/libjvm.so\""), log);
            try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("create extension pljvm");
                // the validator starts the JVM already
                SQLException e = assertThrows(SQLException.class, () -> {
                    s.execute("create function jabs(int8) returns int8 language pljvm as 'java.lang.Math.abs'");
                    s.executeQuery("select jabs(-3)");
                });
                assertEquals("58P01", e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("pljvm: cannot load libjvm \"/nonexistent/libjvm.so\""), e.getMessage());
            }
        }
    }
}
