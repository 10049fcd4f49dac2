package org.pgqjava.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.client.ClientTests.WAIT;
import static org.pgqjava.client.ClientTests.createTickingQueue;
import static org.pgqjava.client.ClientTests.dataSource;
import static org.pgqjava.client.ClientTests.tick;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.Await;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/** Cooperative consumers: three workers share one consumer's batches; one is killed in a batch. */
@PgTest(setup = PgqTemplate.class)
class CooperativeIT {

    @Test
    void threeWorkersOneKilledEveryEventHandledOnce(Connection c, PgDatabase db) throws Exception {
        createTickingQueue(c, "q_coop");
        Sql.exec(c, "create table handled (ev_id bigint, worker text)");
        DataSource ds = dataSource(db.jdbcUrl());
        // the worker that will die registers first, so that it takes the first batch
        Sql.exec(c, "select pgq_coop.register_subconsumer('q_coop', 'workers', 'w3')");
        List<Long> expected = new ArrayList<>();
        for (int b = 0; b < 20; b++) {
            List<Message<String>> m = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                m.add(Message.of("t", "b" + b + "e" + i));
            }
            expected.addAll(LongStream.of(Producer.of("q_coop").sendAll(c, m)).boxed().collect(Collectors.toList()));
            tick(c, "q_coop");
        }

        assertEquals("HANDLED 50", ConsumerMain.runUntilHandledThenKill(db.jdbcUrl(), "q_coop", "workers", "coop-hang", "w3"),
                "w3 handled its batch, uncommitted");
        assertEquals(1L, Sql.oneLong(c, "select count(*) from pgq.get_consumer_info('q_coop', 'workers.w3')"
                + " where current_batch is not null"), "the killed worker's batch is still its own");

        List<Consumer> workers = new ArrayList<>();
        try {
            for (String name : List.of("w1", "w2")) {
                Consumer w = Consumer.builder(ds, "q_coop", "workers").cooperative(name).takeOverAfter(Duration.ofSeconds(2))
                        .batchHandler((events, ctx) -> {
                            for (Event e : events) {
                                Sql.exec(ctx.connection(), "insert into handled values (?, ?)", e.id(), name);
                            }
                            Thread.sleep(50); // so that the batches are shared out
                        }).pollInterval(Duration.ofMillis(100)).build();
                workers.add(w);
                w.start();
            }
            Await.until("every event handled", WAIT, () -> Sql.oneLong(c, "select count(distinct ev_id) from handled") >= 1000);
        } finally {
            for (Consumer w : workers) {
                w.close();
            }
        }
        assertEquals(expected, Sql.column(c, "select ev_id from handled order by ev_id"), "every event once");
        assertEquals(List.of("w1", "w2"), Sql.column(c, "select distinct worker from handled order by 1"),
                "both live workers took batches; the killed one's writes were rolled back");
        assertEquals(List.of("workers", "workers.w1", "workers.w2"), Sql.column(c,
                "select consumer_name from pgq.get_consumer_info('q_coop') order by 1"), "the dead worker was unregistered");
    }

    @Test
    void cooperativeSettingsAreChecked(PgDatabase db) {
        DataSource ds = dataSource(db.jdbcUrl());
        assertEquals("takeOverAfter needs cooperative(subconsumer)", assertThrows(IllegalStateException.class,
                () -> Consumer.builder(ds, "q", "c").eventHandler((e, ctx) -> { }).takeOverAfter(Duration.ofSeconds(1)).build())
                .getMessage());
        assertTrue(assertThrows(IllegalStateException.class, () -> Consumer.builder(ds, "q", "c").cooperative("s")
                .exactlyOnceInto(ds).eventHandler((e, ctx) -> { }).build()).getMessage()
                .startsWith("exactlyOnceInto is not available with cooperative consumers"));
    }
}
