package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pgqjava.pgq.PgqOps.insert;
import static org.pgqjava.pgq.PgqOps.nextBatch;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * The ids users see in a fresh install (reference §1.7, §6): queue, tick, event and batch ids
 * start at 1; a rejected insert consumes an event id; a dropped queue's id is not reused;
 * force_tick advances the event sequence by 2 * ticker_max_count + 1000. One test only: it needs
 * the class database untouched.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class FreshInstallIdsIT {

    @Test
    void idsStartAtOneAndAreConsumedAsInPgq(Connection c) throws SQLException {
        assertEquals(1L, Sql.oneLong(c, "select pgq.create_queue('first')"));
        assertEquals(List.of(1, "pgq.event_1"), Sql.row(c, "select queue_id, queue_data_pfx from pgq.queue"));
        assertEquals(List.of(List.of(1, 1L, 1L)), Sql.rows(c, "select tick_queue, tick_id, tick_event_seq from pgq.tick"));
        assertEquals(1L, register(c, "first", "cons"));
        assertEquals(List.of(1, 1), Sql.row(c, "select co_id, sub_id from pgq.consumer, pgq.subscription"));

        assertEquals(1L, insert(c, "first", "t", "a"));
        // a rejected insert still takes an id: 1, error, 3
        Sql.exec(c, "update pgq.queue set queue_disable_insert = true");
        Sql.error(c, "select pgq.insert_event('first', 't', 'rejected')");
        Sql.exec(c, "update pgq.queue set queue_disable_insert = false");
        assertEquals(3L, insert(c, "first", "t", "b"));
        Sql.exec(c, "update pgq.queue set queue_per_tx_limit = 0");
        Sql.error(c, "select pgq.insert_event('first', 't', 'over the limit')");
        Sql.exec(c, "update pgq.queue set queue_per_tx_limit = null");
        assertEquals(5L, insert(c, "first", "t", "c"));

        // ticker_max_count 500: the next nextval (6) plus 2 * 500 + 1000
        assertEquals(1L, Sql.oneLong(c, "select pgq.force_tick('first')"), "force_tick gives the last tick, does not tick");
        assertEquals(6L + 2000, Sql.oneLong(c, "select last_value from pgq.event_1_id_seq"));
        assertEquals(2L, Sql.oneLong(c, "select pgq.ticker('first')"), "ticks at once: many new events");
        assertEquals(2L, Sql.oneLong(c, "select pgq.force_tick('first')"));
        assertEquals(2006L + 1 + 2000, Sql.oneLong(c, "select last_value from pgq.event_1_id_seq"));
        Sql.exec(c, "select pgq.set_queue_config('first', 'ticker_max_count', '10')");
        assertEquals(2L, Sql.oneLong(c, "select pgq.force_tick('first')"));
        assertEquals(4007L + 1 + 2 * 10 + 1000, Sql.oneLong(c, "select last_value from pgq.event_1_id_seq"));

        assertEquals(1L, nextBatch(c, "first", "cons"), "batch ids start at 1");
        assertEquals(List.of(1L, 3L, 5L), PgqOps.ids(PgqOps.events(c, 1L)));
        PgqOps.finish(c, 1L);
        assertEquals(3L, tick(c, "first"));
        assertEquals(2L, nextBatch(c, "first", "cons"));

        // queue ids are not reused: a dropped first queue leaves the next one with id 2
        assertEquals(1L, Sql.oneLong(c, "select pgq.drop_queue('first', true)"));
        assertEquals(1L, Sql.oneLong(c, "select pgq.create_queue('second')"));
        assertEquals(List.of(2, "pgq.event_2", "pgq.event_2_id_seq", "pgq.event_2_tick_seq"),
                Sql.row(c, "select queue_id, queue_data_pfx, queue_event_seq, queue_tick_seq from pgq.queue"));
        assertEquals("pgq.event_2_0", Sql.str(c, "select pgq.current_event_table('second')"));
        assertEquals(1L, insert(c, "second", "t", "x"), "each queue has its own event ids");
        assertEquals(1L, Sql.oneLong(c, "select tick_id from pgq.tick where tick_queue = 2"));
        // queue_event_seq is a name nextval accepts (admin scripts do this)
        assertEquals(2L, Sql.oneLong(c, "select nextval(queue_event_seq) from pgq.queue"));
        assertEquals(1L, register(c, "second", "cons"));
        assertEquals(2, Sql.one(c, "select sub_id from pgq.subscription"), "subscription ids are not reused either");
    }
}
