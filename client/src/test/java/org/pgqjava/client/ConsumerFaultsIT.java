package org.pgqjava.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.client.ClientTests.WAIT;
import static org.pgqjava.client.ClientTests.createTickingQueue;
import static org.pgqjava.client.ClientTests.dataSource;
import static org.pgqjava.client.ClientTests.tick;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.pgqjava.liquibase.PgqInstaller;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.Await;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.ScratchCluster;
import org.pgqjava.testsupport.Sql;

/** At-least-once under faults: a consumer killed in its batch, a server restart under a running consumer. */
@PgTest(setup = PgqTemplate.class)
class ConsumerFaultsIT {

    private static List<Long> produce(Connection c, String queue, int n) throws Exception {
        List<Message<String>> m = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            m.add(Message.of("t", "e" + i));
        }
        return LongStream.of(Producer.of(queue).sendAll(c, m)).boxed().collect(Collectors.toList());
    }

    @Test
    void aConsumerKilledBetweenHandlerAndFinishBatchGetsTheBatchAgain(Connection c, PgDatabase db) throws Exception {
        createTickingQueue(c, "q_kill");
        Sql.exec(c, "create table ledger (ev_id bigint)");
        Sql.exec(c, "select pgq.register_consumer('q_kill', 'c')");
        List<Long> expected = produce(c, "q_kill", 40);
        long tick = tick(c, "q_kill");
        assertEquals("HANDLED 40", ConsumerMain.runUntilHandledThenKill(db.jdbcUrl(), "q_kill", "c", "hang"),
                "the child handled its batch");
        Await.until("the killed consumer's backend is gone", WAIT, () -> Sql.oneLong(c,
                "select count(*) from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'") == 0);
        List<Long> again = Collections.synchronizedList(new ArrayList<>());
        try (Consumer consumer = Consumer.builder(dataSource(db.jdbcUrl()), "q_kill", "c")
                .eventHandler((e, ctx) -> again.add(e.id())).build()) {
            assertTrue(consumer.handleNextBatch(), "the batch is there again");
        }
        assertEquals(expected, again, "every event of the killed consumer's batch came again");
        assertEquals(expected, Sql.column(c, "select ev_id from ledger order by ev_id"), "the first delivery happened");
        assertEquals(tick, Sql.oneLong(c, "select last_tick from pgq.get_consumer_info('q_kill', 'c')"));
    }

    @Test
    void aRunningConsumerReconnectsAfterAServerRestart() throws Exception {
        try (ScratchCluster cluster = ScratchCluster.start(Map.of("fsync", "off", "synchronous_commit", "off"), null)) {
            cluster.execute("postgres", "create database restart");
            try (Connection c = cluster.connect("restart")) {
                PgqInstaller.install(c);
                createTickingQueue(c, "q_restart");
            }
            String url = "jdbc:postgresql://127.0.0.1:" + cluster.port() + "/restart?user=postgres";
            List<Long> seen = Collections.synchronizedList(new ArrayList<>());
            List<Long> expected = new ArrayList<>();
            Consumer consumer = Consumer.builder(dataSource(url), "q_restart", "c")
                    .eventHandler((e, ctx) -> seen.add(e.id()))
                    .pollInterval(Duration.ofMillis(50)).backoff(Duration.ofMillis(50), Duration.ofMillis(400)).build();
            try (consumer) {
                consumer.start();
                Await.until("registered", WAIT, () -> {
                    try (Connection c = cluster.connect("restart")) {
                        return Sql.oneLong(c, "select count(*) from pgq.get_consumer_info('q_restart', 'c')") == 1;
                    }
                });
                try (Connection c = cluster.connect("restart")) {
                    expected.addAll(produce(c, "q_restart", 10));
                    tick(c, "q_restart");
                }
                Await.until("the first 10 events", WAIT, () -> seen.size() >= 10);
                cluster.stop();
                Thread.sleep(300); // the consumer polls a stopped server: some failed attempts
                cluster.startAgain();
                try (Connection c = cluster.connect("restart")) {
                    expected.addAll(produce(c, "q_restart", 10));
                    tick(c, "q_restart");
                }
                Await.until("the 10 events after the restart", WAIT, () -> new TreeSet<>(seen).size() >= 20);
            }
            assertEquals(new TreeSet<>(expected), new TreeSet<>(seen), "every event, none but these");
        }
    }
}
