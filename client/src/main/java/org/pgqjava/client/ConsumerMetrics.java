package org.pgqjava.client;

import java.time.Duration;

/**
 * What a consumer reports about its batches, for metrics. {@link MicrometerConsumerMetrics}
 * reports to a Micrometer registry; implement it for another metrics library. Called on the
 * consumer's thread: keep it quick, and do not throw.
 */
public interface ConsumerMetrics {

    /** Reports nothing. */
    ConsumerMetrics NONE = new ConsumerMetrics() {
        @Override
        public void batchDone(Consumer consumer, long events, int retried, Duration handling, Duration lag) {
        }

        @Override
        public void batchFailed(Consumer consumer, Throwable failure) {
        }
    };

    /**
     * A batch was finished.
     *
     * @param events   events read from it
     * @param retried  events given back (retry)
     * @param handling from taking the batch to its commit
     * @param lag      how old the batch's end tick was when the batch was finished: how far the
     *                 consumer is behind the queue
     */
    void batchDone(Consumer consumer, long events, int retried, Duration handling, Duration lag);

    /** Handling a batch failed (it comes again). */
    void batchFailed(Consumer consumer, Throwable failure);
}
