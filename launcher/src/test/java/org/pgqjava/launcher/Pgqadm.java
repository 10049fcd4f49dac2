package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.pgqjava.testsupport.PgDatabase;

/**
 * Runs bin/pgqadm as a user would: a separate process, a config file in a temporary directory,
 * output captured in files. The environment is the test JVM's without PG* variables, plus what
 * a test adds.
 */
final class Pgqadm {

    static final Path BIN = Path.of(System.getProperty("pgqadm.bin", "bin")).toAbsolutePath();
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

    /** A finished pgqadm. */
    record Result(int exit, String out, String err) {
        String describe() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    private Pgqadm() {
    }

    /** {@code db = ...} for {@code db} over TCP, as the superuser. */
    static String dbLine(PgDatabase db) {
        return "db = host=" + db.server().host() + " port=" + db.server().port() + " user=" + db.server().superuser()
                + " dbname=" + db.name();
    }

    /** Writes {@code dir/name} with a [pgqadm] section of {@code lines}. */
    static Path config(Path dir, String name, String... lines) {
        List<String> all = new ArrayList<>();
        all.add("[pgqadm]");
        all.addAll(List.of(lines));
        try {
            return Files.write(dir.resolve(name), all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ProcessBuilder command(String script, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(BIN.resolve(script).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        pb.environment().putAll(env);
        pb.redirectInput(new File("/dev/null"));
        return pb;
    }

    static Result run(String... args) {
        return runWith(Map.of(), args);
    }

    static Result runWith(Map<String, String> env, String... args) {
        return runScript("pgqadm", env, args);
    }

    static Result runScript(String script, Map<String, String> env, String... args) {
        try {
            Path out = Files.createTempFile("pgqadm-out-", ".txt");
            Path err = Files.createTempFile("pgqadm-err-", ".txt");
            try {
                Process p = command(script, env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    fail("pgqadm " + List.of(args) + " did not finish in " + RUN_TIMEOUT);
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts pgqadm in the background; stdout and stderr go to {@code log}. */
    static Process start(Path log, String... args) {
        return startWith(Map.of(), log, args);
    }

    static Process startWith(Map<String, String> env, Path log, String... args) {
        try {
            return command("pgqadm", env, args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pid in a pidfile, empty when there is none. */
    static OptionalLong pid(Path pidfile) {
        String s = read(pidfile).strip();
        return s.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(s));
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Ends a process the test started and left running (a failed test), by its pid. */
    static void killQuietly(Process p) {
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }

    static void killQuietly(OptionalLong pid) {
        pid.ifPresent(n -> ProcessHandle.of(n).ifPresent(ProcessHandle::destroyForcibly));
    }
}
