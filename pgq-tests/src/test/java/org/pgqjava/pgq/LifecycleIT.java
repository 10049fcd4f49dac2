package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.data;
import static org.pgqjava.pgq.PgqOps.events;
import static org.pgqjava.pgq.PgqOps.finish;
import static org.pgqjava.pgq.PgqOps.ids;
import static org.pgqjava.pgq.PgqOps.insert;
import static org.pgqjava.pgq.PgqOps.nextBatch;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.OffsetDateTime;
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
 * A queue's life from create_queue to drop_queue through every consumer function (reference
 * §2.2-2.5, §2.8): what create_queue builds, batches between ticks, the OUT rows of the batch
 * functions, the cursor API, next_batch idempotence and empty batches, custom batch sizes.
 * Tests share the class database, so each uses its own queue and looks its id up.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class LifecycleIT {

    private static final List<String> EVENT_COLUMNS = List.of("ev_id:int8", "ev_time:timestamptz", "ev_txid:int8",
            "ev_retry:int4", "ev_type:text", "ev_data:text", "ev_extra1:text", "ev_extra2:text", "ev_extra3:text",
            "ev_extra4:text");

    @Test
    void createQueueBuildsTablesSequencesIndexesAndTheFirstTick(Connection c) throws SQLException {
        assertEquals(1L, Sql.oneLong(c, "select pgq.create_queue('build')"));
        assertEquals(0L, Sql.oneLong(c, "select pgq.create_queue('build')"), "existing queue");
        List<Object> q = Sql.row(c, "select queue_id, queue_data_pfx, queue_event_seq, queue_tick_seq, queue_ntables,"
                + " queue_cur_table, queue_rotation_period::text, queue_ticker_max_count, queue_ticker_max_lag::text,"
                + " queue_ticker_idle_period::text, queue_external_ticker, queue_ticker_paused, queue_disable_insert,"
                + " queue_per_tx_limit, queue_switch_step2 is not null, queue_switch_step1 = queue_switch_step2"
                + " from pgq.queue where queue_name = 'build'");
        int id = (Integer) q.get(0);
        String pfx = "pgq.event_" + id;
        assertEquals(List.of(id, pfx, pfx + "_id_seq", pfx + "_tick_seq", 3, 0, "02:00:00", 500, "00:00:03",
                "00:01:00", false, false, false), q.subList(0, 13));
        assertNull(q.get(13), "queue_per_tx_limit");
        assertEquals(true, q.get(14), "step2 set at creation");
        assertEquals(true, q.get(15), "step1 = step2 = creating txid");

        // parent inherits event_template, children inherit the parent
        assertEquals("pgq.event_template", Sql.str(c, "select inhparent::regclass::text from pg_inherits"
                + " where inhrelid = ?::regclass", pfx));
        assertEquals(List.of(pfx + "_0", pfx + "_1", pfx + "_2"), Sql.column(c, "select inhrelid::regclass::text"
                + " from pg_inherits where inhparent = ?::regclass order by 1", pfx));
        for (int i = 0; i < 3; i++) {
            String child = "event_" + id + "_" + i;
            assertEquals(List.of(List.of(child + "_txid_idx", "ev_txid")), Sql.rows(c,
                    "select i.relname::text, a.attname::text from pg_index x join pg_class i on i.oid = x.indexrelid"
                    + " join pg_attribute a on a.attrelid = x.indrelid and a.attnum = any(x.indkey)"
                    + " where x.indrelid = ?::regclass", "pgq." + child), "the only index of " + child);
            String def = Sql.str(c, "select pg_get_expr(d.adbin, d.adrelid) from pg_attrdef d join pg_attribute a"
                    + " on a.attrelid = d.adrelid and a.attnum = d.adnum where d.adrelid = ?::regclass"
                    + " and a.attname = 'ev_id'", "pgq." + child);
            assertEquals("nextval('" + pfx + "_id_seq'::regclass)", def, "ev_id default of " + child);
            List<Object> opts = Sql.column(c, "select unnest(reloptions) from pg_class where oid = ?::regclass"
                    + " union all select 'toast.' || unnest(t.reloptions) from pg_class r join pg_class t"
                    + " on t.oid = r.reltoastrelid where r.oid = ?::regclass order by 1", "pgq." + child, "pgq." + child);
            assertEquals(List.of("autovacuum_enabled=off", "fillfactor=100", "toast.autovacuum_enabled=off"), opts,
                    "storage tuning of " + child);
        }
        assertEquals(2L, Sql.oneLong(c, "select count(*) from pg_class where relkind = 'S' and oid in"
                + " (?::regclass, ?::regclass)", pfx + "_id_seq", pfx + "_tick_seq"));
        // tick 1, at event sequence position 1 (fresh sequence: last_value 1, is_called false)
        assertEquals(List.of(List.of(1L, 1L)), Sql.rows(c, "select tick_id, tick_event_seq from pgq.tick"
                + " where tick_queue = ?", id));
        assertEquals(List.of(pfx + "_0"), List.of(Sql.str(c, "select pgq.current_event_table('build')")));
        // grants copied from event_template to every table of the queue
        for (String t : List.of(pfx, pfx + "_0", pfx + "_1", pfx + "_2")) {
            assertTrue((Boolean) Sql.one(c, "select has_table_privilege('pgq_reader', ?, 'select')", t), t);
            assertTrue((Boolean) Sql.one(c, "select has_table_privilege('pgq_admin', ?, 'truncate')", t), t);
            assertFalse((Boolean) Sql.one(c, "select has_table_privilege('pgq_writer', ?, 'insert')", t), t);
        }
    }

    @Test
    void eventsTravelFromProducerToConsumerBetweenTicks(Connection c, PgDatabase db) throws SQLException {
        createTickingQueue(c, "life");
        assertEquals(1L, register(c, "life", "life_cons"));
        assertEquals(0L, register(c, "life", "life_cons"), "already registered");
        long first = insert(c, "life", "t3", "three-args");
        long second = Sql.oneLong(c, "select pgq.insert_event('life', 't7', 'seven-args', 'x1', 'x2', 'x3', 'x4')");
        assertEquals(first + 1, second, "ids from the queue's sequence");
        assertNull(nextBatch(c, "life", "life_cons"), "no tick after the consumer's position yet");
        long tickId = tick(c, "life");
        assertEquals(2L, tickId);

        List<Object> info = Sql.row(c, "select * from pgq.next_batch_info('life', 'life_cons')");
        assertEquals(7, info.size());
        long batch = ((Number) info.get(0)).longValue();
        assertEquals(List.of(2L, 1L), List.of(info.get(1), info.get(2)), "cur/prev tick");
        OffsetDateTime curTime = Sql.time(c, "select cur_tick_time from pgq.next_batch_info('life', 'life_cons')");
        assertNotNull(curTime);
        assertTrue((Sql.time(c, "select prev_tick_time from pgq.next_batch_info('life', 'life_cons')"))
                .compareTo(curTime) <= 0, "prev tick not after cur tick");
        assertEquals(1L, info.get(6), "prev_tick_event_seq: first tick of a new queue");
        assertEquals(second, info.get(5), "cur_tick_event_seq = last_value of the event sequence");

        List<Event> evs = events(c, batch);
        assertEquals(List.of(new Event(first, evs.get(0).txid(), null, "t3", "three-args", null, null, null, null),
                new Event(second, evs.get(1).txid(), null, "t7", "seven-args", "x1", "x2", "x3", "x4")), evs);
        assertEquals(evs.get(0).txid() + 1, evs.get(1).txid(), "autocommit: one transaction each");

        // batch info while the batch is open
        List<Object> bi = Sql.row(c, "select queue_name, consumer_name, prev_tick_id, tick_id, seq_start, seq_end,"
                + " lag >= interval '0', batch_start <= batch_end from pgq.get_batch_info(?)", batch);
        assertEquals(List.of("life", "life_cons", 1L, 2L, 1L, second, true, true), bi);
        List<Object> ci = Sql.row(c, "select queue_name, consumer_name, last_tick, current_batch, next_tick,"
                + " pending_events, lag is not null, last_seen is not null from pgq.get_consumer_info('life', 'life_cons')");
        assertEquals(List.of("life", "life_cons", 1L, batch, 2L, second - 1, true, true), ci);

        assertEquals(1, finish(c, batch));
        Sql.Warned again = Sql.warned(c, "select pgq.finish_batch(?)", batch);
        assertEquals(0, again.value());
        assertEquals(List.of("WARNING: finish_batch: batch " + batch + " not found"), again.warnings());
        assertNull(nextBatch(c, "life", "life_cons"), "caught up");
        List<Object> after = Sql.row(c, "select last_tick, current_batch, next_tick, pending_events"
                + " from pgq.get_consumer_info('life', 'life_cons')");
        assertEquals(java.util.Arrays.asList(2L, null, null, 0L), after);

        assertEquals(1L, Sql.oneLong(c, "select pgq.unregister_consumer('life', 'life_cons')"));
        assertEquals(0L, Sql.oneLong(c, "select pgq.unregister_consumer('life', 'life_cons')"), "not subscribed any more");
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.consumer where co_name = 'life_cons'"),
                "consumer row goes with its last subscription");
        int id = (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = 'life'");
        assertEquals(1L, Sql.oneLong(c, "select pgq.drop_queue('life')"));
        assertQueueGone(c, id);
    }

    @Test
    void batchRowsHaveTheEventShapeAndComeInIdOrderNotCommitOrder(Connection c, PgDatabase db) throws SQLException {
        createTickingQueue(c, "order");
        register(c, "order", "cons");
        try (Connection a = db.connect(); Connection b = db.connect()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            long idA1 = insert(a, "order", "a", "a1"); // a's txid is assigned first, its id is smallest
            long idB = insert(b, "order", "b", "b1");
            long idA2 = insert(a, "order", "a", "a2");
            b.commit();
            a.commit();
            assertTrue(idA1 < idB && idB < idA2);
        }
        tick(c, "order");
        long batch = nextBatch(c, "order", "cons");
        try (PreparedStatement ps = c.prepareStatement("select * from pgq.get_batch_events(?)")) {
            ps.setLong(1, batch);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<String> cols = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    cols.add(md.getColumnName(i) + ":" + md.getColumnTypeName(i));
                }
                assertEquals(EVENT_COLUMNS, cols, "row shape of get_batch_events (no ev_owner)");
            }
        }
        List<Event> evs = events(c, batch);
        assertEquals(List.of("a1", "b1", "a2"), data(evs), "ordered by ev_id");
        assertEquals(evs.get(0).txid(), evs.get(2).txid(), "one producer transaction");
        assertTrue(evs.get(0).txid() < evs.get(1).txid(), "not ordered by txid either");
        finish(c, batch);
    }

    @Test
    void nextBatchReturnsTheSameBatchUntilFinished(Connection c) throws SQLException {
        createTickingQueue(c, "idem");
        register(c, "idem", "cons");
        insert(c, "idem", "t", "one");
        tick(c, "idem");
        long batch = nextBatch(c, "idem", "cons");
        List<Object> info = Sql.row(c, "select * from pgq.next_batch_info('idem', 'cons')");
        insert(c, "idem", "t", "two");
        long tick3 = tick(c, "idem");
        tick(c, "idem");
        assertEquals(batch, nextBatch(c, "idem", "cons"), "same batch while open, even after more ticks");
        assertEquals(info, Sql.row(c, "select * from pgq.next_batch_info('idem', 'cons')"));
        assertEquals(info, Sql.row(c, "select * from pgq.next_batch_custom('idem', 'cons', null, 1, '1 second')"),
                "custom thresholds do not change an open batch");
        assertEquals(List.of("one"), data(events(c, batch)));
        assertEquals(List.of("one"), data(events(c, batch)), "reading twice gives the same events");
        assertEquals(1, finish(c, batch));

        List<Object> next = Sql.row(c, "select batch_id, prev_tick_id, cur_tick_id from pgq.next_batch_info('idem', 'cons')");
        assertNotEquals(batch, next.get(0), "a new batch id after finish");
        assertEquals(List.of(2L, tick3), next.subList(1, 3), "the next batch ends at the next tick, not the newest");
        assertEquals(List.of("two"), data(events(c, ((Number) next.get(0)).longValue())));
    }

    @Test
    void emptyBatchesMustBeFinishedToGoOn(Connection c) throws SQLException {
        createTickingQueue(c, "empty");
        register(c, "empty", "cons");
        tick(c, "empty");
        tick(c, "empty");
        long b1 = nextBatch(c, "empty", "cons");
        assertEquals(List.of(), events(c, b1));
        assertEquals(b1, nextBatch(c, "empty", "cons"), "an unfinished empty batch blocks the consumer");
        assertEquals(1, finish(c, b1));
        long b2 = nextBatch(c, "empty", "cons");
        assertNotEquals(b1, b2);
        assertEquals(List.of(), events(c, b2));
        assertEquals(1, finish(c, b2));
        assertNull(nextBatch(c, "empty", "cons"));
        assertEquals(3L, Sql.oneLong(c, "select last_tick from pgq.get_consumer_info('empty', 'cons')"));
    }

    @Test
    void nextBatchCustomHonoursMinLagMinCountAndMinInterval(Connection c) throws SQLException {
        createTickingQueue(c, "cust");
        for (String cons : List.of("lag", "cnt5", "cnt9", "cnt20", "int3", "int6", "int60")) {
            register(c, "cust", cons);
        }
        for (int t = 0; t < 3; t++) {
            Sql.exec(c, "select pgq.insert_event('cust', 't', x::text) from generate_series(1, 5) x");
            tick(c, "cust");
        }
        assertEquals(List.of(List.of(1L, 1L), List.of(2L, 5L), List.of(3L, 10L), List.of(4L, 15L)),
                Sql.rows(c, "select tick_id, tick_event_seq from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue"
                        + " where queue_name = 'cust' order by 1"));
        String custom = "select batch_id, prev_tick_id, cur_tick_id from pgq.next_batch_custom('cust', ?, ?::interval, ?, ?::interval)";
        List<Object> nulls = java.util.Arrays.asList(null, null, null);

        assertEquals(nulls, Sql.row(c, custom, "lag", "1 hour", null, null), "end tick younger than min_lag");
        assertEquals(7, Sql.row(c, "select * from pgq.next_batch_custom('cust', 'lag', '1 hour', null, null)").stream()
                .filter(v -> v == null).count(), "one row, all seven columns NULL");
        assertEquals(List.of(1L, 2L), Sql.row(c, custom, "lag", "0", null, null).subList(1, 3));

        // min_count: the newest tick unless it overshoots twice, then the first that qualifies
        assertEquals(List.of(1L, 3L), Sql.row(c, custom, "cnt5", null, 5, null).subList(1, 3));
        assertEquals(List.of(1L, 4L), Sql.row(c, custom, "cnt9", null, 9, null).subList(1, 3));
        assertEquals(nulls, Sql.row(c, custom, "cnt20", null, 20, null));

        // min_interval, on tick times moved into the past
        Sql.exec(c, "update pgq.tick set tick_time = now() - case tick_id when 1 then interval '10 min'"
                + " when 2 then interval '9 min' when 3 then interval '5 min' else interval '0' end"
                + " where tick_queue = (select queue_id from pgq.queue where queue_name = 'cust')");
        assertEquals(List.of(1L, 3L), Sql.row(c, custom, "int3", null, null, "3 minutes").subList(1, 3));
        assertEquals(List.of(1L, 4L), Sql.row(c, custom, "int6", null, null, "6 minutes").subList(1, 3));
        assertEquals(nulls, Sql.row(c, custom, "int60", null, null, "1 hour"));
        // find_tick_helper directly: same answers
        int qid = (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = 'cust'");
        assertEquals(3L, Sql.oneLong(c, "select next_tick_id from pgq.find_tick_helper(?, 1, (select tick_time from pgq.tick"
                + " where tick_queue = ? and tick_id = 1), 1, 5, null)", qid, qid));
        assertNull(Sql.one(c, "select next_tick_id from pgq.find_tick_helper(?, 1, now(), 1, 100, null)", qid));
    }

    @Test
    void batchCursorReturnsTheFirstRowsAndTheRestCanBeFetched(Connection c) throws SQLException {
        createTickingQueue(c, "cursor");
        register(c, "cursor", "cons");
        Sql.exec(c, "select pgq.insert_event('cursor', case when x % 2 = 0 then 'even' else 'odd' end, x::text)"
                + " from generate_series(1, 10) x");
        tick(c, "cursor");
        long batch = nextBatch(c, "cursor", "cons");
        c.setAutoCommit(false);
        try {
            List<Event> quick = PgqOps.read(c, "select * from pgq.get_batch_cursor(?, 'my cur', 3)", batch);
            assertEquals(List.of("1", "2", "3"), data(quick));
            List<Event> rest = PgqOps.read(c, "fetch all from \"my cur\"");
            assertEquals(List.of("4", "5", "6", "7", "8", "9", "10"), data(rest));
            Sql.exec(c, "close \"my cur\"");

            List<Event> evenQuick = PgqOps.read(c, "select * from pgq.get_batch_cursor(?, 'evens', 2, ?)", batch,
                    "ev_type = 'even'");
            assertEquals(List.of("2", "4"), data(evenQuick));
            assertEquals(List.of("6", "8", "10"), data(PgqOps.read(c, "fetch all from evens")), "filter applies to FETCH too");

            assertEquals(List.of(), PgqOps.read(c, "select * from pgq.get_batch_cursor(?, 'none', 0)", batch),
                    "quick_limit 0: no rows at once");
            assertEquals(10, PgqOps.read(c, "fetch all from none").size(), "but the cursor has them all");

            assertEquals(List.of(), PgqOps.read(c, "select * from pgq.get_batch_cursor(?, 'n1', null)", batch));
            assertEquals(List.of(), PgqOps.read(c, "select * from pgq.get_batch_cursor(?, null, 5)", batch));
            assertEquals(List.of(), PgqOps.read(c, "select * from pgq.get_batch_cursor(null, 'n2', 5)"));
            assertEquals(List.of(), PgqOps.read(c, "select * from pgq.get_batch_cursor(?, null, 5, 'true')", batch));
            List<Event> wide = PgqOps.read(c, "select * from pgq.get_batch_cursor(?, 'wide', 100, null)", batch);
            assertEquals(ids(events(c, batch)), ids(wide), "4 args with NULL filter = all events");
            c.commit();
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
        finish(c, batch);
    }

    @Test
    void batchEventSqlAndTablesDescribeTheBatch(Connection c) throws SQLException {
        createTickingQueue(c, "sqltext");
        int id = (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = 'sqltext'");
        register(c, "sqltext", "cons");
        insert(c, "sqltext", "t", "x");
        tick(c, "sqltext");
        long b1 = nextBatch(c, "sqltext", "cons");
        // tick 1 was taken by the creating transaction, which is also step2: both tables
        assertEquals(List.of("pgq.event_" + id + "_2", "pgq.event_" + id + "_0"),
                Sql.column(c, "select * from pgq.batch_event_tables(?)", b1));
        String sql = Sql.str(c, "select pgq.batch_event_sql(?)", b1);
        assertTrue(sql.contains("pgq.event_" + id + "_0") && sql.contains("pgq.event_" + id + "_2"), sql);
        assertEquals(data(events(c, b1)), data(PgqOps.read(c, sql)), "the SQL reads the batch");
        finish(c, b1);
        insert(c, "sqltext", "t", "y");
        tick(c, "sqltext");
        long b2 = nextBatch(c, "sqltext", "cons");
        assertEquals(List.of("pgq.event_" + id + "_0"), Sql.column(c, "select * from pgq.batch_event_tables(?)", b2),
                "a batch starting after step2 reads only the current table");
        assertEquals(List.of("y"), data(PgqOps.read(c, Sql.str(c, "select pgq.batch_event_sql(?)", b2))));
        assertFalse(Sql.str(c, "select pgq.batch_event_sql(?)", b2).contains(" in ("), "no old transactions");
        finish(c, b2);
    }

    @Test
    void registerConsumerAtRepositionsAndDropsTheOpenBatch(Connection c) throws SQLException {
        createTickingQueue(c, "rewind");
        register(c, "rewind", "cons");
        insert(c, "rewind", "t", "a");
        tick(c, "rewind");
        long b = nextBatch(c, "rewind", "cons");
        assertEquals(List.of("a"), data(events(c, b)));
        finish(c, b);
        insert(c, "rewind", "t", "b");
        tick(c, "rewind");
        nextBatch(c, "rewind", "cons");
        assertEquals(0L, Sql.oneLong(c, "select pgq.register_consumer_at('rewind', 'cons', 1)"), "existing: 0");
        assertEquals(java.util.Arrays.asList(1L, null, null), Sql.row(c, "select last_tick, current_batch, next_tick"
                + " from pgq.get_consumer_info('rewind', 'cons')"), "repositioned, open batch dropped");
        assertEquals(List.of("a", "b"), data(PgqOps.drainEvents(c, "rewind", "cons")), "events re-read from tick 1");
        assertEquals(1L, Sql.oneLong(c, "select pgq.register_consumer_at('rewind', 'late', 2)"));
        assertEquals(List.of("b"), data(PgqOps.drainEvents(c, "rewind", "late")), "new consumer at tick 2");
        assertEquals(1L, register(c, "rewind", "newest"));
        assertEquals(3L, Sql.oneLong(c, "select last_tick from pgq.get_consumer_info('rewind', 'newest')"),
                "register_consumer starts at the latest tick");
    }

    @Test
    void dropQueueRefusesWithConsumersUnlessForced(Connection c) throws SQLException {
        createTickingQueue(c, "dropme");
        createTickingQueue(c, "keepme");
        int id = (Integer) Sql.one(c, "select queue_id from pgq.queue where queue_name = 'dropme'");
        register(c, "dropme", "only_here");
        register(c, "dropme", "shared");
        register(c, "keepme", "shared");
        insert(c, "dropme", "t", "x");
        tick(c, "dropme");
        long b = nextBatch(c, "dropme", "only_here");
        assertEquals(1L, Sql.oneLong(c, "select pgq.event_retry(?, ?, 3600)", b, events(c, b).get(0).id()));
        finish(c, b);
        PgqOps.assertPgqError("cannot drop queue, consumers still attached", c, "select pgq.drop_queue('dropme')");
        PgqOps.assertPgqError("cannot drop queue, consumers still attached", c, "select pgq.drop_queue('dropme', false)");
        assertEquals(1L, Sql.oneLong(c, "select count(*) from pgq.queue where queue_name = 'dropme'"), "nothing dropped");

        assertEquals(1L, Sql.oneLong(c, "select pgq.drop_queue('dropme', true)"));
        assertQueueGone(c, id);
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.retry_queue where ev_queue = ?", id), "retries gone");
        assertEquals(List.of("shared"), Sql.column(c, "select co_name from pgq.consumer where co_name in"
                + " ('only_here', 'shared')"), "a consumer with another subscription stays");
        assertEquals(1L, Sql.oneLong(c, "select count(*) from pgq.get_consumer_info('keepme', 'shared')"));
        PgqOps.assertPgqError("No such event queue", c, "select pgq.drop_queue('dropme', true)");
    }

    @Test
    void queueInfoHasTypedColumnsAndOneRowPerQueue(Connection c) throws SQLException {
        createTickingQueue(c, "info_a");
        createTickingQueue(c, "info_b");
        Sql.exec(c, "select pgq.insert_event('info_a', 't', x::text) from generate_series(1, 4) x");
        try (PreparedStatement ps = c.prepareStatement("select * from pgq.get_queue_info('info_a')");
             ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> cols = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                cols.add(md.getColumnName(i) + ":" + md.getColumnTypeName(i));
            }
            assertEquals(List.of("queue_name:text", "queue_ntables:int4", "queue_cur_table:int4",
                    "queue_rotation_period:interval", "queue_switch_time:timestamptz", "queue_external_ticker:bool",
                    "queue_ticker_paused:bool", "queue_ticker_max_count:int4", "queue_ticker_max_lag:interval",
                    "queue_ticker_idle_period:interval", "ticker_lag:interval", "ev_per_sec:float8", "ev_new:int8",
                    "last_tick_id:int8"), cols);
            assertTrue(rs.next());
            assertEquals("info_a", rs.getString("queue_name"));
            assertEquals(4L - 1, rs.getLong("ev_new"), "event seq last_value 4 - tick 1's seq 1");
            assertEquals(1L, rs.getLong("last_tick_id"));
            assertFalse(rs.next());
        }
        List<Object> names = Sql.column(c, "select queue_name from pgq.get_queue_info() where queue_name like 'info_%'");
        assertEquals(List.of("info_a", "info_b"), names, "ordered by name");
        assertEquals(0, Sql.rows(c, "select * from pgq.get_queue_info('no such')").size(), "unknown: no rows");
        assertEquals(0, Sql.rows(c, "select * from pgq.get_consumer_info('no such')").size());
        assertEquals(0, Sql.rows(c, "select * from pgq.get_consumer_info('info_a', 'nobody')").size());
        assertTrue(Sql.str(c, "select pgq.version()").startsWith("3"), "pgqd needs a version starting with 3");
    }

    private static void assertQueueGone(Connection c, int id) throws SQLException {
        String pfx = "pgq.event_" + id;
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.queue where queue_id = ?", id));
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.tick where tick_queue = ?", id));
        assertEquals(0L, Sql.oneLong(c, "select count(*) from pgq.subscription where sub_queue = ?", id));
        for (String rel : List.of(pfx, pfx + "_0", pfx + "_1", pfx + "_2", pfx + "_id_seq", pfx + "_tick_seq")) {
            assertNull(Sql.one(c, "select to_regclass(?)", rel), rel + " dropped");
        }
    }
}
