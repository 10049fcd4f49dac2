package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pljvm.Backends.assertError;
import static org.pgqjava.pljvm.Backends.assertNoCrash;
import static org.pgqjava.testsupport.Sql.describe;
import static org.pgqjava.testsupport.Sql.error;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.oneLong;
import static org.pgqjava.testsupport.Sql.pid;
import static org.pgqjava.pljvm.Backends.procFile;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.pgqjava.testsupport.Sql;
import org.pgqjava.testsupport.Await;

/**
 * The JVM runs on the backend's own stack: its guard pages sit -Xss below the top. PostgreSQL's
 * stack depth check (max_stack_depth) must always fire before a recursion reaches them, since a
 * SIGSEGV there crash-restarts the whole cluster. pljvm therefore sizes -Xss to the stack rlimit
 * itself (PostgreSQL keeps max_stack_depth 512 kB below it) and refuses an -Xss in
 * pljvm.vmoptions. A Java StackOverflowError must be an ordinary ERROR.
 *
 * <p>"No crash" is checked three ways: the same backend answers afterwards, a witness session
 * opened before survives (a crash-restart ends every session), and the server log since the test
 * started has no crash report.
 */
@PgTest(setup = FixturesTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackIT {
    /** PostgreSQL keeps max_stack_depth at least this far below the stack rlimit (STACK_DEPTH_SLOP). */
    private static final long PG_SLOP_KB = 512;

    @BeforeAll
    static void createRecursion(Connection c) throws SQLException {
        exec(c, "create function deep(n int) returns int language plpgsql as $$"
                + " begin if n <= 0 then return 0; end if; return 1 + deep(n - 1); end $$");
    }

    @Test
    void plpgsqlRecursionWithJvmLoadedIsStoppedByStackCheck(Connection c, Connection witness, PgServer server)
            throws Exception {
        long logStart = server.serverLogSize();
        int witnessPid = pid(witness);
        assertEquals(1L, oneLong(c, "select jnoop(1)")); // the JVM lives in this backend now
        int pid = pid(c);

        assertStackDepthExceeded(c, "select deep(100000)");
        assertEquals(pid, pid(c));
        assertEquals(2L, oneLong(c, "select jnoop(2)"));

        // the largest max_stack_depth the default JVM stack (= the stack rlimit) allows
        long depthKb = largestDepthKb(c);
        exec(c, "set max_stack_depth = '" + depthKb + "kB'");
        assertEquals(Long.toString(depthKb), Sql.one(c,
                "select setting from pg_settings where name = 'max_stack_depth'"));
        assertEquals(3L, oneLong(c, "select jnoop(3)"), "pljvm must accept this max_stack_depth");
        assertStackDepthExceeded(c, "select deep(100000)");
        assertEquals(pid, pid(c));
        assertEquals(4L, oneLong(c, "select jnoop(4)"));
        // and once more, after Java ran again on a stack that went deep
        assertStackDepthExceeded(c, "select deep(100000)");
        assertEquals(5L, oneLong(c, "select jnoop(5)"));

        assertEquals(witnessPid, pid(witness), "a crash-restart would have ended the witness session");
        assertNoCrash(server, logStart);
    }

    @Test
    void javaSqlMutualRecursionEndsWithError(Connection c, Connection witness, PgServer server) throws Exception {
        // Java -> SPI -> SQL -> Java ... 100000 levels: both stacks grow on the same thread
        long logStart = server.serverLogSize();
        int witnessPid = pid(witness);
        assertEquals(10L, oneLong(c, "select jnest(10)"));
        int pid = pid(c);
        // with the default max_stack_depth (2 MB) and a JVM stack of the rlimit (8 MB), PostgreSQL's
        // check fires first, inside SPI; the error travels up through every Java level unchanged
        assertStackDepthExceeded(c, "select jnest(100000)");
        assertEquals(pid, pid(c));
        exec(c, "set max_stack_depth = '" + largestDepthKb(c) + "kB'");
        ServerErrorMessage e = error(c, "select jnest(100000)");
        boolean pgCheck = "54001".equals(e.getSQLState());
        boolean javaCheck = "38000".equals(e.getSQLState()) && e.getMessage().contains("StackOverflowError");
        assertTrue(pgCheck || javaCheck, "expected a stack depth error or a StackOverflowError: " + describe(e));
        assertEquals(pid, pid(c));
        assertEquals(10L, oneLong(c, "select jnest(10)"));
        assertEquals(witnessPid, pid(witness));
        assertNoCrash(server, logStart);
    }

    @Test
    void javaStackOverflowIsAnError(Connection c, Connection witness, PgServer server) throws Exception {
        long logStart = server.serverLogSize();
        int witnessPid = pid(witness);
        assertEquals(1L, oneLong(c, "select jnoop(1)"));
        int pid = pid(c);
        for (int i = 0; i < 3; i++) { // again and again: the JVM must re-arm its stack guard
            ServerErrorMessage e = error(c, "select jrecurse(1000000)");
            assertError(e, "38000", "StackOverflowError");
            assertEquals(pid, pid(c));
            assertEquals(100L, oneLong(c, "select jrecurse(100)"));
        }
        // PostgreSQL's own recursion is still stopped cleanly after Java overflowed its stack
        exec(c, "set max_stack_depth = '" + largestDepthKb(c) + "kB'");
        assertStackDepthExceeded(c, "select deep(100000)");
        assertError(error(c, "select jrecurse(1000000)"), "38000", "StackOverflowError");
        assertEquals(pid, pid(c));
        assertEquals(witnessPid, pid(witness));
        assertNoCrash(server, logStart);
    }

    @Test
    void explicitJvmStackSizeIsRefusedAtStart(Connection fresh) throws Exception {
        // a new session: the JVM starts at its first pljvm call, with the options set then
        for (String option : new String[] {"-Xss1m", "-Xss64m", "-XX:ThreadStackSize=1024"}) {
            exec(fresh, "set pljvm.vmoptions = '" + option + "'");
            ServerErrorMessage e = error(fresh, "select jnoop(1)");
            assertError(e, "22023", "must not set the thread stack size");
            assertNotNull(e.getHint(), describe(e));
            assertTrue(e.getHint().contains("Remove " + option), describe(e));
        }
        // refused before the JVM was created: with good options this session still gets one
        exec(fresh, "reset pljvm.vmoptions");
        assertEquals(1L, oneLong(fresh, "select jnoop(1)"));
    }

    @Test
    void javaCallsWorkAtTheLargestMaxStackDepth(Connection fresh) throws Exception {
        long depthKb = largestDepthKb(fresh);
        exec(fresh, "set max_stack_depth = '" + depthKb + "kB'");
        assertEquals(1L, oneLong(fresh, "select jnoop(1)"));
        assertError(error(fresh, "set max_stack_depth = '" + (depthKb + 64) + "kB'"), "22023", "max_stack_depth");
        assertEquals(2L, oneLong(fresh, "select jnoop(2)"));
    }

    @Test
    void plpgsqlRecursionAtLargestMaxStackDepthWithDefaultJvmStack(Connection c, Connection witness, PgServer server)
            throws Exception {
        // PostgreSQL accepts max_stack_depth up to rlimit - 512 kB, and the JVM's guard pages are
        // at the rlimit: PostgreSQL's own recursion must be stopped by its stack check
        long logStart = server.serverLogSize();
        int witnessPid = pid(witness);
        assertEquals(1L, oneLong(c, "select jnoop(1)"));
        int pid = pid(c);
        long depthKb = rlimitKb(c) - PG_SLOP_KB;
        exec(c, "set max_stack_depth = '" + depthKb + "kB'");
        assertEquals(Long.toString(depthKb), Sql.one(c,
                "select setting from pg_settings where name = 'max_stack_depth'"));
        assertEquals(2L, oneLong(c, "select jnoop(2)"));
        assertDeepRecursionStopsCleanly(c, server, "select deep(100000)");
        assertEquals(pid, pid(c));
        exec(c, "reset max_stack_depth");
        assertEquals(3L, oneLong(c, "select jnoop(3)"));
        assertEquals(witnessPid, pid(witness));
        assertNoCrash(server, logStart);
    }

    /**
     * Runs last in the class: without the fix it crash-restarts the server (see the report in
     * assertDeepRecursionStopsCleanly, which waits for the server to come back).
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void plpgsqlRecursionAfterRaisingMaxStackDepthAboveJvmStack(Connection fresh, Connection witness,
            PgServer server) throws Exception {
        // A JVM with a smaller -Xss and max_stack_depth raised afterwards let a recursion that
        // does not call Java at all run into the JVM's guard pages (SIGSEGV, cluster restart).
        // pljvm now refuses such a JVM; with the one it starts instead, the recursion must be
        // stopped by PostgreSQL's stack check.
        long logStart = server.serverLogSize();
        int witnessPid = pid(witness);
        exec(fresh, "set pljvm.vmoptions = '-Xss4m'");
        assertError(error(fresh, "select jnoop(1)"), "22023", "must not set the thread stack size");
        exec(fresh, "reset pljvm.vmoptions");
        assertEquals(1L, oneLong(fresh, "select jnoop(1)"));
        int pid = pid(fresh);
        exec(fresh, "set max_stack_depth = '" + largestDepthKb(fresh) + "kB'");
        assertDeepRecursionStopsCleanly(fresh, server, "select deep(100000)");
        assertEquals(pid, pid(fresh));
        assertEquals(witnessPid, pid(witness));
        assertNoCrash(server, logStart);
    }

    /**
     * {@code sql} must fail with 54001. If instead the backend died (a crash-restart of the
     * server), waits until the server accepts connections again, so that the tests after this
     * one are not hit by the recovery, and fails saying so.
     */
    private static void assertDeepRecursionStopsCleanly(Connection c, PgServer server, String sql) throws Exception {
        try {
            exec(c, sql);
        } catch (PSQLException e) {
            if (e.getServerErrorMessage() != null) {
                assertStackDepthExceeded(e.getServerErrorMessage());
                return;
            }
            Await.until("the server to accept connections after the crash", Duration.ofSeconds(60), () -> {
                try (Connection probe = server.connect("postgres")) {
                    return probe.isValid(5);
                } catch (SQLException notYet) {
                    return false;
                }
            });
            throw new AssertionError(sql + " killed the backend instead of failing with 54001 (server log: "
                    + Backends.crashLines(server.serverLogSince(0)) + ")", e);
        }
        throw new AssertionError(sql + " should have failed with 54001");
    }

    private static void assertStackDepthExceeded(Connection c, String sql) {
        assertStackDepthExceeded(error(c, sql));
    }

    private static void assertStackDepthExceeded(ServerErrorMessage e) {
        assertError(e, "54001", "stack depth limit exceeded");
    }

    /** The largest max_stack_depth PostgreSQL accepts: rlimit - 512 kB (7680 kB for "ulimit -s 8192"). */
    private static long largestDepthKb(Connection c) throws SQLException {
        return rlimitKb(c) - PG_SLOP_KB;
    }

    /** The soft stack rlimit of the backend in kB; unlimited counts as 8 MB, as in pljvm. */
    private static long rlimitKb(Connection c) throws SQLException {
        String limits = procFile(c, pid(c), "limits");
        assertNotNull(limits, "cannot read /proc/<backend>/limits");
        Matcher m = Pattern.compile("(?m)^Max stack size\\s+(\\S+)").matcher(limits);
        assertTrue(m.find(), limits);
        return m.group(1).equals("unlimited") ? 8192 : Long.parseLong(m.group(1)) / 1024;
    }
}
