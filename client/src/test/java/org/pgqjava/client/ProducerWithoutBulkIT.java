package org.pgqjava.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pgqjava.client.ClientTests.createTickingQueue;
import static org.pgqjava.client.ClientTests.tick;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * Producer.sendAll in a database without pgq.insert_events (as with Debian's PgQ): the events go
 * one insert_event at a time, same ids in order.
 */
@PgTest(setup = PgqTemplate.class)
class ProducerWithoutBulkIT {

    @Test
    void sendAllFallsBackToInsertEvent(Connection c) throws SQLException {
        createTickingQueue(c, "nb");
        Sql.exec(c, "select pgq.register_consumer('nb', 'c')");
        Sql.exec(c, "drop function pgq.insert_events(text, text[], text[], text[], text[], text[], text[])");
        long[] ids = Producer.of("nb").sendAll(c, List.of(Message.of("a", "1"),
                new Message<>("b", "2", Extras.of("e1"))));
        tick(c, "nb");
        c.setAutoCommit(false);
        long batch = Sql.oneLong(c, "select pgq.next_batch('nb', 'c')");
        assertEquals(List.of(List.of(ids[0], "a", "1"), List.of(ids[1], "b", "2")),
                Sql.rows(c, "select ev_id, ev_type, ev_data from pgq.get_batch_events(?)", batch));
        assertEquals("e1", Sql.str(c, "select ev_extra1 from pgq.get_batch_events(?) where ev_id = ?", batch, ids[1]));
        c.commit();
    }
}
