package org.pgqjava.client.guide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqjava.client.Producer;
import org.pgqjava.client.TrackingForTests;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.Await;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * The examples of docs/client.md, run: each is there verbatim (this test checks), and each does
 * what the guide says it does.
 */
@PgTest(setup = PgqTemplate.class)
class GuideIT {

    private static String warehouse;

    @BeforeAll
    static void shop(Connection c, PgServer server, PgDatabase db) throws Exception {
        Sql.exec(c, "create table orders (id bigint primary key, total numeric)");
        Sql.exec(c, "create table shipments (event_id bigint, order_json jsonb)");
        Sql.exec(c, "create table invoices (event_id bigint, worker text)");
        Sql.exec(c, "select pgq.create_queue('orders')");
        Sql.exec(c, "select pgq.set_queue_config('orders', 'ticker_max_lag', '0')");
        Sql.exec(c, "select pgq.set_queue_config('orders', 'ticker_idle_period', '0')");
        Sql.exec(c, "select pgq.register_consumer('orders', 'shipping')");
        Sql.exec(c, "select pgq.register_consumer('orders', 'warehouse')");
        Sql.exec(c, "select pgq_coop.register_subconsumer('orders', 'invoicing', w) from unnest(array['w1', 'w2', 'w3']) w");
        warehouse = db.name() + "_wh";
        try (Connection pg = server.connect("postgres")) {
            Sql.exec(pg, "create database " + warehouse);
        }
        try (Connection w = server.connect(warehouse)) {
            TrackingForTests.install(w);
            Sql.exec(w, "create table incoming_orders (event_id bigint, order_json jsonb)");
        }
    }

    @AfterAll
    static void dropWarehouse(PgServer server) throws Exception {
        try (Connection pg = server.connect("postgres")) {
            Sql.exec(pg, "drop database if exists " + warehouse + " with (force)");
        }
    }

    /** Runs {@code main} on a thread until {@code done} holds, then interrupts it (its sleep ends, the consumers close). */
    private static void runUntil(String what, ThrowingMain main, org.pgqjava.testsupport.Await.Condition done) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                main.run();
            } catch (InterruptedException expected) {
                // the end the test chose
            } catch (Throwable e) {
                failure.set(e);
            }
        }, what);
        t.start();
        try {
            Await.until(what, Duration.ofSeconds(60), () -> done.holds() || failure.get() != null);
        } finally {
            t.interrupt();
            t.join(60_000);
        }
        if (failure.get() != null) {
            throw new AssertionError(what + " failed", failure.get());
        }
        assertTrue(!t.isAlive(), what + " ended");
    }

    @FunctionalInterface
    interface ThrowingMain {
        void run() throws Exception;
    }

    @Test
    void theExamplesRunAsTheGuideSays(Connection c, PgServer server, PgDatabase db) throws Exception {
        ProducerExample.main(new String[] {db.jdbcUrl()});
        assertEquals(List.of(42L), Sql.column(c, "select id from orders"));
        Producer.of("orders").send(c, "order.cancelled", "{\"id\": 7}"); // a type the shipping consumer gives back
        Sql.exec(c, "select pgq.ticker('orders')");

        runUntil("ConsumerExample", () -> ConsumerExample.main(new String[] {db.jdbcUrl(), "600000"}),
                () -> Sql.oneLong(c, "select count(*) from pgq.retry_queue") == 1);
        assertEquals(List.of("{\"id\": 42, \"total\": 19.90}"), Sql.column(c, "select order_json::text from shipments"));
        assertEquals(List.of("order.cancelled"), Sql.column(c, "select ev_type from pgq.retry_queue"), "given back");

        runUntil("ExactlyOnceExample", () -> ExactlyOnceExample.main(
                new String[] {db.jdbcUrl(), server.jdbcUrl(warehouse), "600000"}), () -> {
                    try (Connection w = server.connect(warehouse)) {
                        return Sql.oneLong(w, "select count(*) from incoming_orders") == 2;
                    }
                });
        try (Connection w = server.connect(warehouse)) {
            assertEquals(1L, Sql.oneLong(w, "select count(*) from pgq_client.completed_batch"
                    + " where queue_name = 'orders' and consumer_name = 'warehouse'"));
        }

        for (int i = 0; i < 30; i++) {
            Producer.of("orders").send(c, "order.created", "{\"id\": " + (100 + i) + "}");
            Sql.exec(c, "select pgq.ticker('orders')");
        }
        runUntil("CooperativeExample", () -> CooperativeExample.main(new String[] {db.jdbcUrl(), "600000"}),
                () -> Sql.oneLong(c, "select count(*) from invoices") >= 32);
        assertEquals(32L, Sql.oneLong(c, "select count(distinct event_id) from invoices"), "each event invoiced once");
        assertEquals(32L, Sql.oneLong(c, "select count(*) from invoices"));
    }

    @Test
    void theGuideShowsTheExamplesAsTheyAre() throws Exception {
        String guide = Files.readString(Path.of("..", "docs", "client.md"), StandardCharsets.UTF_8);
        for (Class<?> example : List.of(ProducerExample.class, ConsumerExample.class, ExactlyOnceExample.class,
                CooperativeExample.class)) {
            String source = Files.readString(Path.of("src", "test", "java", "org", "pgqjava", "client", "guide",
                    example.getSimpleName() + ".java"), StandardCharsets.UTF_8);
            String body = source.substring(source.indexOf("import "));
            assertTrue(guide.contains(body), "docs/client.md shows " + example.getSimpleName() + ".java as it is");
        }
    }
}
