package org.pgqjava.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.client.ClientTests.createTickingQueue;
import static org.pgqjava.client.ClientTests.tick;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * A batch of 1 M events of 200 bytes (~200 MB of payload, ~500 MB as Java strings) consumed by a
 * consumer whose JVM has a 32 MB heap: it only works if the events are streamed in chunks.
 */
@PgTest(setup = PgqTemplate.class)
class BoundedMemoryIT {

    static final int EVENTS = 1_000_000;

    @Test
    void aMillionEventBatchInA32MbHeap(Connection c, PgDatabase db) throws Exception {
        createTickingQueue(c, "q_big");
        Sql.exec(c, "select pgq.register_consumer('q_big', 'c')");
        for (int i = 0; i < EVENTS / 100_000; i++) {
            Sql.exec(c, "select pgq.insert_events('q_big', array(select 't'::text from generate_series(1, 100000)),"
                    + " array(select repeat('x', 190) || to_char(g, 'FM0000000000') from generate_series(1, 100000) g))");
        }
        tick(c, "q_big");
        long idsum = Sql.oneLong(c, "select sum(ev_id)::bigint from pgq.event_" 
                + Sql.oneLong(c, "select queue_id from pgq.queue where queue_name = 'q_big'") + "_0");
        Process p = ConsumerMain.command("32m", db.jdbcUrl(), "q_big", "c", "count", String.valueOf(EVENTS)).start();
        String out;
        try {
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the consumer finished");
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("count=" + EVENTS + " idsum=" + idsum), out);
        assertEquals(1L, Sql.oneLong(c, "select count(*) from pgq.get_consumer_info('q_big', 'c') where pending_events = 0"
                + " or pending_events is null"), "and finished the batch");
    }
}
