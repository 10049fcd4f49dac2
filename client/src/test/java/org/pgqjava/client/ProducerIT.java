package org.pgqjava.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.client.ClientTests.createTickingQueue;
import static org.pgqjava.client.ClientTests.tick;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/** Producer: events in the caller's transaction, one or many, extras, codecs, PgQ's errors. */
@PgTest(setup = PgqTemplate.class)
class ProducerIT {

    @BeforeAll
    static void queues(Connection c) throws SQLException {
        for (String q : List.of("p_one", "p_tx", "p_extras", "p_bulk", "p_bulk_extras", "p_bytes")) {
            createTickingQueue(c, q);
            Sql.exec(c, "select pgq.register_consumer(?, 'c')", q);
        }
    }

    /** The events of the consumer c's next batch, after a tick: id, type, data, extras. */
    private static List<List<Object>> nextBatch(Connection c, String queue) throws SQLException {
        tick(c, queue);
        c.setAutoCommit(false);
        try {
            Long batch = Sql.longOrNull(c, "select pgq.next_batch(?, 'c')", queue);
            if (batch == null) {
                return List.of();
            }
            List<List<Object>> rows = Sql.rows(c, "select ev_id, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3,"
                    + " ev_extra4 from pgq.get_batch_events(?)", batch);
            Sql.exec(c, "select pgq.finish_batch(?)", batch);
            return rows;
        } finally {
            c.commit();
            c.setAutoCommit(true);
        }
    }

    @Test
    void sendQueuesOneEventAndReturnsItsId(Connection c) throws SQLException {
        long id = Producer.of("p_one").send(c, "created", "{\"id\": 1}");
        List<List<Object>> events = nextBatch(c, "p_one");
        assertEquals(List.of(List.of(id, "created", "{\"id\": 1}")), events.stream().map(r -> r.subList(0, 3)).toList());
        assertEquals(List.of(java.util.Arrays.asList(null, null, null, null)), events.stream().map(r -> r.subList(3, 7)).toList());
    }

    @Test
    void eventsCommitAndRollBackWithTheCallersTransaction(Connection c, PgDatabase db) throws SQLException {
        Producer<String> p = Producer.of("p_tx");
        try (Connection app = db.connect()) {
            app.setAutoCommit(false);
            p.send(app, "t", "rolled back");
            app.rollback();
            long kept = p.send(app, "t", "committed");
            // not committed yet: a tick now must not show it
            assertEquals(List.of(), nextBatch(c, "p_tx"));
            app.commit();
            assertEquals(List.of(kept), nextBatch(c, "p_tx").stream().map(r -> r.get(0)).toList());
        }
    }

    @Test
    void extrasArriveInTheirColumns(Connection c) throws SQLException {
        long id = Producer.of("p_extras").send(c, "t", "d", new Extras("public.orders", null, "k3", "k4"));
        assertEquals(List.of(java.util.Arrays.asList(id, "t", "d", "public.orders", null, "k3", "k4")), nextBatch(c, "p_extras"));
    }

    @Test
    void sendAllQueuesEveryMessageInOrder(Connection c) throws SQLException {
        List<Message<String>> messages = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            messages.add(Message.of("t" + (i % 3), i == 7 ? null : "payload " + i));
        }
        long[] ids = Producer.of("p_bulk").sendAll(c, messages);
        List<List<Object>> events = nextBatch(c, "p_bulk");
        assertEquals(500, events.size());
        for (int i = 0; i < 500; i++) {
            assertEquals(ids[i], events.get(i).get(0), "id of message " + i);
            assertEquals(messages.get(i).type(), events.get(i).get(1));
            assertEquals(messages.get(i).payload(), events.get(i).get(2));
        }
        assertArrayEquals(new long[0], Producer.of("p_bulk").sendAll(c, List.of()));
    }

    @Test
    void sendAllWithExtrasOnSomeMessages(Connection c) throws SQLException {
        List<Message<String>> messages = List.of(
                Message.of("a", "1"),
                new Message<>("b", "2", new Extras("x1", "x2", "x3", "x4")),
                new Message<>("c", "3", Extras.of("only1")));
        long[] ids = Producer.of("p_bulk_extras").sendAll(c, messages);
        assertEquals(List.of(
                java.util.Arrays.asList(ids[0], "a", "1", null, null, null, null),
                java.util.Arrays.asList(ids[1], "b", "2", "x1", "x2", "x3", "x4"),
                java.util.Arrays.asList(ids[2], "c", "3", "only1", null, null, null)), nextBatch(c, "p_bulk_extras"));
    }

    @Test
    void aCodecEncodesPayloadsAndEventDecodesThem(Connection c) throws SQLException {
        byte[] bytes = {0, 1, 2, (byte) 0xff, 'a', 0};
        Producer<byte[]> p = Producer.of("p_bytes", Codec.base64());
        p.send(c, "bin", bytes);
        p.sendAll(c, List.of(Message.of("bin", "héllo".getBytes(StandardCharsets.UTF_8))));
        List<List<Object>> events = nextBatch(c, "p_bytes");
        assertEquals("AAEC/2EA", events.get(0).get(2), "stored as base64 text");
        Event e = new Event(1, null, 1, null, "bin", (String) events.get(0).get(2), null, null, null, null);
        assertArrayEquals(bytes, e.data(Codec.base64()));
        Event e2 = new Event(2, null, 1, null, "bin", (String) events.get(1).get(2), null, null, null, null);
        assertEquals("héllo", new String(e2.data(Codec.base64()), StandardCharsets.UTF_8));
    }

    @Test
    void pgqErrorsReachTheCaller(Connection c) {
        SQLException e = assertThrows(SQLException.class, () -> Producer.of("no_such_q").send(c, "t", "d"));
        assertTrue(e.getMessage().contains("No such queue"), e.getMessage());
        SQLException bulk = assertThrows(SQLException.class,
                () -> Producer.of("no_such_q").sendAll(c, List.of(Message.of("t", "d"))));
        assertTrue(bulk.getMessage().contains("No such queue"), bulk.getMessage());
    }
}
