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
import java.util.Set;
import java.util.TreeSet;
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
 * pljvm.jar's class-data archive (pljvm.jsa next to it, written by make install with
 * pljvm-archive.sh): a backend's JVM takes pljvm's classes from it, a stale one is a WARNING
 * (HotSpot itself silently runs without any class-data sharing then), and its class list covers
 * what a JVM start loads. Every {@code Connection} parameter is a new session: its first pljvm
 * call starts a JVM.
 */
@PgTest(setup = FixturesTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class ClassArchiveIT {
    private static final String SHARED_NATIVES = "org.pgqjava.pljvm.internal.Natives source: shared objects file";

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
    void aBackendTakesPljvmsClassesFromTheInstalledArchive(Connection fresh) throws Exception {
        Path log = dir.resolve("class-load.log");
        defaultsPlus(fresh, "-Xlog:class+load=info:file=" + log);
        Sql.Warned w = Sql.warned(fresh, "select jnoop(7)");
        assertEquals(7L, w.value());
        assertEquals(List.of(), w.warnings());
        String loaded = Files.readString(log);
        assertTrue(loaded.contains(SHARED_NATIVES), "pljvm's classes come from pljvm.jsa:\n" + head(loaded));
        assertTrue(loaded.contains("java.lang.Object source: shared objects file"), head(loaded));
        // the fixture jar comes from the jar table, not from the archive
        assertTrue(loaded.contains("org.pgqjava.pljvm.fixtures.Fns source: __JVM_DefineClass__"), head(loaded));
    }

    @Test
    void aStaleArchiveIsAWarningAndPljvmArchiveShWritesItAgain(Connection fresh, Connection second,
            Connection third, Connection fourth) throws Exception {
        Path pkglib = Paths.get(one(fresh, "select setting from pg_config where name = 'PKGLIBDIR'").toString());
        Path jar = dir.resolve("pljvm.jar");
        Files.copy(pkglib.resolve("pljvm.jar"), jar);
        // the installed archive is for the installed jar: for this copy (another path) it is stale
        Files.copy(pkglib.resolve("pljvm.jsa"), dir.resolve("pljvm.jsa"));
        readable(jar, dir.resolve("pljvm.jsa"));

        exec(fresh, "set pljvm.classpath = '" + jar + "'");
        Sql.Warned w = Sql.warned(fresh, "select jnoop(3)");
        assertEquals(3L, w.value(), "a stale archive only slows the start");
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
        assertTrue(Files.readString(log).contains(SHARED_NATIVES), head(Files.readString(log)));

        // options that choose the sharing themselves get no archive from pljvm, and no warning
        exec(third, "set pljvm.classpath = '" + jar + "'");
        defaultsPlus(third, "-Xshare:off");
        Sql.Warned off = Sql.warned(third, "select jnoop(5)");
        assertEquals(5L, off.value());
        assertEquals(List.of(), off.warnings());

        // a jar put in place after its archive was written: pljvm leaves the archive out, so
        // that the JDK's own archive still serves (HotSpot, given one that does not fit, would
        // run with no sharing at all), and says so
        Thread.sleep(20);   // the copy's inode change time must be later than the archive's write
        Files.copy(pkglib.resolve("pljvm.jar"), jar, StandardCopyOption.REPLACE_EXISTING);
        readable(jar);
        Path log4 = dir.resolve("class-load-4.log");
        exec(fourth, "set pljvm.classpath = '" + jar + "'");
        defaultsPlus(fourth, "-Xlog:class+load=info:file=" + log4);
        Sql.Warned older = Sql.warned(fourth, "select jnoop(6)");
        assertEquals(6L, older.value());
        assertEquals(List.of("WARNING: pljvm: the class-data archive \"" + dir.resolve("pljvm.jsa")
                + "\" is older than pljvm.jar or libjvm; the JVM starts without it"), older.warnings());
        String loaded = Files.readString(log4);
        assertTrue(loaded.contains("java.lang.Object source: shared objects file"), "the JDK's archive: " + head(loaded));
        assertTrue(!loaded.contains(SHARED_NATIVES), "not pljvm's archive: " + head(loaded));
    }

    @Test
    void theClassListHoldsEveryPljvmClassAJvmStartLoads(Connection fresh) throws Exception {
        Path dump = dir.resolve("loaded.classlist");
        defaultsPlus(fresh, "-XX:DumpLoadedClassList=" + dump);
        assertEquals(1L, one(fresh, "select jnoop(1)"));
        Set<String> listed = pljvmClasses(Files.readAllLines(Paths.get("src/main/c/pljvm.classlist")));
        Set<String> loaded = pljvmClasses(Files.readAllLines(dump));
        assertTrue(loaded.contains("org/pgqjava/pljvm/internal/Natives"), "the dump lists pljvm's classes: " + loaded);
        Set<String> missing = new TreeSet<>(loaded);
        missing.removeAll(listed);
        assertEquals(Set.of(), missing, "add these to pljvm/src/main/c/pljvm.classlist (see its header)");
    }

    /**
     * Sets pljvm.vmoptions to its default plus {@code extra}, for this session's JVM start (the
     * GUC exists once pljvm's library is loaded).
     */
    private static void defaultsPlus(Connection c, String extra) throws SQLException {
        exec(c, "load 'pljvm'");
        exec(c, "set pljvm.vmoptions = '" + one(c, "show pljvm.vmoptions") + " " + extra + "'");
    }

    private static Set<String> pljvmClasses(List<String> classList) {
        Set<String> names = new TreeSet<>();
        for (String line : classList) {
            String name = line.split(" ", 2)[0];
            if (name.startsWith("org/pgqjava/pljvm/")) {
                names.add(name);
            }
        }
        return names;
    }

    private static void readable(Path... files) throws IOException {
        for (Path f : files) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    private static String head(String text) {
        return String.join("\n", text.lines().limit(40).toList());
    }
}
