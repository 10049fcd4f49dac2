package org.pgqjava.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.client.ClientTests.createTickingQueue;
import static org.pgqjava.client.ClientTests.dataSource;
import static org.pgqjava.client.ClientTests.moveRetries;
import static org.pgqjava.client.ClientTests.tick;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * Exactly-once into another database: a consumer that crashes at every step of a batch, then a
 * new consumer goes on; the target has every event once, retried events included.
 */
@PgTest(setup = PgqTemplate.class)
class ExactlyOnceIT {

    private static String target;
    private static DataSource queueDs;
    private static DataSource targetDs;

    /** The failure injected at a step: as a crash there, nothing after it runs. */
    static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Crash(String step) {
            super("crash at " + step);
        }
    }

    @BeforeAll
    static void targetDatabase(PgServer server, PgDatabase db) throws Exception {
        target = db.name() + "_target";
        try (Connection c = server.connect("postgres")) {
            Sql.exec(c, "create database " + target);
        }
        try (Connection t = server.connect(target)) {
            TrackingForTests.install(t);
            Sql.exec(t, "create table applied (queue text, ev_id bigint, retry int, data text)");
        }
        queueDs = dataSource(db.jdbcUrl());
        targetDs = dataSource(server.jdbcUrl(target));
    }

    @AfterAll
    static void dropTarget(PgServer server) throws SQLException {
        try (Connection c = server.connect("postgres")) {
            Sql.exec(c, "drop database if exists " + target + " with (force)");
        }
    }

    /** A consumer that applies each event to table applied, gives back events "retry" once, and fails at {@code crashAt}. */
    private static Consumer consumer(String queue, String crashAt) {
        boolean[] crashed = {false};
        return Consumer.builder(queueDs, queue, "c").exactlyOnceInto(targetDs).eventHandler((e, ctx) -> {
            if (e.data().startsWith("retry") && e.retryCount() == 0) {
                ctx.retry(e, Duration.ZERO);
                return;
            }
            Sql.exec(ctx.connection(), "insert into applied values (?, ?, ?, ?)", queue, e.id(), e.retryCount(), e.data());
        }).steps(step -> {
            if (step.equals(crashAt) && !crashed[0]) {
                crashed[0] = true;
                throw new Crash(step);
            }
        }).build();
    }

    private static void drain(Consumer consumer) throws Exception {
        for (int i = 0; i < 100 && consumer.handleNextBatch(); i++) {
            // the batches there are
        }
        assertFalse(consumer.handleNextBatch(), "drained");
    }

    @ParameterizedTest
    @ValueSource(strings = {"handled", "target-committed", "finished", "committed", "none"})
    void everyEventOnceWhateverStepTheConsumerCrashesAt(String step, Connection c) throws Exception {
        String queue = "q_eo_" + step.replace('-', '_');
        createTickingQueue(c, queue);
        Sql.exec(c, "select pgq.register_consumer(?, 'c')", queue);
        List<Message<String>> m = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            m.add(Message.of("t", (i % 10 == 3 ? "retry" : "data") + i));
        }
        List<Long> ids = LongStream.of(Producer.of(queue).sendAll(c, m)).boxed().collect(Collectors.toList());
        tick(c, queue);

        try (Consumer crashing = consumer(queue, step)) {
            if (step.equals("none")) {
                assertTrue(crashing.handleNextBatch());
            } else {
                Crash crash = assertThrows(Crash.class, crashing::handleNextBatch);
                assertEquals("crash at " + step, crash.getMessage());
            }
        }
        try (Consumer next = consumer(queue, "never")) {
            drain(next);
            moveRetries(c);
            tick(c, queue);
            drain(next);
        }
        try (Connection t = targetDs.getConnection()) {
            assertEquals(ids, Sql.column(t, "select ev_id from applied where queue = ? order by ev_id", queue),
                    "each event applied once");
            assertEquals(List.of(3L, 13L, 23L), Sql.column(t,
                    "select substr(data, 6)::bigint from applied where queue = ? and retry = 1 order by 1", queue),
                    "the retried events, applied on their second delivery");
            assertEquals(0L, Sql.oneLong(t, "select count(*) from pgq_client.batch_retry where queue_name = ?", queue),
                    "the last batch gave nothing back");
        }
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.retry_queue r join pgq.queue q on q.queue_id = r.ev_queue"
                + " where q.queue_name = ?", queue), "no retry left");
    }

    @Test
    void aBatchOverlappingWhatTheTargetAppliedIsRefused(Connection c) throws Exception {
        createTickingQueue(c, "q_eo_overlap");
        Sql.exec(c, "select pgq.register_consumer('q_eo_overlap', 'c')");
        long first = Sql.oneLong(c, "select last_tick from pgq.get_consumer_info('q_eo_overlap', 'c')");
        Sql.exec(c, "select pgq.insert_event('q_eo_overlap', 't', 'data1')");
        tick(c, "q_eo_overlap");
        Sql.exec(c, "select pgq.insert_event('q_eo_overlap', 't', 'data2')");
        tick(c, "q_eo_overlap");
        try (Consumer consumer = consumer("q_eo_overlap", "never")) {
            drain(consumer);
            // registered again at its first tick: the next batch overlaps what the target has
            Sql.exec(c, "select pgq.unregister_consumer('q_eo_overlap', 'c')");
            Sql.exec(c, "select pgq.register_consumer_at('q_eo_overlap', 'c', ?)", first);
            SQLException e = assertThrows(SQLException.class, consumer::handleNextBatch);
            assertEquals("55000", e.getSQLState());
            assertTrue(e.getMessage().contains("delete from pgq_client.completed_batch where queue_name = 'q_eo_overlap'"),
                    e.getMessage());
        }
        try (Connection t = targetDs.getConnection()) {
            assertEquals(2L, Sql.oneLong(t, "select count(*) from applied where queue = 'q_eo_overlap'"), "nothing applied twice");
        }
    }
}
