package org.pgqjava.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Consumer metrics in a Micrometer registry (needs micrometer-core on the class path; pgq-client
 * declares it optional). Meters, each tagged {@code queue} and {@code consumer} (the
 * sub-consumer's full name {@code consumer.sub} in cooperative mode):
 * <ul>
 * <li>{@code pgq.consumer.batches} (counter, tag {@code outcome}: {@code done} or {@code failed})</li>
 * <li>{@code pgq.consumer.events} (counter): events read from finished batches</li>
 * <li>{@code pgq.consumer.retries} (counter): events given back</li>
 * <li>{@code pgq.consumer.batch.duration} (timer): from taking a batch to its commit</li>
 * <li>{@code pgq.consumer.lag} (gauge, seconds): age of the last finished batch's end tick</li>
 * </ul>
 */
public final class MicrometerConsumerMetrics implements ConsumerMetrics {

    private final MeterRegistry registry;
    private final Map<Consumer, Meters> meters = new ConcurrentHashMap<>();

    private MicrometerConsumerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Metrics into {@code registry}. */
    public static MicrometerConsumerMetrics of(MeterRegistry registry) {
        return new MicrometerConsumerMetrics(java.util.Objects.requireNonNull(registry, "registry"));
    }

    @Override
    public void batchDone(Consumer consumer, long events, int retried, Duration handling, Duration lag) {
        Meters m = meters(consumer);
        m.done.increment();
        m.events.increment(events);
        m.retries.increment(retried);
        m.duration.record(handling);
        m.lagMillis.set(lag.toMillis());
    }

    @Override
    public void batchFailed(Consumer consumer, Throwable failure) {
        meters(consumer).failed.increment();
    }

    private Meters meters(Consumer consumer) {
        return meters.computeIfAbsent(consumer, c -> new Meters(registry, Tags.of("queue", c.queue(), "consumer", c.fullName())));
    }

    /** One consumer's meters. */
    private static final class Meters {
        final Counter done;
        final Counter failed;
        final Counter events;
        final Counter retries;
        final Timer duration;
        final AtomicLong lagMillis = new AtomicLong();

        Meters(MeterRegistry r, Tags tags) {
            done = Counter.builder("pgq.consumer.batches").tags(tags).tag("outcome", "done")
                    .description("batches finished").register(r);
            failed = Counter.builder("pgq.consumer.batches").tags(tags).tag("outcome", "failed")
                    .description("batches whose handling failed (they come again)").register(r);
            events = Counter.builder("pgq.consumer.events").tags(tags).description("events read from finished batches").register(r);
            retries = Counter.builder("pgq.consumer.retries").tags(tags).description("events given back for a retry").register(r);
            duration = Timer.builder("pgq.consumer.batch.duration").tags(tags)
                    .description("from taking a batch to its commit").register(r);
            Gauge.builder("pgq.consumer.lag", lagMillis, v -> v.get() / 1000.0).tags(tags).baseUnit("seconds")
                    .description("age of the last finished batch's end tick").register(r);
        }
    }
}
