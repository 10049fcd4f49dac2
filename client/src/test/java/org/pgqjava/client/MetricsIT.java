package org.pgqjava.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.client.ClientTests.createTickingQueue;
import static org.pgqjava.client.ClientTests.dataSource;
import static org.pgqjava.client.ClientTests.insertMany;
import static org.pgqjava.client.ClientTests.tick;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/** The consumer's Micrometer meters: batches done and failed, events, retries, duration, lag. */
@PgTest(setup = PgqTemplate.class)
class MetricsIT {

    @Test
    void aConsumerCountsItsBatchesEventsAndRetries(Connection c, PgDatabase db) throws Exception {
        createTickingQueue(c, "q_m");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicBoolean failOnce = new AtomicBoolean(true);
        Consumer consumer = Consumer.builder(dataSource(db.jdbcUrl()), "q_m", "c").eventHandler((e, ctx) -> {
            if (e.data().equals("a3") && failOnce.getAndSet(false)) {
                throw new IllegalStateException("once");
            }
            if (e.data().equals("a5")) {
                ctx.retry(e, Duration.ofHours(1));
            }
        }).metrics(MicrometerConsumerMetrics.of(registry)).build();
        consumer.register();
        insertMany(c, "q_m", "t", "a", 10);
        tick(c, "q_m");
        assertThrows(IllegalStateException.class, consumer::handleNextBatch);
        assertTrue(consumer.handleNextBatch());
        insertMany(c, "q_m", "t", "b", 5);
        tick(c, "q_m");
        assertTrue(consumer.handleNextBatch());
        assertFalse(consumer.handleNextBatch());
        consumer.close();

        assertEquals(2.0, registry.get("pgq.consumer.batches").tags("queue", "q_m", "consumer", "c", "outcome", "done")
                .counter().count());
        assertEquals(1.0, registry.get("pgq.consumer.batches").tags("outcome", "failed").counter().count());
        assertEquals(15.0, registry.get("pgq.consumer.events").counter().count());
        assertEquals(1.0, registry.get("pgq.consumer.retries").counter().count());
        assertEquals(2L, registry.get("pgq.consumer.batch.duration").timer().count());
        double lag = registry.get("pgq.consumer.lag").gauge().value();
        assertTrue(lag >= 0 && lag < 60, "lag of the last batch in seconds: " + lag);
    }
}
