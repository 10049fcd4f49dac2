package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.pgqjava.testsupport.Await;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.Sql;
import org.postgresql.util.ServerErrorMessage;

/**
 * Helpers of the pljvm robustness tests (interrupts, stack, JVM options, concurrency, leaks):
 * server errors, backend processes, the server log and /proc of a backend. Plain JDBC is
 * test-support's {@link Sql}.
 */
final class Backends {
    private Backends() {
    }

    /**
     * Lines of the server log that mean a backend died abnormally (the postmaster then kills all
     * backends and reinitializes), a PANIC, or a JVM crash report. A FATAL of a terminated session
     * ("terminating connection due to administrator command") is normal and not matched, and so
     * is a background worker's exit code 1 at shutdown.
     */
    private static final Pattern CRASH = Pattern.compile(
            "terminated by signal|was terminated by exception|server process \\(PID \\d+\\) exited with exit code"
                    + "|terminating any other active server processes|all server processes terminated"
                    + "|PANIC:|A fatal error has been detected by the Java Runtime Environment|hs_err_pid");

    /** Asserts SQLSTATE and that the message contains {@code messagePart}. */
    static void assertError(ServerErrorMessage e, String sqlState, String messagePart) {
        String all = Sql.describe(e);
        assertEquals(sqlState, e.getSQLState(), all);
        assertTrue(e.getMessage() != null && e.getMessage().contains(messagePart), "message should contain '"
                + messagePart + "': " + all);
    }

    /** The failure of an asynchronously run statement, waiting at most {@code max}. */
    static Throwable failureOf(Future<?> f, Duration max) throws InterruptedException {
        try {
            Object v = f.get(max.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("statement succeeded (" + v + ") but should have failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("statement still running after " + max.toMillis() + " ms");
        }
    }

    static Duration since(long nanoTime) {
        return Duration.ofNanos(System.nanoTime() - nanoTime);
    }

    // ---- backends

    /** True once session {@code pid} holds the transaction advisory lock {@code key} (< 2^31). */
    static boolean holdsAdvisoryLock(Connection observer, int pid, int key) throws SQLException {
        try (PreparedStatement ps = observer.prepareStatement("select count(*) from pg_locks where locktype = 'advisory'"
                + " and granted and pid = ? and classid = 0 and objid = ? and objsubid = 1")) {
            ps.setInt(1, pid);
            ps.setInt(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /** wait_event of backend {@code pid} (null if none, or if the backend is gone). */
    static String waitEvent(Connection observer, int pid) throws SQLException {
        try (PreparedStatement ps = observer.prepareStatement("select wait_event from pg_stat_activity where pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * Waits until backend {@code pid} has exited: gone from pg_stat_activity and, for a managed
     * server, reaped (no such process). Then makes a new connection, which the postmaster accepts
     * only after its reaper has run, so that a crash report, if any, is in the log afterwards.
     */
    static void awaitBackendExit(PgServer server, Connection observer, int pid) throws Exception {
        Duration max = Duration.ofSeconds(30);
        Await.until("backend " + pid + " to leave pg_stat_activity", max, () -> {
            try (PreparedStatement ps = observer.prepareStatement("select count(*) from pg_stat_activity where pid = ?")) {
                ps.setInt(1, pid);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) == 0;
                }
            }
        });
        if (server.isManaged()) {
            Await.until("process " + pid + " to exit", max, () -> ProcessHandle.of(pid).isEmpty());
        }
        try (Connection c = server.connect("postgres")) {
            Sql.exec(c, "select 1");
        }
    }

    // ---- server log

    /** Lines of {@code log} that report a backend crash or a JVM crash (see {@link #CRASH}). */
    static List<String> crashLines(String log) {
        List<String> out = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (CRASH.matcher(line).find()) {
                out.add(line);
            }
        }
        return out;
    }

    /** Fails if the server log since {@code offset} reports a crash. */
    static void assertNoCrash(PgServer server, long offset) {
        List<String> lines = crashLines(server.serverLogSince(offset));
        assertTrue(lines.isEmpty(), "crash reported in the server log:\n" + String.join("\n", lines));
    }

    // ---- /proc of a backend, read by the backend itself (works whatever OS user runs the test)

    /** The text of /proc/{pid}/{file} as the server reads it; null if it does not exist (any more). */
    static String procFile(Connection superuser, int pid, String file) throws SQLException {
        try (PreparedStatement ps = superuser.prepareStatement("select pg_read_file(?::text, 0, 262144, true)")) {
            ps.setString(1, "/proc/" + pid + "/" + file);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** Thread ids of process {@code pid}. */
    static List<Integer> tasks(Connection superuser, int pid) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (PreparedStatement ps = superuser.prepareStatement("select pg_ls_dir(?::text)")) {
            ps.setString(1, "/proc/" + pid + "/task");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Integer.parseInt(rs.getString(1)));
                }
            }
        }
        return out;
    }

    /** A numeric field of a /proc status file ("RssAnon:  1234 kB" gives 1234). */
    static long statusField(String status, String field) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(field) + ":\\s*([0-9a-fA-F]+)").matcher(status);
        if (!m.find()) {
            throw new AssertionError("no " + field + " in\n" + status);
        }
        return Long.parseLong(m.group(1));
    }

    /** The SigBlk mask of a /proc status file: bit n-1 set means signal n is blocked. */
    static long blockedSignals(String status) {
        Matcher m = Pattern.compile("(?m)^SigBlk:\\s*([0-9a-fA-F]+)").matcher(status);
        if (!m.find()) {
            throw new AssertionError("no SigBlk in\n" + status);
        }
        return Long.parseUnsignedLong(m.group(1), 16);
    }

    static boolean blocks(long mask, int signal) {
        return (mask & (1L << (signal - 1))) != 0;
    }
}
