package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pgqjava.pljvm.Backends.assertNoCrash;
import static org.pgqjava.testsupport.Await.until;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.oneLong;
import static org.pgqjava.testsupport.Sql.pid;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;

/**
 * Many backends with a JVM each: started at the same moment, doing SPI work side by side, and
 * many short sessions one after the other (JVM start, one call, backend exit without
 * DestroyJavaVM). Nothing may crash, hang or stay behind.
 */
@PgTest(setup = FixturesTemplate.class)
@Timeout(value = 300, threadMode = ThreadMode.SEPARATE_THREAD)
class ConcurrencyIT {
    private static final int SESSIONS = 8;
    private static final int ROWS = 2000;
    private static final int SEQUENTIAL = 200;

    @Test
    void parallelSessionsEachStartAJvmAndWork(Connection c, PgDatabase db, PgServer server) throws Exception {
        long logStart = server.serverLogSize();
        int witnessPid = pid(c);
        exec(c, "truncate t");
        CyclicBarrier start = new CyclicBarrier(SESSIONS);
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        List<Integer> pids = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<Void>> results = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    try (Connection s = db.connect()) {
                        pids.add(pid(s));
                        start.await(60, TimeUnit.SECONDS); // all first calls (JVM starts) at once
                        assertEquals((long) ROWS, oneLong(s, "select jinsertmany(" + ROWS + ")"), "session " + n);
                        for (int k = 0; k < 5; k++) {
                            assertEquals(10L, oneLong(s, "select jnest(10)"), "session " + n);
                            assertEquals((long) k, oneLong(s, "select jnoop(" + k + ")"), "session " + n);
                        }
                    }
                    return null;
                }));
            }
            List<Throwable> failures = new ArrayList<>();
            for (Future<Void> f : results) {
                try {
                    f.get(240, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError(failures.size() + " of " + SESSIONS + " sessions failed; first: "
                        + failures.get(0));
                failures.forEach(e::addSuppressed);
                throw e;
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals((long) SESSIONS * ROWS, oneLong(c, "select count(*) from t"));
        assertEquals((long) ROWS, oneLong(c, "select count(*) from (select id from t group by id having count(*) = "
                + SESSIONS + ") x"), "every session inserted ids 0.." + (ROWS - 1) + " once");
        // the sessions are closed: their backends must all go away
        until("the backends of the closed sessions to exit", Duration.ofSeconds(30), () -> countAlive(c, pids) == 0);
        assertEquals(witnessPid, pid(c), "a crash-restart would have ended this session");
        assertNoCrash(server, logStart);
    }

    @Test
    @Timeout(value = 600, threadMode = ThreadMode.SEPARATE_THREAD) // 50 s idle, 150 s on a loaded 2-core machine
    void manyShortSessionsOneAfterTheOther(Connection c, PgDatabase db, PgServer server) throws Exception {
        long logStart = server.serverLogSize();
        int witnessPid = pid(c);
        long baseline = clientBackends(c);
        List<Integer> pids = new ArrayList<>();
        for (int i = 0; i < SEQUENTIAL; i++) {
            try (Connection s = db.connect()) {
                pids.add(pid(s));
                assertEquals((long) i, oneLong(s, "select jnoop(" + i + ")"), "session " + i);
            }
        }
        until("the backends of the closed sessions to exit", Duration.ofSeconds(60),
                () -> clientBackends(c) == baseline && countAlive(c, pids) == 0);
        if (server.isManaged()) {
            until("the processes of the closed sessions to exit", Duration.ofSeconds(30),
                    () -> pids.stream().noneMatch(p -> ProcessHandle.of(p).isPresent()));
        }
        assertEquals(witnessPid, pid(c), "a crash-restart would have ended this session");
        assertNoCrash(server, logStart);
    }

    /** Client backends of this database other than {@code c}'s own. */
    private static long clientBackends(Connection c) throws SQLException {
        return oneLong(c, "select count(*) from pg_stat_activity where backend_type = 'client backend'"
                + " and datname = current_database() and pid <> pg_backend_pid()");
    }

    /** How many of {@code pids} are still in pg_stat_activity. */
    private static long countAlive(Connection c, List<Integer> pids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select count(*) from pg_stat_activity where pid = any(?)")) {
            ps.setArray(1, c.createArrayOf("int4", pids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
