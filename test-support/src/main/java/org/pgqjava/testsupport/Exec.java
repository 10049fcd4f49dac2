package org.pgqjava.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs external commands to completion and captures their output.
 *
 * <p>Output goes to temporary files, not pipes: {@code pg_ctl start} leaves a postmaster behind
 * that could otherwise hold our pipe open, and reading a pipe to its end would then never end.
 */
final class Exec {

    /** The OS user that runs the server (and initdb, pg_ctl) when the JVM runs as root. */
    static final String POSTGRES_OS_USER = "postgres";

    private static final boolean ROOT = detectRoot();

    private Exec() {
    }

    /** True when this JVM runs as root (uid 0): PostgreSQL refuses to run as root. */
    static boolean isRoot() {
        return ROOT;
    }

    /**
     * {@code cmd} as it must be run to act as the server's OS user: prefixed with
     * {@code runuser -u postgres --} when we are root, unchanged otherwise.
     */
    static List<String> asServerUser(List<String> cmd) {
        if (!ROOT) {
            return cmd;
        }
        List<String> all = new ArrayList<>(List.of("runuser", "-u", POSTGRES_OS_USER, "--"));
        all.addAll(cmd);
        return all;
    }

    /**
     * Runs {@code pb} to completion, killing it after {@code timeout}.
     *
     * @param stdin file fed to standard input, or null for none
     * @throws UncheckedIOException when it cannot start or does not finish in time
     */
    static ExecResult run(ProcessBuilder pb, Path stdin, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("pgtest-out-", ".txt");
            err = Files.createTempFile("pgtest-err-", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.redirectInput(stdin == null ? new File("/dev/null") : stdin.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("no exit after " + timeout.toSeconds() + " s, killed: " + pb.command());
            }
            return new ExecResult(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("running " + pb.command() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + pb.command(), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** {@link #run(ProcessBuilder, Path, Duration)} in {@code dir} with no standard input. */
    static ExecResult run(Path dir, Duration timeout, List<String> cmd) {
        return run(new ProcessBuilder(cmd).directory(dir.toFile()), null, timeout);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover file in the temp dir is not worth failing a test for
            }
        }
    }

    private static boolean detectRoot() {
        try {
            // /proc/self belongs to the uid of the process looking at it
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | ClassCastException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
