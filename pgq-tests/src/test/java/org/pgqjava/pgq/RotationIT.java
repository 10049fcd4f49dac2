package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.pgq.PgqOps.Event;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * Rotation of the event tables (reference §3.5, §3.6): step1 and step2 in separate
 * transactions; rotation waits for the slowest consumer and for long transactions, so no table
 * is truncated while a consumer may still need it; ticks are cleaned as PgQ does; batches read
 * the right tables.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 180, threadMode = ThreadMode.SEPARATE_THREAD)
class RotationIT {

    /** cur_table, step1, step2 (null between the steps). */
    record State(int curTable, long step1, Long step2) {
    }

    static State state(Connection c, String queue) throws SQLException {
        List<Object> r = Sql.row(c, "select queue_cur_table, queue_switch_step1, queue_switch_step2 from pgq.queue"
                + " where queue_name = ?", queue);
        return new State((Integer) r.get(0), (Long) r.get(1), (Long) r.get(2));
    }

    /** step1 and step2, each in its own transaction (autocommit); true if cur_table changed. */
    static boolean rotate(Connection c, String queue) throws SQLException {
        int before = state(c, queue).curTable();
        assertEquals(0L, Sql.oneLong(c, "select pgq.maint_rotate_tables_step1(?)", queue), "step1 returns 0");
        assertEquals(0L, Sql.oneLong(c, "select pgq.maint_rotate_tables_step2()"), "step2 returns 0");
        State after = state(c, queue);
        assertNotNull(after.step2(), "step2 done");
        return after.curTable() != before;
    }

    static List<Long> tickIds(Connection c, String queue) throws SQLException {
        List<Long> ids = new ArrayList<>();
        for (Object o : Sql.column(c, "select tick_id from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue"
                + " where q.queue_name = ? order by 1", queue)) {
            ids.add((Long) o);
        }
        return ids;
    }

    /** Ids of the queue's ticks whose snapshot xmin is not below {@code step2}: what a rotation must keep. */
    static List<Long> ticksNotBelow(Connection c, String queue, long step2) throws SQLException {
        List<Long> ids = new ArrayList<>();
        for (Object o : Sql.column(c, "select tick_id from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue"
                + " where q.queue_name = ? and txid_snapshot_xmin(tick_snapshot) >= ? order by 1", queue, step2)) {
            ids.add((Long) o);
        }
        return ids;
    }

    static long count(Connection c, String table) throws SQLException {
        return Sql.oneLong(c, "select count(*) from only " + table);
    }

    @Test
    void theSlowestConsumerBlocksRotationUntilItMovesOn(Connection c) throws SQLException {
        createTickingQueue(c, "slow");
        int id = (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = 'slow'");
        String t0 = "pgq.event_" + id + "_0";
        String t1 = "pgq.event_" + id + "_1";
        Sql.exec(c, "select pgq.set_queue_config('slow', 'rotation_period', '0')");
        register(c, "slow", "fast");
        register(c, "slow", "laggard");

        State s0 = state(c, "slow");
        assertEquals(false, rotate(c, "slow"), "consumers at tick 1 (taken by the creating transaction) block rotation");
        assertEquals(s0, state(c, "slow"), "nothing changed");

        insert(c, "slow", "t", "e1");
        tick(c, "slow");
        assertEquals(List.of("e1"), data(drainEvents(c, "slow", "fast")));
        assertEquals(false, rotate(c, "slow"), "laggard still at tick 1");
        assertEquals(0, state(c, "slow").curTable());

        assertEquals(List.of("e1"), data(drainEvents(c, "slow", "laggard")));
        List<Long> survivors = ticksNotBelow(c, "slow", state(c, "slow").step2());
        assertEquals(0L, Sql.oneLong(c, "select pgq.maint_rotate_tables_step1('slow')"));
        State mid = state(c, "slow");
        assertEquals(1, mid.curTable(), "rotated once both consumers passed step2");
        assertNull(mid.step2(), "step2 pending");
        assertEquals(List.of(List.of("pgq.maint_rotate_tables_step2", "")), Sql.rows(c,
                "select func_name, coalesce(func_arg, '') from pgq.maint_operations()"
                + " where func_name = 'pgq.maint_rotate_tables_step2' or func_arg = 'slow'"),
                "maintenance must run step2 next, and no step1 for this queue");
        assertEquals(0L, Sql.oneLong(c, "select pgq.maint_rotate_tables_step1('slow')"), "no new rotation before step2");
        assertEquals(mid, state(c, "slow"));
        Sql.exec(c, "select pgq.maint_rotate_tables_step2()");
        assertTrue(state(c, "slow").step2() > mid.step1(), "step2 is a later transaction");
        assertEquals(survivors, tickIds(c, "slow"), "ticks with xmin below the previous step2 deleted, no others");
        assertTrue(survivors.contains(2L), "the consumers' position tick is kept");
        assertEquals(1L, count(c, t0), "e1 stays in the old table");
        assertEquals("pgq.event_" + id + "_1", Sql.str(c, "select pgq.current_event_table('slow')"));

        insert(c, "slow", "t", "e2");
        assertEquals(1L, count(c, t1), "new events go to the new current table");
        tick(c, "slow");
        assertEquals(List.of("e2"), data(drainEvents(c, "slow", "fast")));
        State s1 = state(c, "slow");
        assertEquals(false, rotate(c, "slow"), "laggard's position predates the rotation");
        assertEquals(s1, state(c, "slow"), "cur_table, step1, step2 unchanged");

        insert(c, "slow", "t", "e3");
        tick(c, "slow");
        assertEquals(List.of("e2", "e3"), data(drainEvents(c, "slow", "laggard")), "laggard still gets everything");
        assertEquals(List.of("e3"), data(drainEvents(c, "slow", "fast")));
        survivors = ticksNotBelow(c, "slow", state(c, "slow").step2());
        assertEquals(true, rotate(c, "slow"));
        assertEquals(2, state(c, "slow").curTable());
        // ticks whose xmin is below the previous step2 are gone: those taken before the first rotation
        List<Long> left = tickIds(c, "slow");
        assertEquals(survivors, left, "ticks deleted by the second rotation");
        assertTrue(!left.contains(1L) && !left.contains(2L), "ticks before the first rotation deleted: " + left);
        assertTrue(left.contains(4L), "the consumers' position tick kept: " + left);
        assertEquals(1L, count(c, t0), "table 0 (e1) survives until it is the oldest");

        insert(c, "slow", "t", "e4");
        tick(c, "slow");
        drainEvents(c, "slow", "fast");
        drainEvents(c, "slow", "laggard");
        assertEquals(true, rotate(c, "slow"));
        assertEquals(0, state(c, "slow").curTable());
        assertEquals(0L, count(c, t0), "table 0 truncated when it became current again");
        insert(c, "slow", "t", "e5");
        tick(c, "slow");
        assertEquals(List.of("e5"), data(drainEvents(c, "slow", "fast")));
        assertEquals(List.of("e5"), data(drainEvents(c, "slow", "laggard")));
    }

    @Test
    void withoutConsumersRotationAlwaysProceeds(Connection c) throws SQLException {
        createTickingQueue(c, "nocons");
        Sql.exec(c, "select pgq.set_queue_config('nocons', 'rotation_period', '0')");
        for (int i = 1; i <= 4; i++) {
            insert(c, "nocons", "t", "x" + i);
            assertEquals(true, rotate(c, "nocons"), "rotation " + i);
            assertEquals(i % 3, state(c, "nocons").curTable());
        }
    }

    @Test
    void rotationWaitsForItsPeriod(Connection c) throws SQLException {
        createTickingQueue(c, "period");
        assertEquals(false, rotate(c, "period"), "2 hours not over");
        assertEquals(List.of(), Sql.rows(c, "select * from pgq.maint_operations() where func_arg = 'period'"));
        Sql.exec(c, "select pgq.set_queue_config('period', 'rotation_period', '0')");
        assertEquals(List.of(List.of("pgq.maint_rotate_tables_step1", "period")),
                Sql.rows(c, "select * from pgq.maint_operations() where func_arg = 'period'"));
        assertEquals(true, rotate(c, "period"));
    }

    @Test
    void anOpenTransactionBlocksRotationAndItsEventsSurvive(Connection c, PgDatabase db) throws SQLException {
        createTickingQueue(c, "longtx");
        Sql.exec(c, "select pgq.set_queue_config('longtx', 'rotation_period', '0')");
        register(c, "longtx", "cons");
        tick(c, "longtx");
        drainEvents(c, "longtx", "cons");
        assertEquals(true, rotate(c, "longtx"), "consumer past step2: rotation possible");
        tick(c, "longtx");
        drainEvents(c, "longtx", "cons");
        try (Connection p = db.connect()) {
            p.setAutoCommit(false);
            insert(p, "longtx", "t", "before");      // into table 1, txid p
            tick(c, "longtx");
            drainEvents(c, "longtx", "cons");        // tick xmin <= p
            assertEquals(true, rotate(c, "longtx"), "consumer's position is after the last step2");
            assertEquals(2, state(c, "longtx").curTable());
            insert(p, "longtx", "t", "after");       // READ COMMITTED: sees the new current table
            for (int i = 0; i < 3; i++) {
                insert(c, "longtx", "t", "other" + i);
                tick(c, "longtx");
                assertEquals(List.of("other" + i), data(drainEvents(c, "longtx", "cons")));
                assertEquals(false, rotate(c, "longtx"), "the open producer keeps tick xmin below step2");
            }
            p.commit();
        }
        tick(c, "longtx");
        List<Event> got = drainEvents(c, "longtx", "cons");
        assertEquals(List.of("before", "after"), data(got), "both events of the long transaction, once");
        tick(c, "longtx");
        drainEvents(c, "longtx", "cons");
        assertEquals(true, rotate(c, "longtx"), "rotation resumes after commit");
    }

    @Test
    void batchEventTablesFollowRotation(Connection c) throws SQLException {
        createTickingQueue(c, "tables");
        int id = (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = 'tables'");
        String p = "pgq.event_" + id + "_";
        Sql.exec(c, "select pgq.set_queue_config('tables', 'rotation_period', '0')");
        register(c, "tables", "cons");
        register(c, "tables", "old");
        insert(c, "tables", "t", "x");
        tick(c, "tables");
        drainEvents(c, "tables", "cons");
        drainEvents(c, "tables", "old");
        tick(c, "tables"); // tick 3: before the rotation
        assertEquals(true, rotate(c, "tables"));
        tick(c, "tables"); // tick 4: after step2
        tick(c, "tables"); // tick 5
        // batch 2->3 ended before step1: only the previous table
        long b = PgqOps.nextBatch(c, "tables", "old");
        assertEquals(List.of(2L, 3L), Sql.row(c, "select prev_tick_id, tick_id from pgq.get_batch_info(?)", b));
        assertEquals(List.of(p + "0"), Sql.column(c, "select * from pgq.batch_event_tables(?)", b));
        PgqOps.finish(c, b);
        // batch 3->4 spans the rotation: both
        b = PgqOps.nextBatch(c, "tables", "old");
        assertEquals(List.of(p + "0", p + "1"), Sql.column(c, "select * from pgq.batch_event_tables(?)", b));
        PgqOps.finish(c, b);
        // batch 4->5 began after step2: only the current table
        b = PgqOps.nextBatch(c, "tables", "old");
        assertEquals(List.of(p + "1"), Sql.column(c, "select * from pgq.batch_event_tables(?)", b));
        PgqOps.finish(c, b);
    }

    /**
     * A seeded random schedule of inserts (some rolled back), ticks, rotations and reads by three
     * consumers of different speeds; every committed event reaches every consumer exactly once.
     */
    @Test
    void randomScheduleNeverLosesOrDuplicatesAnEvent(Connection c, PgDatabase db) throws SQLException {
        createTickingQueue(c, "sched");
        Sql.exec(c, "select pgq.set_queue_config('sched', 'rotation_period', '0')");
        List<String> consumers = List.of("often", "sometimes", "rarely");
        double[] readChance = {0.8, 0.3, 0.05};
        Map<String, List<String>> got = new HashMap<>();
        for (String cons : consumers) {
            register(c, "sched", cons);
            got.put(cons, new ArrayList<>());
        }
        Random rnd = new Random(20240607);
        List<String> committed = new ArrayList<>();
        int rotations = 0;
        int n = 0;
        try (Connection p = db.connect()) {
            p.setAutoCommit(false);
            for (int step = 0; step < 400; step++) {
                int k = 1 + rnd.nextInt(3);
                List<String> tx = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    String d = "ev" + (n++);
                    insert(p, "sched", "t", d);
                    tx.add(d);
                }
                if (rnd.nextInt(5) == 0) {
                    p.rollback();
                } else {
                    p.commit();
                    committed.addAll(tx);
                }
                if (rnd.nextInt(3) == 0) {
                    tick(c, "sched");
                }
                if (rnd.nextInt(4) == 0 && rotate(c, "sched")) {
                    rotations++;
                }
                for (int i = 0; i < consumers.size(); i++) {
                    if (rnd.nextDouble() < readChance[i]) {
                        got.get(consumers.get(i)).addAll(data(drainEvents(c, "sched", consumers.get(i))));
                    }
                }
            }
        }
        tick(c, "sched");
        for (String cons : consumers) {
            got.get(cons).addAll(data(drainEvents(c, "sched", cons)));
            List<String> sorted = new ArrayList<>(got.get(cons));
            sorted.sort(java.util.Comparator.comparingInt(s -> Integer.parseInt(s.substring(2))));
            assertEquals(committed, sorted, "consumer " + cons + ": every committed event once, no rolled back one");
        }
        assertTrue(rotations >= 5, "rotations happened: " + rotations);
    }
}
