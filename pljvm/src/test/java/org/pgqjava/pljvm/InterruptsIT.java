package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pljvm.Backends.assertError;
import static org.pgqjava.pljvm.Backends.assertNoCrash;
import static org.pgqjava.testsupport.Await.until;
import static org.pgqjava.pljvm.Backends.awaitBackendExit;
import static org.pgqjava.testsupport.Sql.error;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.pljvm.Backends.failureOf;
import static org.pgqjava.pljvm.Backends.holdsAdvisoryLock;
import static org.pgqjava.testsupport.Sql.one;
import static org.pgqjava.testsupport.Sql.oneLong;
import static org.pgqjava.testsupport.Sql.pid;
import static org.pgqjava.testsupport.Sql.serverError;
import static org.pgqjava.pljvm.Backends.since;
import static org.pgqjava.pljvm.Backends.waitEvent;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.util.ServerErrorMessage;
import org.pgqjava.testsupport.Sql;

/**
 * Query cancel, statement_timeout and termination while Java runs: in Thread.sleep (ended by the
 * watchdog), in a loop calling Pg.checkInterrupts, and inside SPI. The session must survive a
 * cancel (the JVM runs with -Xrs: SIGINT is PostgreSQL's) with no stale interrupt left behind,
 * and a termination must end only that session.
 *
 * <p>A statement that ignored the interrupt would run 30 s; every interrupted one must end in
 * under {@link #PROMPT} (generous for a busy 2-core machine). Tests that wait on a statement are
 * bounded by {@code @Timeout} in a separate thread, so a hung backend fails the test instead of
 * hanging the build.
 */
@PgTest(setup = FixturesTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class InterruptsIT {
    /** Upper bound for "ends well before the 30 s of Java work". */
    private static final Duration PROMPT = Duration.ofSeconds(10);
    private static final String TIMEOUT_MESSAGE = "canceling statement due to statement timeout";
    private static final String CANCEL_MESSAGE = "canceling statement due to user request";

    @Test
    void statementTimeoutEndsJavaSleep(Connection c) throws Exception {
        timesOut(c, "select jsleep(30000)");
    }

    @Test
    void statementTimeoutEndsLoopThatChecksInterrupts(Connection c) throws Exception {
        timesOut(c, "select jspin(30000)");
    }

    @Test
    void statementTimeoutEndsSqlRunByJava(Connection c) throws Exception {
        timesOut(c, "select jsqlsleep(30)");
    }

    @Test
    void cancelEndsJavaSleep(Connection c, PgDatabase db) throws Exception {
        exec(c, "select jsleep(1)"); // JVM started and jsleep resolved: the cancel hits Thread.sleep
        int pid = pid(c);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (Connection other = db.connect()) {
            // the lock is taken right before jsleep is called: once it shows, the backend is in Java
            Future<Object> f = ex.submit(() -> one(c, "select pg_advisory_xact_lock(101), jsleep(30000)"));
            until("the backend to reach jsleep", PROMPT, () -> holdsAdvisoryLock(other, pid, 101) || f.isDone());
            long t0 = System.nanoTime();
            assertEquals(true, one(other, "select pg_cancel_backend(" + pid + ")"));
            ServerErrorMessage e = serverError(failureOf(f, PROMPT), "jsleep");
            assertError(e, "57014", CANCEL_MESSAGE);
            assertTrue(since(t0).compareTo(PROMPT) < 0, "cancel took " + since(t0));
        } finally {
            ex.shutdownNow();
        }
        assertSessionGoesOn(c, pid);
    }

    @Test
    void cancelEndsSqlRunByJava(Connection c, PgDatabase db) throws Exception {
        exec(c, "select jsqlsleep(0)");
        int pid = pid(c);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (Connection other = db.connect()) {
            Future<Object> f = ex.submit(() -> one(c, "select jsqlsleep(30)"));
            until("the backend to wait in pg_sleep run through SPI", PROMPT,
                    () -> "PgSleep".equals(waitEvent(other, pid)) || f.isDone());
            long t0 = System.nanoTime();
            assertEquals(true, one(other, "select pg_cancel_backend(" + pid + ")"));
            ServerErrorMessage e = serverError(failureOf(f, PROMPT), "jsqlsleep");
            assertError(e, "57014", CANCEL_MESSAGE);
            assertTrue(since(t0).compareTo(PROMPT) < 0, "cancel took " + since(t0));
            // the SQL error passed through Java and came back unchanged, with the SPI context
            assertTrue(e.getWhere() != null && e.getWhere().contains("pg_sleep"), Sql.describe(e));
        } finally {
            ex.shutdownNow();
        }
        assertSessionGoesOn(c, pid);
    }

    @Test
    void cancelledSessionCanBeCancelledAgain(Connection c, PgDatabase db) throws Exception {
        // a cancel must leave the watchdog and the interrupt flags ready for the next one
        exec(c, "select jsleep(1)");
        int pid = pid(c);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (Connection other = db.connect()) {
            for (int round = 0; round < 3; round++) {
                int key = 200 + round;
                Future<Object> f = ex.submit(() -> one(c, "select pg_advisory_xact_lock(" + key + "), jsleep(30000)"));
                until("the backend to reach jsleep", PROMPT, () -> holdsAdvisoryLock(other, pid, key) || f.isDone());
                assertEquals(true, one(other, "select pg_cancel_backend(" + pid + ")"));
                assertError(serverError(failureOf(f, PROMPT), "jsleep"), "57014", CANCEL_MESSAGE);
                assertEquals(50L, oneLong(c, "select jsleep(50)"), "round " + round);
            }
        } finally {
            ex.shutdownNow();
        }
        assertEquals(pid, pid(c));
    }

    @Test
    void terminateEndsOnlyThatSession(Connection c, Connection witness, PgDatabase db, PgServer server)
            throws Exception {
        long logStart = server.serverLogSize();
        long postmaster = server.serverPid();
        int witnessPid = pid(witness);
        exec(c, "select jsleep(1)");
        int pid = pid(c);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (Connection other = db.connect()) {
            Future<Object> f = ex.submit(() -> one(c, "select pg_advisory_xact_lock(301), jsleep(30000)"));
            until("the backend to reach jsleep", PROMPT, () -> holdsAdvisoryLock(other, pid, 301) || f.isDone());
            long t0 = System.nanoTime();
            assertEquals(true, one(other, "select pg_terminate_backend(" + pid + ")"));
            ServerErrorMessage e = serverError(failureOf(f, PROMPT), "jsleep");
            assertError(e, "57P01", "terminating connection due to administrator command");
            assertTrue(since(t0).compareTo(PROMPT) < 0, "termination took " + since(t0));
            assertThrows(SQLException.class, () -> one(c, "select 1"), "the terminated session must be gone");
            awaitBackendExit(server, other, pid);
        } finally {
            ex.shutdownNow();
        }
        // no crash-restart: same postmaster, the other session untouched, nothing in the log
        assertEquals(postmaster, server.serverPid(), "postmaster pid");
        assertTrue(server.isRunning());
        assertEquals(witnessPid, pid(witness), "a crash-restart would have ended the witness session");
        assertEquals(7L, oneLong(witness, "select jnoop(7)"));
        try (Connection fresh = db.connect()) {
            assertEquals(8L, oneLong(fresh, "select jnoop(8)"));
        }
        assertNoCrash(server, logStart);
    }

    @Test
    void timeoutDuringJvmStartLeavesUsableSession(Connection c) throws Exception {
        // the first pljvm call of a session starts the JVM; a timeout hitting that call (start,
        // resolution or the sleep itself) must not leave the JVM half started
        int pid = pid(c);
        exec(c, "set statement_timeout = '300ms'");
        ServerErrorMessage e = error(c, "select jsleep(30000)");
        assertError(e, "57014", TIMEOUT_MESSAGE);
        exec(c, "reset statement_timeout");
        assertSessionGoesOn(c, pid);
    }

    /** statement_timeout of 500 ms ends {@code sql} (30 s of work) promptly; the session goes on. */
    private static void timesOut(Connection c, String sql) throws Exception {
        exec(c, "select jnoop(1)"); // the JVM is up: the timeout hits the Java work, not the JVM start
        int pid = pid(c);
        exec(c, "set statement_timeout = '500ms'");
        long t0 = System.nanoTime();
        ServerErrorMessage e = error(c, sql);
        Duration took = since(t0);
        assertError(e, "57014", TIMEOUT_MESSAGE);
        assertTrue(took.compareTo(Duration.ofMillis(450)) >= 0, "ended before the timeout: " + took);
        assertTrue(took.compareTo(PROMPT) < 0, "the timeout took " + took + " to end " + sql);
        exec(c, "reset statement_timeout");
        assertSessionGoesOn(c, pid);
    }

    /**
     * The same backend goes on: calls work, and a short Java sleep is not cut short by an
     * interrupt left over from the cancel (it would fail with InterruptedException).
     */
    private static void assertSessionGoesOn(Connection c, int pid) throws Exception {
        assertEquals(pid, pid(c), "the session must survive");
        assertEquals(1L, oneLong(c, "select jnoop(1)"));
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            assertEquals(50L, oneLong(c, "select jsleep(50)"));
            assertTrue(since(t0).toMillis() >= 49, "jsleep(50) returned after " + since(t0));
        }
        assertEquals(0L, oneLong(c, "select jsqlsleep(0.01)"));
        assertFalse(c.isClosed());
    }
}
