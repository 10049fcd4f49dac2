package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.data;
import static org.pgqjava.pgq.PgqOps.events;
import static org.pgqjava.pgq.PgqOps.finish;
import static org.pgqjava.pgq.PgqOps.insert;
import static org.pgqjava.pgq.PgqOps.nextBatch;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.pgq.PgqOps.Event;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * A producer transaction that stays open over many ticks and many other transactions (reference
 * §3.3, §3.4): its events arrive together in the first batch after its commit, none lost, none
 * twice; the batch query reaches it through the IN-list when it is far below the start tick's
 * xmax, and through a lowered range when it is close.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class LongTransactionIT {

    @Test
    void eventsOfALongTransactionArriveTogetherAfterItsCommit(Connection c, PgDatabase db) throws SQLException {
        createTickingQueue(c, "long");
        register(c, "long", "cons");
        List<String> delivered = new ArrayList<>();
        long longTxid;
        try (Connection p = db.connect()) {
            p.setAutoCommit(false);
            insert(p, "long", "t", "L1");
            longTxid = Sql.oneLong(p, "select txid_current()");
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 15; i++) {
                    Sql.exec(c, "select txid_current()"); // other transactions: 300 txids in all
                }
                insert(c, "long", "t", "S" + round);
                if (round == 10) {
                    insert(p, "long", "t", "L2");
                }
                tick(c, "long");
                Long b = nextBatch(c, "long", "cons");
                List<Event> evs = events(c, b);
                assertEquals(List.of("S" + round), data(evs), "round " + round + ": only the committed short event");
                finish(c, b);
                delivered.addAll(data(evs));
            }
            insert(p, "long", "t", "L3");
            p.commit();
        }
        insert(c, "long", "t", "after");
        tick(c, "long");
        long b = nextBatch(c, "long", "cons");
        String sql = Sql.str(c, "select pgq.batch_event_sql(?)", b);
        List<Event> evs = events(c, b);
        assertEquals(List.of("L1", "L2", "L3", "after"), data(evs), "the whole long transaction in one batch, by ev_id");
        assertTrue(evs.stream().filter(e -> e.data().startsWith("L")).allMatch(e -> e.txid() == longTxid));
        List<Long> ids = PgqOps.ids(evs);
        assertEquals(ids.stream().sorted().toList(), ids, "ordered by ev_id");
        assertTrue(sql.contains(" in (" + longTxid + ")"), "an old transaction is read through the IN-list: " + sql);
        finish(c, b);
        delivered.addAll(data(evs));
        tick(c, "long");
        b = nextBatch(c, "long", "cons");
        assertEquals(List.of(), events(c, b), "nothing twice");
        assertFalse(Sql.str(c, "select pgq.batch_event_sql(?)", b).contains(" in ("), "no old transaction any more");
        finish(c, b);
        assertEquals(24, delivered.size());
        assertEquals(delivered.size(), delivered.stream().distinct().count());
    }

    @Test
    void aShortOverlappingTransactionExtendsTheRange(Connection c, PgDatabase db) throws SQLException {
        createTickingQueue(c, "near");
        register(c, "near", "cons");
        long m;
        try (Connection p = db.connect()) {
            p.setAutoCommit(false);
            insert(p, "near", "t", "M");
            m = Sql.oneLong(p, "select txid_current()");
            tick(c, "near");                               // tick 2: M in progress
            long b = nextBatch(c, "near", "cons");
            assertEquals(List.of(), events(c, b));
            finish(c, b);
            p.commit();
        }
        tick(c, "near");                                   // tick 3: M committed
        long b = nextBatch(c, "near", "cons");
        String sql = Sql.str(c, "select pgq.batch_event_sql(?)", b);
        assertEquals(List.of("M"), data(events(c, b)));
        assertFalse(sql.contains(" in ("), "a recent transaction needs no IN-list: " + sql);
        assertTrue(sql.contains(">= " + m + " "), "the range starts at the overlapping transaction: " + sql);
        finish(c, b);
    }
}
