package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.pgqjava.pljvm.Backends.assertError;
import static org.pgqjava.pljvm.Backends.assertNoCrash;
import static org.pgqjava.testsupport.Await.until;
import static org.pgqjava.pljvm.Backends.blockedSignals;
import static org.pgqjava.pljvm.Backends.blocks;
import static org.pgqjava.testsupport.Sql.describe;
import static org.pgqjava.testsupport.Sql.error;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.one;
import static org.pgqjava.testsupport.Sql.oneLong;
import static org.pgqjava.testsupport.Sql.pid;
import static org.pgqjava.pljvm.Backends.procFile;
import static org.pgqjava.pljvm.Backends.tasks;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.util.ServerErrorMessage;

/**
 * The pljvm.* settings that decide how the JVM starts, read at the first pljvm call of a session
 * (every {@code Connection} parameter is a new session, so its first call starts a JVM), and the
 * signal masks of the JVM's threads.
 */
@PgTest(setup = FixturesTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class JvmOptionsIT {
    /** PostgreSQL's signals, which must reach only the backend's own thread. */
    private static final Map<String, Integer> PG_SIGNALS = new LinkedHashMap<>();

    static {
        PG_SIGNALS.put("SIGHUP", 1);
        PG_SIGNALS.put("SIGINT", 2);
        PG_SIGNALS.put("SIGUSR1", 10);
        PG_SIGNALS.put("SIGUSR2", 12);
        PG_SIGNALS.put("SIGALRM", 14);
        PG_SIGNALS.put("SIGTERM", 15);
    }

    @Test
    void badJvmOptionFailsCleanlyAndForTheRestOfTheSession(Connection fresh, PgDatabase db, PgServer server)
            throws Exception {
        long logStart = server.serverLogSize();
        int pid = pid(fresh);
        exec(fresh, "set pljvm.vmoptions = '-XX:+NoSuchOption'");
        ServerErrorMessage e = error(fresh, "select jnoop(1)");
        assertError(e, "39000", "JNI_CreateJavaVM");
        assertTrue(e.getDetail() != null && e.getDetail().contains("-XX:+NoSuchOption"), describe(e));
        // the JVM's own reason reaches the client, not only the server log
        assertTrue(e.getDetail().contains("The JVM said: Unrecognized VM option 'NoSuchOption'"), describe(e));
        // the JVM says what is wrong in the server log, as the hint promises
        until("the JVM's message in the server log", Duration.ofSeconds(10),
                () -> server.serverLogSince(logStart).contains("NoSuchOption"));

        // a JVM can be created once per process: the session stays without one, and says so
        assertEquals(pid, pid(fresh), "the failed start must not end the session");
        exec(fresh, "reset pljvm.vmoptions");
        for (int i = 0; i < 2; i++) {
            ServerErrorMessage again = error(fresh, "select jnoop(1)");
            assertError(again, "39000", "the JVM failed to start earlier in this session");
            assertNotNull(again.getHint(), describe(again));
            assertTrue(again.getHint().contains("reconnect"), describe(again));
        }
        assertEquals(1L, oneLong(fresh, "select 1"), "plain SQL still works in that session");

        try (Connection next = db.connect()) {
            assertEquals(5L, oneLong(next, "select jnoop(5)"));
        }
        assertNoCrash(server, logStart);
    }

    /**
     * Options HotSpot accepts one by one but not together (or values it cannot start with) make it
     * give up inside JNI_CreateJavaVM, with exit(1): PostgreSQL would take that for a crashed
     * backend and restart every session. pljvm's abort hook turns it into a FATAL error of the
     * one session, with the JVM's reason.
     */
    @Test
    void optionsTheJvmCannotStartWithEndOnlyThatSession(Connection c, PgDatabase db, PgServer server)
            throws Exception {
        long logStart = server.serverLogSize();
        Object started = one(c, "select pg_postmaster_start_time()");
        assertEquals(1L, oneLong(c, "select jnoop(1)"), "a running JVM in another session");
        String[][] cases = {
            {"-XX:+UseSerialGC -XX:+UseParallelGC", "Multiple garbage collectors selected"},
            {"-Xms128m -Xmx64m", "Initial heap size set to a larger value than the maximum heap size"},
        };
        for (String[] k : cases) {
            int victim;
            try (Connection v = db.connect()) {
                victim = pid(v);
                exec(v, "set pljvm.vmoptions = '" + k[0] + "'");
                ServerErrorMessage e = error(v, "select jnoop(1)");
                assertEquals("FATAL", e.getSeverity(), describe(e));
                assertError(e, "39000", "pljvm: the JVM could not start; ending the session");
                assertTrue(e.getDetail() != null && e.getDetail().contains(
                        "The JVM said: Error occurred during initialization of VM; " + k[1]), describe(e));
                assertTrue(e.getDetail().contains("options: " + k[0]), describe(e));
                assertTrue(e.getHint() != null && e.getHint().contains("pljvm.vmoptions"), describe(e));
                assertTrue(v.isClosed() || !v.isValid(2), "the session ended");
            }
            Backends.awaitBackendExit(server, c, victim);
        }
        assertEquals(started, one(c, "select pg_postmaster_start_time()"), "no crash-restart of the server");
        assertEquals(2L, oneLong(c, "select jnoop(2)"), "the other session and its JVM live on");
        assertNoCrash(server, logStart);
    }

    @Test
    void badLibjvmLocationFailsCleanly(Connection fresh) throws Exception {
        int pid = pid(fresh);
        exec(fresh, "set pljvm.libjvm_location = '/nonexistent/libjvm.so'");
        ServerErrorMessage e = error(fresh, "select jnoop(1)");
        assertError(e, "58P01", "cannot load libjvm \"/nonexistent/libjvm.so\"");
        assertTrue(e.getHint() != null && e.getHint().contains("pljvm.libjvm_location"), describe(e));

        // a file that is not a shared library
        String notLib = one(fresh, "select current_setting('data_directory') || '/PG_VERSION'").toString();
        exec(fresh, "set pljvm.libjvm_location = '" + notLib + "'");
        assertError(error(fresh, "select jnoop(1)"), "58P01", "cannot load libjvm");

        // a shared library that is not a JVM: pljvm's own
        String pkglib = one(fresh, "select setting from pg_config where name = 'PKGLIBDIR'").toString();
        exec(fresh, "set pljvm.libjvm_location = '" + pkglib + "/pljvm.so'");
        assertError(error(fresh, "select jnoop(1)"), "58P01", "has no JNI_CreateJavaVM");

        // nothing was started: the right library still gives this session its JVM
        exec(fresh, "reset pljvm.libjvm_location");
        assertEquals(1L, oneLong(fresh, "select jnoop(1)"));
        assertEquals(pid, pid(fresh));
    }

    @Test
    void optionsThatPljvmOwnsAreRefusedBeforeStart(Connection fresh) throws Exception {
        exec(fresh, "set pljvm.vmoptions = '-Xmx64m -Djava.class.path=/tmp'");
        ServerErrorMessage e = error(fresh, "select jnoop(1)");
        assertError(e, "22023", "must not set the class path");
        assertTrue(e.getHint() != null && e.getHint().contains("pljvm.install_jar"), describe(e));

        exec(fresh, "set pljvm.vmoptions = '-cp /tmp'");
        assertError(error(fresh, "select jnoop(1)"), "22023", "must not set the class path");

        exec(fresh, "set pljvm.vmoptions = '-Xssbig'");
        assertError(error(fresh, "select jnoop(1)"), "22023", "must not set the thread stack size");

        exec(fresh, "set pljvm.vmoptions = '-Xmx64m -Xss1g'");
        assertError(error(fresh, "select jnoop(1)"), "22023", "must not set the thread stack size");

        exec(fresh, "set pljvm.vmoptions = '-Xbootclasspath/a:/tmp'");
        assertError(error(fresh, "select jnoop(1)"), "22023", "must not set the class path");

        // none of these got as far as JNI_CreateJavaVM
        exec(fresh, "reset pljvm.vmoptions");
        assertEquals(1L, oneLong(fresh, "select jnoop(1)"));
    }

    @Test
    void pljvmSettingsAreForSuperusersOnly(Connection c) throws Exception {
        String role = "jvmoptionsit_" + ProcessHandle.current().pid();
        exec(c, "create role " + role);
        try {
            exec(c, "load 'pljvm'"); // defines the settings (else they are mere placeholders)
            exec(c, "set role " + role);
            for (String guc : List.of("pljvm.vmoptions", "pljvm.libjvm_location", "pljvm.classpath")) {
                assertError(error(c, "set " + guc + " = '/tmp'"), "42501", "permission denied to set parameter");
            }
        } finally {
            exec(c, "reset role");
            exec(c, "drop role " + role);
        }
    }

    @Test
    void jvmThreadsDoNotTakePostgresSignals(Connection c) throws Exception {
        assertEquals(1L, oneLong(c, "select jnoop(1)"));
        int pid = pid(c);
        Map<Integer, String> status = threadStatus(c, pid);
        assertTrue(status.size() >= 3, "expected the JVM's threads in the backend, found " + names(status));
        assertTrue(status.values().stream().anyMatch(s -> name(s).equals("pljvm-watchdog")),
                "no watchdog thread among " + names(status));
        Map<String, Integer> signals = new LinkedHashMap<>(PG_SIGNALS);
        signals.remove("SIGUSR2"); // see jvmThreadsDoNotTakeSigusr2
        assertMasks(pid, status, signals);
    }

    @Test
    void jvmThreadsDoNotTakeSigusr2(Connection c) throws Exception {
        // apart from the others: HotSpot uses SIGUSR2 itself (thread suspend/resume) unless told
        // to use another signal, and unblocks it in every thread it starts
        assertEquals(1L, oneLong(c, "select jnoop(1)"));
        int pid = pid(c);
        assertMasks(pid, threadStatus(c, pid), Map.of("SIGUSR2", 12));
    }

    @Test
    void threadsStartedByJavaCodeDoNotTakePostgresSignals(Connection c) throws Exception {
        // user code starts threads from the backend thread long after the JVM started (executors,
        // parallel streams, HTTP clients): they inherit the backend thread's signal mask then
        assertEquals(1L, oneLong(c, "select jnoop(1)"));
        assertEquals("pljvm-test-park", one(c, "select jparkthread('pljvm-test-park')"));
        int pid = pid(c);
        Map<Integer, String> status = threadStatus(c, pid);
        assertTrue(status.values().stream().anyMatch(s -> name(s).equals("pljvm-test-park")),
                "thread started by Java not found among " + names(status));
        assertMasks(pid, status, PG_SIGNALS);
    }

    @Test
    void jvmStartLeavesPostgresSignalHandlersAlone(Connection fresh) throws Exception {
        // dispositions are per process: -Xrs keeps the JVM off SIGINT/SIGTERM/SIGHUP/SIGQUIT, and
        // no other handler or ignore of PostgreSQL's may change either when the JVM starts
        int pid = pid(fresh);
        String before = procFile(fresh, pid, "status");
        assertEquals(1L, oneLong(fresh, "select jnoop(1)"));
        String after = procFile(fresh, pid, "status");
        Map<String, Integer> signals = new LinkedHashMap<>(PG_SIGNALS);
        signals.put("SIGQUIT", 3);
        List<String> changed = new ArrayList<>();
        signals.forEach((sig, n) -> {
            for (String field : List.of("SigIgn", "SigCgt")) {
                boolean was = blocks(mask(before, field), n);
                boolean is = blocks(mask(after, field), n);
                if (was != is) {
                    changed.add(sig + ": " + field + " " + was + " -> " + is);
                }
            }
        });
        assertTrue(changed.isEmpty(), "the JVM start changed PostgreSQL's signal dispositions in backend " + pid
                + ":\n" + String.join("\n", changed));
    }

    private static long mask(String status, String field) {
        Matcher m = Pattern.compile("(?m)^" + field + ":\\s*([0-9a-fA-F]+)").matcher(status);
        assertTrue(m.find(), "no " + field + " in\n" + status);
        return Long.parseUnsignedLong(m.group(1), 16);
    }

    /**
     * Every thread but the main one (tid == pid) blocks PostgreSQL's signals; the main thread,
     * where PostgreSQL's handlers belong, blocks none of them (outside a pljvm call).
     */
    private static void assertMasks(int pid, Map<Integer, String> status, Map<String, Integer> signals) {
        List<String> wrong = new ArrayList<>();
        status.forEach((tid, s) -> {
            long mask = blockedSignals(s);
            signals.forEach((sig, n) -> {
                if (tid == pid && blocks(mask, n)) {
                    wrong.add("main thread " + tid + " blocks " + sig);
                } else if (tid != pid && !blocks(mask, n)) {
                    wrong.add("thread " + tid + " (" + name(s) + ") does not block " + sig
                            + " (SigBlk " + Long.toHexString(mask) + ")");
                }
            });
        });
        if (!wrong.isEmpty()) {
            fail("signal masks of backend " + pid + ":\n" + String.join("\n", wrong));
        }
    }

    /** /proc/{pid}/task/{tid}/status of every thread that still exists, by tid. */
    private static Map<Integer, String> threadStatus(Connection c, int pid) throws SQLException {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (int tid : tasks(c, pid)) {
            String s = procFile(c, pid, "task/" + tid + "/status");
            if (s != null) { // a thread may end between the listing and the read
                out.put(tid, s);
            }
        }
        assertTrue(out.containsKey(pid), "main thread missing from " + out.keySet());
        return out;
    }

    private static String name(String status) {
        Matcher m = Pattern.compile("(?m)^Name:\\s*(.*)$").matcher(status);
        return m.find() ? m.group(1).trim() : "?";
    }

    private static List<String> names(Map<Integer, String> status) {
        List<String> out = new ArrayList<>();
        status.forEach((tid, s) -> out.add(tid + ":" + name(s)));
        return out;
    }
}
