package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.one;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * How a backend's JVM gets its classes: pljvm's own are defined from pljvm.so by the boot loader
 * (no jar, no class loader's Java), the JDK's come from pljvm's class-data archive (pljvm.jsa
 * next to pljvm.jar, written by make install with pljvm-archive.sh), an archive that does not fit
 * is a WARNING (HotSpot itself silently runs without any class-data sharing then), and the class
 * list covers the JDK classes a start loads. Every {@code Connection} parameter is a new session:
 * its first pljvm call starts a JVM.
 */
@PgTest(setup = FixturesTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class ClassArchiveIT {
    /** A JDK class every start loads that is in pljvm's archive and not in the JDK's own. */
    private static final String FROM_PLJVM_ARCHIVE = "java.lang.IllegalStateException source: shared objects file";

    /** A directory the server's OS user can write into and the test can read. */
    private Path dir;

    @BeforeEach
    void scratch(PgServer server) throws IOException {
        assertTrue(server.isManaged(), "these tests read and write the server's files");
        dir = Files.createTempDirectory("pljvm-archive-it");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterEach
    void clean() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void pljvmsClassesComeFromItsLibraryAndTheJdksFromTheArchive(Connection fresh) throws Exception {
        Path log = dir.resolve("class-load.log");
        defaultsPlus(fresh, "-Xlog:class+load=info:file=" + log);
        Sql.Warned w = Sql.warned(fresh, "select jnoop(7)");
        assertEquals(7L, w.value());
        assertEquals(List.of(), w.warnings());
        List<String> loaded = Files.readAllLines(log);
        // a class defined through JNI by the boot loader has no source in the log
        assertTrue(loaded.stream().anyMatch(l -> l.endsWith("] org.pgqjava.pljvm.internal.Natives")),
                "Natives defined from pljvm.so:\n" + head(loaded));
        assertEquals(List.of(), loaded.stream().filter(l -> l.contains("org.pgqjava.pljvm.internal.")
                && l.contains("source:")).toList(), "no pljvm class from a jar or an archive");
        assertTrue(loaded.stream().anyMatch(l -> l.endsWith(FROM_PLJVM_ARCHIVE)), head(loaded));
        assertTrue(loaded.stream().anyMatch(l -> l.endsWith("java.lang.Object source: shared objects file")),
                head(loaded));
        // the fixture jar comes from the jar table
        assertTrue(loaded.stream().anyMatch(l -> l.endsWith("org.pgqjava.pljvm.fixtures.Fns source: __JVM_DefineClass__")),
                head(loaded));
    }

    @Test
    void aJvmStartLoadsNoJdkClassFromOutsideTheArchive(Connection fresh) throws Exception {
        Path log = dir.resolve("class-load.log");
        defaultsPlus(fresh, "-Xlog:class+load=info:file=" + log);
        assertEquals(1L, one(fresh, "select jnoop(1)"));
        List<String> outside = Files.readAllLines(log).stream()
                .filter(l -> l.contains(" source: jrt:/")).toList();
        assertEquals(List.of(), outside, "add these to pljvm/src/main/c/pljvm.classlist (see its header)");
    }

    @Test
    void anArchiveThatDoesNotFitIsAWarningAndPljvmArchiveShWritesItAgain(Connection fresh, Connection second,
            Connection third, Connection fourth) throws Exception {
        Path pkglib = Paths.get(one(fresh, "select setting from pg_config where name = 'PKGLIBDIR'").toString());
        Path jar = dir.resolve("pljvm.jar");
        Files.copy(pkglib.resolve("pljvm.jar"), jar);
        // an archive cut short, as a failed copy would leave it
        byte[] archive = Files.readAllBytes(pkglib.resolve("pljvm.jsa"));
        Files.write(dir.resolve("pljvm.jsa"), java.util.Arrays.copyOf(archive, 4096));
        readable(jar, dir.resolve("pljvm.jsa"));

        exec(fresh, "set pljvm.classpath = '" + jar + "'");
        Sql.Warned w = Sql.warned(fresh, "select jnoop(3)");
        assertEquals(3L, w.value(), "an archive that does not fit only slows the start");
        assertEquals(List.of("WARNING: pljvm: the class-data archive \"" + dir.resolve("pljvm.jsa")
                + "\" does not fit this JVM; the JVM runs without class-data sharing"), w.warnings());

        // the script make install runs writes the copy its own archive
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(pkglib.resolve("pljvm-archive.sh").toString(), java, jar.toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pljvm-archive.sh took over a minute");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);

        Path log = dir.resolve("class-load.log");
        exec(second, "set pljvm.classpath = '" + jar + "'");
        defaultsPlus(second, "-Xlog:class+load=info:file=" + log);
        Sql.Warned again = Sql.warned(second, "select jnoop(4)");
        assertEquals(4L, again.value());
        assertEquals(List.of(), again.warnings());
        assertTrue(Files.readAllLines(log).stream().anyMatch(l -> l.endsWith(FROM_PLJVM_ARCHIVE)),
                head(Files.readAllLines(log)));

        // options that choose the sharing themselves get no archive from pljvm, and no warning
        exec(third, "set pljvm.classpath = '" + jar + "'");
        defaultsPlus(third, "-Xshare:off");
        Sql.Warned off = Sql.warned(third, "select jnoop(5)");
        assertEquals(5L, off.value());
        assertEquals(List.of(), off.warnings());

        // the archive holds no class of the jar: a jar put in place after it still gets it
        Thread.sleep(20);   // the copy's inode change time is later than the archive's write
        Files.copy(pkglib.resolve("pljvm.jar"), jar, StandardCopyOption.REPLACE_EXISTING);
        readable(jar);
        Path log4 = dir.resolve("class-load-4.log");
        exec(fourth, "set pljvm.classpath = '" + jar + "'");
        defaultsPlus(fourth, "-Xlog:class+load=info:file=" + log4);
        Sql.Warned newer = Sql.warned(fourth, "select jnoop(6)");
        assertEquals(6L, newer.value());
        assertEquals(List.of(), newer.warnings());
        assertTrue(Files.readAllLines(log4).stream().anyMatch(l -> l.endsWith(FROM_PLJVM_ARCHIVE)),
                head(Files.readAllLines(log4)));
    }

    /**
     * Sets pljvm.vmoptions to its default plus {@code extra}, for this session's JVM start (the
     * GUC exists once pljvm's library is loaded).
     */
    private static void defaultsPlus(Connection c, String extra) throws SQLException {
        exec(c, "load 'pljvm'");
        exec(c, "set pljvm.vmoptions = '" + one(c, "show pljvm.vmoptions") + " " + extra + "'");
    }

    private static void readable(Path... files) throws IOException {
        for (Path f : files) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    private static String head(List<String> lines) {
        return String.join("\n", lines.stream().limit(40).toList());
    }
}
