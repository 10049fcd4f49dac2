package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.data;
import static org.pgqjava.pgq.PgqOps.drainEvents;
import static org.pgqjava.pgq.PgqOps.insert;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * The producer reads the queue row once per transaction (and subtransaction) and writes the rest
 * of the transaction into the table it named (Producer.java, docs/pgq.md): no event may be lost
 * for it, across rotations, savepoints and config changes.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class ProducerCacheIT {

    private static int curTable(Connection c, String queue) throws SQLException {
        return (Integer) Sql.one(c, "select queue_cur_table from pgq.queue where queue_name = ?", queue);
    }

    private static boolean rotate(Connection c, String queue) throws SQLException {
        int before = curTable(c, queue);
        Sql.exec(c, "select pgq.maint_rotate_tables_step1(?)", queue);
        Sql.exec(c, "select pgq.maint_rotate_tables_step2()");
        return curTable(c, queue) != before;
    }

    private static List<String> sorted(List<String> in) {
        List<String> out = new ArrayList<>(in);
        Collections.sort(out);
        return out;
    }

    @Test
    void aLongReadCommittedTransactionInsertingAcrossTwoRotationsLosesNothing(Connection c, PgDatabase db)
            throws SQLException {
        createTickingQueue(c, "lt");
        Sql.exec(c, "select pgq.set_queue_config('lt', 'rotation_period', '0')");
        register(c, "lt", "cons");
        int id = (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = 'lt'");
        // move the consumer past the creating transaction, so that rotation may start
        insert(c, "lt", "t", "warm");
        tick(c, "lt");
        assertEquals(List.of("warm"), data(drainEvents(c, "lt", "cons")));

        try (Connection p = db.connect()) {
            p.setAutoCommit(false);
            p.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            insert(p, "lt", "t", "a1");
            String first = Sql.str(p, "select pgq.current_event_table('lt')");

            tick(c, "lt");
            assertEquals(List.of(), data(drainEvents(c, "lt", "cons")), "a1 is not committed");
            assertTrue(rotate(c, "lt"), "first rotation: the consumer is past the previous switch");
            insert(c, "lt", "t", "b1");

            insert(p, "lt", "t", "a2");
            assertEquals(first, Sql.str(p, "select pgq.current_event_table('lt')"),
                    "the transaction keeps writing to the table it first saw");
            assertEquals(2L, Sql.oneLong(p, "select count(*) from only " + first + " where ev_data like 'a%'"),
                    "a1 and a2 are in the first table");

            tick(c, "lt");
            assertEquals(List.of("b1"), data(drainEvents(c, "lt", "cons")));
            int cur = curTable(c, "lt");
            for (int i = 0; i < 3; i++) {
                insert(c, "lt", "t", "b" + (i + 2));
                tick(c, "lt");
                assertEquals(List.of("b" + (i + 2)), data(drainEvents(c, "lt", "cons")));
                assertEquals(false, rotate(c, "lt"), "no second rotation while the producer of a1 is open");
                assertEquals(cur, curTable(c, "lt"));
            }

            insert(p, "lt", "t", "a3");
            p.commit();
        }
        tick(c, "lt");
        assertEquals(List.of("a1", "a2", "a3"), sorted(data(drainEvents(c, "lt", "cons"))),
                "every event of the long transaction, once");

        // rotation goes on once the consumer is past it, and new events still arrive
        insert(c, "lt", "t", "c1");
        tick(c, "lt");
        assertEquals(List.of("c1"), data(drainEvents(c, "lt", "cons")));
        assertTrue(rotate(c, "lt"), "second rotation after the long transaction ended");
        insert(c, "lt", "t", "c2");
        tick(c, "lt");
        assertEquals(List.of("c2"), data(drainEvents(c, "lt", "cons")));
        assertEquals(3L, Sql.oneLong(c, "select count(*) from pgq.event_" + id + "_0 where ev_data like 'a%'"),
                "the long transaction's events stay in the first table until a later rotation empties it");
    }

    @Test
    void aRolledBackSavepointReleasesTheRowLockSoTheRowIsReadAndLockedAgain(Connection c, PgDatabase db)
            throws SQLException {
        createTickingQueue(c, "sp");
        String locked = "select 1 from pgq.queue where queue_name = 'sp' for update nowait";
        try (Connection p = db.connect()) {
            p.setAutoCommit(false);
            p.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Sql.exec(p, "select 1");
            Sql.exec(p, "savepoint s");
            insert(p, "sp", "t", "gone");
            Sql.assertSqlState("55P03", c, locked);
            Sql.exec(p, "rollback to savepoint s");
            Sql.exec(c, locked);   // released with the savepoint (autocommit: taken and given back)

            insert(p, "sp", "t", "kept");
            Sql.assertSqlState("55P03", c, locked);
            p.commit();
        }
        // registered at the queue's last tick, which predates the producer's commit
        register(c, "sp", "cons");
        insert(c, "sp", "t", "after");
        tick(c, "sp");
        assertEquals(List.of("kept", "after"), data(drainEvents(c, "sp", "cons")), "the rolled-back event is gone");
    }

    @Test
    void setQueueConfigInTheSameTransactionIsSeenByTheNextInsert(Connection c, PgDatabase db) throws SQLException {
        createTickingQueue(c, "cfg");
        try (Connection p = db.connect()) {
            p.setAutoCommit(false);
            insert(p, "cfg", "t", "one");
            String before = Sql.str(p, "select pgq.current_event_table('cfg')");
            Sql.exec(p, "select pgq.set_queue_config('cfg', 'rotation_period', '0')");
            Sql.exec(p, "update pgq.queue set queue_cur_table = 1 where queue_name = 'cfg'");
            Sql.exec(p, "select pgq.set_queue_config('cfg', 'ticker_max_count', '10')");
            assertTrue(!before.equals(Sql.str(p, "select pgq.current_event_table('cfg')")),
                    "set_queue_config in this backend makes the next insert read the queue row again");
            p.rollback();
        }
    }

    @Test
    void aRefusedInsertStillDrawsAnEventId(Connection c) throws SQLException {
        createTickingQueue(c, "ref");
        String seq = Sql.str(c, "select queue_event_seq from pgq.queue where queue_name = 'ref'");
        long id1 = insert(c, "ref", "t", "x");
        Sql.exec(c, "update pgq.queue set queue_disable_insert = true where queue_name = 'ref'");
        PgqOps.assertInsertError("Insert into queue disallowed", c, "select pgq.insert_event('ref', 't', 'y')");
        assertEquals(id1 + 1, Sql.oneLong(c, "select last_value from " + seq), "the refused insert drew an id");
        Sql.exec(c, "set session_replication_role = replica");
        long id3 = insert(c, "ref", "t", "z");
        assertEquals(id1 + 2, id3, "a replica may insert into a disabled queue");
        Sql.exec(c, "reset session_replication_role");
    }

    @Test
    void theFirstInsertOfATransactionChecksWhatAnEarlierTransactionRead(Connection c, PgDatabase db)
            throws SQLException {
        createTickingQueue(c, "ck");
        Sql.exec(c, "select pgq.set_queue_config('ck', 'rotation_period', '0')");
        register(c, "ck", "cons");
        insert(c, "ck", "t", "warm");
        tick(c, "ck");
        drainEvents(c, "ck", "cons");
        try (Connection p = db.connect()) {
            insert(p, "ck", "t", "e1");   // this backend now knows the queue's table
            String first = Sql.str(p, "select pgq.current_event_table('ck')");
            assertTrue(rotate(c, "ck"), "rotated between the producer's transactions");
            insert(p, "ck", "t", "e2");
            String now = Sql.str(p, "select pgq.current_event_table('ck')");
            assertTrue(!first.equals(now), "a new transaction sees the rotation");
            assertEquals(1L, Sql.oneLong(c, "select count(*) from only " + now + " where ev_data = 'e2'"),
                    "e2 went to the new current table");

            Sql.exec(c, "update pgq.queue set queue_per_tx_limit = 1 where queue_name = 'ck'");
            p.setAutoCommit(false);
            insert(p, "ck", "t", "e3");
            PgqOps.assertInsertError("Queue 'ck' allows max 1 events from one TX", p, "select pgq.insert_event('ck', 't', 'e4')");
            p.rollback();
            p.setAutoCommit(true);
            Sql.exec(c, "update pgq.queue set queue_per_tx_limit = null, queue_disable_insert = true where queue_name = 'ck'");
            PgqOps.assertInsertError("Insert into queue disallowed", p, "select pgq.insert_event('ck', 't', 'e5')");
            Sql.exec(c, "update pgq.queue set queue_disable_insert = false where queue_name = 'ck'");
            insert(p, "ck", "t", "e6");
        }
        tick(c, "ck");
        assertEquals(List.of("e1", "e2", "e6"), sorted(data(drainEvents(c, "ck", "cons"))));
    }

    @Test
    void underRepeatableReadTheCheckedFirstInsertFailsOnARotationAfterTheSnapshot(Connection c, PgDatabase db)
            throws SQLException {
        createTickingQueue(c, "rrk");
        Sql.exec(c, "select pgq.set_queue_config('rrk', 'rotation_period', '0')");
        try (Connection p = db.connect()) {
            insert(p, "rrk", "t", "known");   // an earlier transaction of this backend read the queue
            p.setAutoCommit(false);
            p.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Sql.exec(p, "select 1");   // the snapshot
            assertTrue(rotate(c, "rrk"), "rotated after the producer's snapshot (no consumer blocks it)");
            Sql.assertSqlState("40001", p, "select pgq.insert_event('rrk', 't', 'stale')");
            p.rollback();
        }
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.event_"
                + Sql.one(c, "select queue_id from pgq.queue where queue_name = 'rrk'") + " where ev_data = 'stale'"));
    }

    @Test
    void aQueueDroppedAndCreatedAgainBySomeoneElseIsFoundAgain(Connection c, PgDatabase db) throws SQLException {
        createTickingQueue(c, "again");
        try (Connection p = db.connect()) {
            insert(p, "again", "t", "old");   // this backend knows the queue's table
            Sql.exec(c, "select pgq.drop_queue('again')");
            PgqOps.assertInsertError("No such queue", p, "select pgq.insert_event('again', 't', 'none')");
            createTickingQueue(c, "again");
            register(c, "again", "cons");
            insert(p, "again", "t", "new");
        }
        tick(c, "again");
        assertEquals(List.of("new"), data(drainEvents(c, "again", "cons")));
    }
}
