package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pgq.PgqOps.assertPgqError;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.events;
import static org.pgqjava.pgq.PgqOps.ids;
import static org.pgqjava.pgq.PgqOps.insert;
import static org.pgqjava.pgq.PgqOps.tick;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * pgq_coop: sub-consumers share their consumer's position, each batch goes to one of them, a dead
 * one's batch is taken over, and PgQ's own functions (batch events, retries, rotation,
 * unregister) treat sub-consumers as PgQ does.
 */
@PgTest(setup = PgqTemplate.class)
class CoopIT {

    private static Long coopNext(Connection c, String queue, String consumer, String sub) throws SQLException {
        return Sql.longOrNull(c, "select pgq_coop.next_batch(?, ?, ?)", queue, consumer, sub);
    }

    private static List<List<Object>> consumers(Connection c, String queue) throws SQLException {
        return Sql.rows(c, "select consumer_name, last_tick, current_batch is not null"
                + " from pgq.get_consumer_info(?) order by 1", queue);
    }

    @Test
    void subconsumersShareThePositionAndTakeWholeBatches(Connection c) throws SQLException {
        createTickingQueue(c, "cq");
        assertEquals(1L, Sql.oneLong(c, "select pgq_coop.register_subconsumer('cq', 'main', 's1')"));
        assertEquals(0L, Sql.oneLong(c, "select pgq_coop.register_subconsumer('cq', 'main', 's1')"));
        assertEquals(1L, Sql.oneLong(c, "select pgq_coop.register_subconsumer('cq', 'main', 's2')"));
        long start = Sql.oneLong(c, "select last_tick from pgq.get_consumer_info('cq', 'main')");
        assertEquals(1L, Sql.oneLong(c, "select count(distinct sub_id) from pgq.subscription s join pgq.consumer c"
                + " on c.co_id = s.sub_consumer join pgq.queue q on q.queue_id = s.sub_queue"
                + " where q.queue_name = 'cq' and c.co_name in ('main', 'main.s1', 'main.s2')"), "one sub_id shared");
        assertNull(coopNext(c, "cq", "main", "s1"), "nothing ticked yet");

        long a = insert(c, "cq", "t", "a");
        long t1 = tick(c, "cq");
        long b = insert(c, "cq", "t", "b");
        long t2 = tick(c, "cq");
        c.setAutoCommit(false);
        long b1 = coopNext(c, "cq", "main", "s1");
        assertEquals(b1, coopNext(c, "cq", "main", "s1"), "its open batch again");
        long b2 = coopNext(c, "cq", "main", "s2");
        assertTrue(b1 != b2);
        assertEquals(List.of(a), ids(events(c, b1)));
        assertEquals(List.of(b), ids(events(c, b2)));
        assertNull(coopNext(c, "cq", "main", "s3"), "no third batch; s3 registered on the way");
        // the main consumer is past both batches; each sub-consumer holds its batch's ticks
        assertEquals(List.of(List.of("main", t2, false), java.util.Arrays.asList("main.s1", start, true),
                java.util.Arrays.asList("main.s2", t1, true), java.util.Arrays.asList("main.s3", null, false)),
                consumers(c, "cq"));
        assertEquals(1L, Sql.oneLong(c, "select pgq_coop.finish_batch(?)", b1));
        assertEquals(1L, Sql.oneLong(c, "select pgq_coop.finish_batch(?)", b2));
        c.commit();
        Sql.Warned w = Sql.warned(c, "select pgq_coop.finish_batch(?)", b2);
        assertEquals(List.of("WARNING: coop_finish_batch: batch " + b2 + " not found"), w.warnings());
        assertEquals(0, ((Number) w.value()).intValue());
        c.commit();
        c.setAutoCommit(true);
        assertEquals(List.of(List.of("main", t2, false), java.util.Arrays.asList("main.s1", null, false),
                java.util.Arrays.asList("main.s2", null, false), java.util.Arrays.asList("main.s3", null, false)),
                consumers(c, "cq"));
        assertEquals("3.4", Sql.str(c, "select pgq_coop.version()"));
    }

    @Test
    void aDeadSubconsumersBatchIsTakenOver(Connection c) throws SQLException {
        createTickingQueue(c, "dq");
        Sql.exec(c, "select pgq_coop.register_subconsumer('dq', 'main', 'alive')");
        Sql.exec(c, "select pgq_coop.register_subconsumer('dq', 'main', 'dying')");
        long e = insert(c, "dq", "t", "x");
        tick(c, "dq");
        long b = coopNext(c, "dq", "main", "dying");
        assertNull(Sql.longOrNull(c, "select pgq_coop.next_batch('dq', 'main', 'alive', '1 hour')"), "dying is not dead yet");
        Sql.exec(c, "update pgq.subscription set sub_active = now() - interval '2 hours' where sub_batch = ?", b);
        assertEquals(b, Sql.oneLong(c, "select pgq_coop.next_batch('dq', 'main', 'alive', '1 hour')"), "taken over");
        assertEquals(List.of(e), ids(events(c, b)));
        assertEquals(List.of("main", "main.alive"), Sql.column(c,
                "select consumer_name from pgq.get_consumer_info('dq') order by 1"), "the dead one unregistered");
        assertEquals(1L, Sql.oneLong(c, "select pgq_coop.finish_batch(?)", b));
    }

    @Test
    void unregisteringWithAnOpenBatchFailsOrGivesItsEventsBack(Connection c) throws SQLException {
        createTickingQueue(c, "uq");
        Sql.exec(c, "select pgq_coop.register_subconsumer('uq', 'main', 's1')");
        long e1 = insert(c, "uq", "t", "one");
        long e2 = insert(c, "uq", "t", "two");
        tick(c, "uq");
        long b = coopNext(c, "uq", "main", "s1");
        assertPgqError("subconsumer has active batch", c, "select pgq_coop.unregister_subconsumer('uq', 'main', 's1', 0)");
        assertEquals(1L, Sql.oneLong(c, "select pgq_coop.unregister_subconsumer('uq', 'main', 's1', 1)"));
        assertEquals(0L, Sql.oneLong(c, "select pgq_coop.unregister_subconsumer('uq', 'main', 's1', 0)"));
        assertEquals(2L, Sql.oneLong(c, "select count(*) from pgq.retry_queue"), "the batch's events wait for the consumer");
        // they come back to the consumer's next sub-consumer
        Sql.exec(c, "select pgq.maint_retry_events()");
        tick(c, "uq");
        long again = coopNext(c, "uq", "main", "s2");
        assertTrue(again != b);
        assertEquals(List.of(e1, e2), ids(events(c, again)));
        assertEquals(List.of(1, 1), events(c, again).stream().map(PgqOps.Event::retry).toList());
        // a retry from a sub-consumer's batch belongs to the consumer: any sub-consumer gets it
        Sql.exec(c, "select pgq.event_retry(?, ?, 0)", again, e1);
        Sql.exec(c, "select pgq_coop.finish_batch(?)", again);
        Sql.exec(c, "select pgq.maint_retry_events()");
        tick(c, "uq");
        long third = coopNext(c, "uq", "main", "s3");
        assertEquals(List.of(e1), ids(events(c, third)));
        Sql.exec(c, "select pgq_coop.finish_batch(?)", third);
    }

    @Test
    void pgqUnregisterConsumerRemovesSubconsumersAsPgqDoes(Connection c) throws SQLException {
        createTickingQueue(c, "pq");
        Sql.exec(c, "select pgq_coop.next_batch('pq', 'cmain', 'sc1')");
        Sql.exec(c, "select pgq_coop.next_batch('pq', 'cmain', 'sc2')");
        assertEquals(List.of("cmain", "cmain.sc1", "cmain.sc2"), Sql.column(c,
                "select consumer_name from pgq.get_consumer_info('pq') order by 1"), "registered by next_batch");
        assertEquals(1L, Sql.oneLong(c, "select pgq.unregister_consumer('pq', 'cmain.sc2')"));
        assertEquals(2L, Sql.oneLong(c, "select pgq.unregister_consumer('pq', 'cmain')"));
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.get_consumer_info('pq')"));
    }

    @Test
    void rotationKeepsTheEventsOfAnOpenSubconsumerBatch(Connection c, PgDatabase db) throws SQLException {
        createTickingQueue(c, "rq");
        Sql.exec(c, "update pgq.queue set queue_rotation_period = '0' where queue_name = 'rq'");
        Sql.exec(c, "select pgq_coop.register_subconsumer('rq', 'main', 'slow')");
        List<Long> want = new ArrayList<>();
        want.add(insert(c, "rq", "t", "kept"));
        tick(c, "rq");
        long b = coopNext(c, "rq", "main", "slow");
        // the main consumer is past the batch already: only the sub-consumer's row holds it
        for (int i = 0; i < 3; i++) {
            insert(c, "rq", "t", "later" + i);
            tick(c, "rq");
            Sql.exec(c, "select pgq.maint_rotate_tables_step1('rq')");
            Sql.exec(c, "select pgq.maint_rotate_tables_step2()");
        }
        assertEquals(want, ids(events(c, b)), "the open batch's events survived the rotations");
        assertEquals(1L, Sql.oneLong(c, "select pgq_coop.finish_batch(?)", b));
    }

    /** Runs resources/python/coop_reader.py (python-pgq's CoopConsumer) as sub-consumer {@code sub} for one batch; its event ids. */
    private static List<Long> pythonCoopBatch(PgServer server, PgDatabase db, Path dir, String sub, String timeout)
            throws Exception {
        Path script = dir.resolve("coop_reader.py");
        if (!Files.exists(script)) {
            try (var in = CoopIT.class.getResourceAsStream("/python/coop_reader.py")) {
                Files.write(script, in.readAllBytes());
            }
        }
        Path out = dir.resolve(sub + ".ids");
        Path ini = dir.resolve(sub + ".ini");
        String host = server.socketDir().map(Path::toString).orElse(server.host());
        Files.writeString(ini, "[coop_reader]\njob_name = coop_" + sub + "\n"
                + "db = host=" + host + " port=" + server.port() + " dbname=" + db.name() + " user=" + server.superuser()
                + "\nqueue_name = pyc\nconsumer_name = pymain\nsubconsumer_name = " + sub
                + (timeout == null ? "" : "\nsubconsumer_timeout = " + timeout)
                + "\nout_file = " + out + "\nlogfile = " + dir.resolve(sub + ".log")
                + "\npidfile = " + dir.resolve(sub + ".pid") + "\nloop_delay = -1\n");
        // Debian's python3-pgq, with the system's python (setup-debian.sh installs it)
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), ini.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(sub + ".stdout").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python consumer did not finish");
        assertEquals(0, p.exitValue(), () -> "python consumer failed: " + readQuietly(dir.resolve(sub + ".stdout")));
        List<Long> ids = new ArrayList<>();
        if (Files.exists(out)) {
            for (String line : Files.readAllLines(out)) {
                ids.add(Long.parseLong(line));
            }
            Files.delete(out);
        }
        return ids;
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(" + e + ")";
        }
    }

    @Test
    void pythonPgqsCoopConsumerWorksWithThem(Connection c, PgServer server, PgDatabase db, @TempDir Path dir)
            throws Exception {
        createTickingQueue(c, "pyc");
        Sql.exec(c, "select pgq_coop.register_subconsumer('pyc', 'pymain', s) from unnest(array['s1', 's2']) s");
        long a = insert(c, "pyc", "t", "a");
        tick(c, "pyc");
        long b1 = insert(c, "pyc", "t", "b1");
        long b2 = insert(c, "pyc", "t", "b2");
        long t2 = tick(c, "pyc");
        assertEquals(List.of(a), pythonCoopBatch(server, db, dir, "s1", null), "s1 takes the first batch");
        assertEquals(List.of(b1, b2), pythonCoopBatch(server, db, dir, "s2", null), "s2 the second");
        assertEquals(List.of(), pythonCoopBatch(server, db, dir, "s1", null), "nothing left");
        assertEquals(List.of(List.of("pymain", t2, false), java.util.Arrays.asList("pymain.s1", null, false),
                java.util.Arrays.asList("pymain.s2", null, false)), consumers(c, "pyc"), "both batches finished");

        // a sub-consumer that died in its batch: python's subconsumer_timeout takes it over
        long d = insert(c, "pyc", "t", "dead's");
        tick(c, "pyc");
        long dead = coopNext(c, "pyc", "pymain", "s3");
        Sql.exec(c, "update pgq.subscription set sub_active = now() - interval '2 hours' where sub_batch = ?", dead);
        assertEquals(List.of(d), pythonCoopBatch(server, db, dir, "s1", "1 hour"), "taken over by s1");
        assertEquals(List.of("pymain", "pymain.s1", "pymain.s2"), Sql.column(c,
                "select consumer_name from pgq.get_consumer_info('pyc') order by 1"));
    }

    @Test
    void errorsOfPgqCoop(Connection c) throws SQLException {
        createTickingQueue(c, "eq");
        assertPgqError("Event queue not created yet", c, "select pgq_coop.register_subconsumer('nosuch', 'm', 's')");
        Sql.exec(c, "select pgq_coop.register_subconsumer('eq', 'm', 's')");
        Sql.exec(c, "select pgq.insert_event('eq', 't', 'x')");
        tick(c, "eq");
        c.setAutoCommit(false);
        Sql.exec(c, "select pgq.next_batch('eq', 'm')");
        assertPgqError("main consumer has batch open?", c, "select pgq_coop.next_batch('eq', 'm', 's')");
        c.rollback();
        c.setAutoCommit(true);
        assertEquals(0L, Sql.oneLong(c, "select pgq_coop.unregister_subconsumer('eq', 'm', 'nobody', 0)"));
    }
}
