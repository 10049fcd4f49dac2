package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.drainEvents;
import static org.pgqjava.pgq.PgqOps.insert;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pgqjava.pgq.PgqOps.Event;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/** pgq.insert_events: many events in one call, each with insert_event's rules. */
@PgTest(setup = PgqTemplate.class)
class InsertEventsIT {

    private static Long[] insertEvents(Connection c, String queue, String[] types, String[] data, String[]... extras)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pgq.insert_events(?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, queue);
            ps.setArray(2, types == null ? null : c.createArrayOf("text", types));
            ps.setArray(3, data == null ? null : c.createArrayOf("text", data));
            for (int i = 0; i < 4; i++) {
                String[] e = i < extras.length ? extras[i] : null;
                ps.setArray(4 + i, e == null ? null : c.createArrayOf("text", e));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Array a = rs.getArray(1);
                return a == null ? null : (Long[]) a.getArray();
            }
        }
    }

    private static long eventCount(Connection c, String queue) throws SQLException {
        return Sql.oneLong(c, "select count(*) from pgq.event_"
                + Sql.one(c, "select queue_id from pgq.queue where queue_name = ?", queue));
    }

    @Test
    void eventsArriveInOrderWithTheirFieldsAndIdsFromTheQueueSequence(Connection c) throws SQLException {
        createTickingQueue(c, "bulk");
        register(c, "bulk", "cons");
        long before = insert(c, "bulk", "single", "s0");
        Long[] ids = insertEvents(c, "bulk", new String[] {"t1", "t2", null}, new String[] {"d1", null, "d3"},
                new String[] {"x1", null, "z1"}, null, new String[] {null, null, "z3"}, new String[] {"w", "w", "w"});
        assertArrayEquals(new Long[] {before + 1, before + 2, before + 3}, ids, "ids from the queue's sequence, in order");
        long after = insert(c, "bulk", "single", "s1");
        assertEquals(before + 4, after);
        tick(c, "bulk");
        List<Event> got = drainEvents(c, "bulk", "cons");
        List<String> rows = new ArrayList<>();
        for (Event e : got) {
            rows.add(e.id() + ":" + e.type() + ":" + e.data() + ":" + e.extra1() + ":" + e.extra2() + ":"
                    + e.extra3() + ":" + e.extra4());
        }
        assertEquals(List.of(
                before + ":single:s0:null:null:null:null",
                (before + 1) + ":t1:d1:x1:null:null:w",
                (before + 2) + ":t2:null:null:null:null:w",
                (before + 3) + ":null:d3:z1:null:z3:w",
                after + ":single:s1:null:null:null:null"), rows);
    }

    @Test
    void emptyArraysInsertNothingAndDrawNoId(Connection c) throws SQLException {
        createTickingQueue(c, "empty");
        long id = insert(c, "empty", "t", "d");
        assertArrayEquals(new Long[0], insertEvents(c, "empty", new String[0], new String[0]));
        assertEquals(id + 1, insert(c, "empty", "t", "d"));
        PgqOps.assertInsertError("No such queue", c, "select pgq.insert_events('nope', '{}', '{}')");
    }

    @Test
    void badArgumentsGetAClearErrorAndChangeNothing(Connection c) throws SQLException {
        createTickingQueue(c, "args");
        PgqOps.assertInsertError("Queue name must not be NULL", c, "select pgq.insert_events(null, '{a}', '{b}')");
        PgqOps.assertInsertError("No such queue", c, "select pgq.insert_events('missing', '{a}', '{b}')");
        assertEquals("pgq.insert_events: ev_data must not be NULL",
                Sql.assertSqlState("22004", c, "select pgq.insert_events('args', '{a}', null)"));
        assertEquals("pgq.insert_events: ev_type must not be NULL",
                Sql.assertSqlState("22004", c, "select pgq.insert_events('args', null, '{b}')"));
        assertEquals("pgq.insert_events: ev_type has 1 elements, ev_data has 2",
                Sql.assertSqlState("22023", c, "select pgq.insert_events('args', '{a}', '{b,c}')"));
        assertEquals("pgq.insert_events: ev_extra3 has 3 elements, ev_data has 2",
                Sql.assertSqlState("22023", c, "select pgq.insert_events('args', '{a,b}', '{b,c}', null, null, '{1,2,3}')"));
        Sql.assertSqlState("2202E", c, "select pgq.insert_events('args', '{{a},{b}}', '{{b},{c}}')");
        assertEquals(0L, eventCount(c, "args"), "nothing inserted");
    }

    @Test
    void disableInsertAndThePerTransactionLimitCountEveryEvent(Connection c, PgDatabase db) throws SQLException {
        createTickingQueue(c, "lim");
        Sql.exec(c, "update pgq.queue set queue_per_tx_limit = 3 where queue_name = 'lim'");
        PgqOps.assertInsertError("Queue 'lim' allows max 3 events from one TX", c,
                "select pgq.insert_events('lim', '{a,b,c,d}', '{1,2,3,4}')");
        assertEquals(0L, eventCount(c, "lim"));
        try (Connection p = db.connect()) {
            p.setAutoCommit(false);
            assertEquals(2, insertEvents(p, "lim", new String[] {"a", "b"}, new String[] {"1", "2"}).length);
            insert(p, "lim", "t", "3");
            PgqOps.assertInsertError("Queue 'lim' allows max 3 events from one TX", p, "select pgq.insert_event('lim', 't', '4')");
            p.rollback();
            assertEquals(3, insertEvents(p, "lim", new String[] {"a", "b", "c"}, new String[] {"1", "2", "3"}).length,
                    "a new transaction counts from 0");
            p.commit();
        }
        assertEquals(3L, eventCount(c, "lim"));
        Sql.exec(c, "update pgq.queue set queue_disable_insert = true, queue_per_tx_limit = null where queue_name = 'lim'");
        PgqOps.assertInsertError("Insert into queue disallowed", c, "select pgq.insert_events('lim', '{a}', '{1}')");
        Sql.exec(c, "set session_replication_role = replica");
        assertEquals(1, insertEvents(c, "lim", new String[] {"a"}, new String[] {"1"}).length);
        Sql.exec(c, "reset session_replication_role");
    }
}
