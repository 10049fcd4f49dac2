package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.Await;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * Stuck consumers: a consumer that stops is warned about, then detached, and the queue's tables
 * rotate again, while the consumer that goes on gets every event.
 */
@PgTest(setup = PgqTemplate.class)
class StuckConsumersIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        started.forEach(Pgqadm::killQuietly);
    }

    private static int curTable(Connection c) throws SQLException {
        return (int) Sql.oneLong(c, "select queue_cur_table from pgq.queue where queue_name = 'sq'");
    }

    /** One round of the live consumer: every open batch read and finished; the ids it got. */
    private static void consume(Connection live, TreeSet<Long> got) throws SQLException {
        for (int i = 0; i < 100; i++) {
            Long b = Sql.longOrNull(live, "select pgq.next_batch('sq', 'live')");
            if (b == null) {
                live.commit();
                return;
            }
            for (Object id : Sql.column(live, "select ev_id from pgq.get_batch_events(?)", b)) {
                assertTrue(got.add((Long) id), "event " + id + " twice");
            }
            Sql.exec(live, "select pgq.finish_batch(?)", b);
            live.commit();
        }
    }

    @Test
    void aStoppedConsumerIsDetachedAndRotationGoesOnWithNothingLostForTheOthers(PgDatabase db, Connection c) throws Exception {
        DaemonIT.createQueue(c, "sq");
        Sql.exec(c, "select pgq.set_queue_config('sq', 'rotation_period', '0')");
        Sql.exec(c, "select pgq.set_queue_config('sq', 'stuck_consumer_warn', '1 second')");
        Sql.exec(c, "select pgq.set_queue_config('sq', 'stuck_consumer_detach', '5 seconds')");
        Sql.exec(c, "select pgq.register_consumer('sq', 'stopped')");
        Sql.exec(c, "select pgq.register_consumer('sq', 'live')");
        long stoppedAt = Sql.oneLong(c, "select last_tick from pgq.get_consumer_info('sq', 'stopped')");
        Path pidfile = dir.resolve("s.pid");
        Path logfile = dir.resolve("s.log");
        Path conf = Pgqadm.config(dir, "s.ini", Pgqadm.dbLine(db), "loop_delay = 0.1", "maint_delay = 0.3",
                "pidfile = " + pidfile, "logfile = " + logfile);
        Process p = Pgqadm.start(dir.resolve("console.txt"), conf.toString(), "ticker");
        started.add(p);
        Await.until("pidfile", WAIT, () -> Pgqadm.pid(pidfile).equals(OptionalLong.of(p.pid())));

        TreeSet<Long> produced = new TreeSet<>();
        TreeSet<Long> got = new TreeSet<>();
        int tableBefore = curTable(c);
        int rotationsAttached = 0;
        int rotationsDetached = 0;
        int last = tableBefore;
        try (Connection live = db.connect()) {
            live.setAutoCommit(false);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (rotationsDetached < 3) {
                assertTrue(System.nanoTime() < deadline, "3 rotations after the detach within " + WAIT + "; log:\n" + Pgqadm.read(logfile));
                produced.add(Sql.oneLong(c, "select pgq.insert_event('sq', 't', 'd')"));
                consume(live, got);
                int now = curTable(c);
                boolean attached = Sql.oneLong(c, "select count(*) from pgq.get_consumer_info('sq', 'stopped')") == 1;
                if (now != last) {
                    if (attached) {
                        rotationsAttached++;
                    } else {
                        rotationsDetached++;
                    }
                    last = now;
                }
                Thread.sleep(50);
            }
            // the last events: ticked and read
            Await.until("the live consumer has every event", WAIT, () -> {
                consume(live, got);
                return got.containsAll(produced);
            });
        }
        assertTrue(rotationsAttached <= 1, "while the stopped consumer was registered the tables rotated at most once"
                + " (it holds the previous table), not " + rotationsAttached);
        assertEquals(produced, got, "the live consumer got every event, once");
        String log = Pgqadm.read(logfile);
        Matcher warned = Pattern.compile("consumer stopped of queue sq is stuck: no next_batch or finish_batch for \\d+ s"
                + " \\(stuck_consumer_warn 1 s\\)").matcher(log);
        assertTrue(warned.find(), log);
        assertTrue(!warned.find(), "warned once per state change:\n" + log);
        assertTrue(log.contains("consumer stopped of queue sq detached (unregistered) after"), log);
        assertTrue(log.contains("its position was tick " + stoppedAt + ". To put it back there while that tick exists:"
                + " select pgq.register_consumer_at('sq', 'stopped', " + stoppedAt + ")"), log);
        assertTrue(!log.contains("consumer live of queue sq is stuck"), log);
        assertEquals(List.of("live"), Sql.column(c, "select consumer_name from pgq.get_consumer_info('sq')"));
        assertEquals(0, Pgqadm.run(conf.toString(), "-k").exit());
    }
}
