package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.Await;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * pgqadm's ticker with push delivery (docs/push.md): woken by a producer's commit it ticks a push
 * queue at once, where loop_delay alone would take a minute; pgqadm config sets push.
 */
@PgTest(setup = PgqTemplate.class)
class PushDaemonIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        started.forEach(Pgqadm::killQuietly);
    }

    @Test
    void aProducersCommitGetsAPushQueueTickedAndAnnouncedLongBeforeLoopDelay(PgDatabase db, Connection c,
            Connection consumer) throws Exception {
        Sql.exec(c, "select pgq.create_queue('pushq')");
        Sql.exec(c, "select pgq.set_queue_config('pushq', 'ticker_max_lag', '1 hour')");
        Sql.exec(c, "select pgq.set_queue_config('pushq', 'ticker_idle_period', '1 hour')");
        // the queue's first ticks and first event as in PushIT, before the ticker runs
        Sql.exec(c, "select pgq.ticker('pushq')");
        Sql.exec(c, "select pgq.insert_event('pushq', 'warm-up', '')");
        Sql.exec(c, "select pgq.force_tick('pushq')");
        Sql.exec(c, "select pgq.ticker('pushq')");
        Sql.exec(c, "select pgq.register_consumer('pushq', 'pc')");

        Path conf = Pgqadm.config(dir, "push.ini", Pgqadm.dbLine(db), "loop_delay = 60", "maint_delay = 60",
                "logfile = " + dir.resolve("push.log"));
        Pgqadm.Result set = Pgqadm.run(conf.toString(), "config", "pushq", "push=on", "push_min_interval=0.01");
        assertEquals(0, set.exit(), set.describe());
        Pgqadm.Result show = Pgqadm.run(conf.toString(), "config", "pushq");
        assertTrue(show.out().contains("    push\t=     on\n    push_min_interval\t="), show.describe());
        assertTrue(show.out().contains("=0.010000\n"), show.describe());

        Process p = Pgqadm.start(dir.resolve("console.txt"), conf.toString(), "ticker");
        started.add(p);
        Await.until("the ticker's first round", WAIT, () -> Pgqadm.read(dir.resolve("push.log")).contains("pgq version ok"));
        // its first round is done once it listens: the rounds after it come from notifications
        Thread.sleep(500);

        String channel = (String) Sql.one(c, "select pgq_java.tick_channel('pushq')");
        Sql.exec(consumer, "listen \"" + channel + "\"");
        long id = Sql.oneLong(c, "select pgq.insert_event('pushq', 't', 'pushed')");
        PGNotification[] got = consumer.unwrap(PGConnection.class).getNotifications((int) WAIT.toMillis());
        assertTrue(got != null && got.length > 0, "a tick announced well before loop_delay (60 s)");
        long tick = Long.parseLong(got[0].getParameter());
        Long batch = Sql.longOrNull(consumer, "select pgq.next_batch('pushq', 'pc')");
        assertTrue(batch != null, "the announced tick makes a batch");
        assertEquals(List.of(id), Sql.column(consumer, "select ev_id from pgq.get_batch_events(?)", batch));
        assertEquals(tick, Sql.oneLong(consumer, "select tick_id from pgq.get_batch_info(?)", batch));
        Sql.exec(consumer, "select pgq.finish_batch(?)", batch);

        // a stop while the ticker waits for notifications is prompt
        assertTrue(Signals.send("INT", p.pid()));
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "stopped while waiting for notifications");
        assertEquals(0, p.exitValue());
    }
}
