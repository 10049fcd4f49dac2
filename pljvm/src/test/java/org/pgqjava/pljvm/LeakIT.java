package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.oneLong;
import static org.pgqjava.testsupport.Sql.pid;
import static org.pgqjava.pljvm.Backends.procFile;
import static org.pgqjava.pljvm.Backends.statusField;

import java.sql.Connection;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgTest;

/**
 * Hundreds of thousands of calls in one backend must not grow its memory: a JNI local or global
 * reference, a palloc in a long-lived context or a malloc left behind per call (or per SPI
 * statement) shows up as growth proportional to the number of calls.
 *
 * <p>A round is 300 000 calls with a text argument, 300 000 with int8 and text in and text out,
 * 300 000 SPI inserts through a saved plan, and 2 x 20 000 calls that fail (a Java exception; an
 * SQL error raised inside Java), each caught in a PL/pgSQL subtransaction. After one warm-up round (JIT, class loading,
 * the Java heap growing to its working size, plan and catalog caches) three more rounds run, and
 * the growth over those is measured two ways:
 * <ul>
 * <li>RssAnon of the backend (/proc/pid/status): all private memory, C and Java heap alike;</li>
 * <li>the total of the backend's memory contexts (pg_backend_memory_contexts): palloc only.</li>
 * </ul>
 * Bounds: see {@link #MAX_RSS_GROWTH_KB} and {@link #MAX_CONTEXT_GROWTH_BYTES}.
 */
@PgTest(setup = FixturesTemplate.class)
@Timeout(value = 600, threadMode = ThreadMode.SEPARATE_THREAD)
class LeakIT {
    private static final int N = 300_000;
    private static final int ROUNDS = 3;
    /** Calls per round that end in an error (a Java exception, an SQL error inside Java). */
    private static final int ERRORS = 20_000;

    /**
     * Measured (JDK 17, default pljvm.vmoptions: -Xmx64m, SerialGC; 2-core machine, three runs):
     * RssAnon about 25 MB after the warm-up, and between -0.1 and +0.2 MB of change over the three
     * measured rounds. 16 MB leaves 80 times that for noise (the Java heap resizing, malloc
     * arenas), while a leak of 6 bytes per call over the 2.7 million measured calls (a JNI
     * reference is 8 bytes plus the object it holds) goes beyond it; an object retained per call
     * would also exhaust the 64 MB Java heap.
     */
    static final long MAX_RSS_GROWTH_KB = 16 * 1024;

    /**
     * Measured: the memory contexts total about 2 MB and are the same to the byte after every
     * measured round (25 kB above that right after the warm-up, once). 1 MB of
     * slack; a leaked palloc chunk per call in a context that outlives the call (at least 24
     * bytes with its header, 2.7 million calls) would be over 60 MB.
     */
    static final long MAX_CONTEXT_GROWTH_BYTES = 1024 * 1024;

    @Test
    void manyCallsDoNotGrowTheBackend(Connection c) throws Exception {
        int pid = pid(c);
        exec(c, "truncate t");
        round(c);
        long rss0 = rssAnonKb(c, pid);
        long ctx0 = contextBytes(c);
        StringBuilder trace = new StringBuilder("warm-up: RssAnon " + rss0 + " kB, contexts " + ctx0 + " B");
        for (int i = 1; i <= ROUNDS; i++) {
            round(c);
            trace.append("\nround ").append(i).append(": RssAnon ").append(rssAnonKb(c, pid)).append(" kB, contexts ")
                    .append(contextBytes(c)).append(" B");
        }
        long rss1 = rssAnonKb(c, pid);
        long ctx1 = contextBytes(c);
        System.out.println("LeakIT backend " + pid + "\n" + trace);
        assertEquals(pid, pid(c));
        assertTrue(rss1 - rss0 < MAX_RSS_GROWTH_KB, "RssAnon grew by " + (rss1 - rss0) + " kB over " + ROUNDS
                + " rounds of " + 3 * N + " calls\n" + trace);
        assertTrue(ctx1 - ctx0 < MAX_CONTEXT_GROWTH_BYTES, "memory contexts grew by " + (ctx1 - ctx0) + " bytes over "
                + ROUNDS + " rounds\n" + trace);
    }

    private static void round(Connection c) throws SQLException {
        // sum over i of (100 + number of digits of i)
        long digits = 0;
        for (int i = 1; i <= N; i++) {
            digits += Integer.toString(i).length();
        }
        assertEquals(100L * N + digits, oneLong(c,
                "select sum(jlength(repeat('x', 100) || i)) from generate_series(1, " + N + ") i"));
        assertEquals((long) N, oneLong(c, "select count(jgreet(i, 'é')) from generate_series(1, " + N + ") i"));
        assertEquals((long) N, oneLong(c, "select jinsertmany(" + N + ")"));
        assertEquals((long) N, oneLong(c, "select count(*) from t"));
        exec(c, "truncate t");
        // the error paths: each failing call caught in a subtransaction
        exec(c, "do $$ declare n int := 0; begin"
                + " for i in 1.." + ERRORS + " loop"
                + "  begin perform jfail('boom ' || i); exception when external_routine_exception then n := n + 1; end;"
                + "  begin perform jdiv(); exception when division_by_zero then n := n + 1; end;"
                + " end loop;"
                + " if n <> " + 2 * ERRORS + " then raise exception 'caught % errors', n; end if; end $$");
    }

    private static long rssAnonKb(Connection c, int pid) throws SQLException {
        return statusField(procFile(c, pid, "status"), "RssAnon");
    }

    private static long contextBytes(Connection c) throws SQLException {
        return oneLong(c, "select sum(total_bytes) from pg_backend_memory_contexts");
    }
}
