package org.pgqjava.testsupport;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Cleans up after test JVMs that died without running their shutdown hooks (SIGKILL, OOM killer,
 * a surefire fork killed after its timeout): their servers would otherwise run until reboot.
 *
 * <p>Before making a new cluster, every {@code pgtest-*} directory under
 * {@link LocalCluster#tempRoot()} whose {@code owner.pid} names a process that no longer exists
 * has its server stopped ({@code -m fast}, then {@code -m immediate}) and is deleted, unless it
 * holds a {@code KEEP} file. A directory without {@code owner.pid} is left alone: its JVM may be
 * creating it right now. A recycled pid makes us leave a stale directory alone, never the reverse.
 */
final class StaleClusters {

    static final String OWNER_FILE = "owner.pid";
    static final String KEEP_FILE = "KEEP";

    private StaleClusters() {
    }

    /** Stops and deletes the clusters of dead JVMs; never throws. */
    static void reap(Path binDir) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(LocalCluster.tempRoot(), LocalCluster.DIR_PREFIX + "*")) {
            for (Path dir : dirs) {
                if (ownerIsDead(dir)) {
                    reapOne(dir, binDir);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("pgtest: looking for stale test clusters failed: " + e);
        }
    }

    private static boolean ownerIsDead(Path dir) {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve(OWNER_FILE)).trim());
            return ProcessHandle.of(pid).isEmpty();
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static void reapOne(Path dir, Path binDir) {
        Path data = dir.resolve("data");
        if (Files.exists(data.resolve("postmaster.pid"))) {
            System.err.println("pgtest: stopping a test server left running by a dead JVM in " + dir);
            LocalCluster.stopServer(data, binDir);
        }
        if (!Files.exists(dir.resolve(KEEP_FILE))) {
            deleteTree(dir);
        }
    }

    /** Deletes {@code dir} and everything below it; never throws. */
    static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    System.err.println("pgtest: could not delete " + p + ": " + e);
                }
            });
        } catch (IOException e) {
            System.err.println("pgtest: could not delete " + dir + ": " + e);
        }
    }
}
