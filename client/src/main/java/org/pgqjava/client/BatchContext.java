package org.pgqjava.client;

import java.sql.Connection;
import java.time.Duration;

/**
 * What a handler may do with the batch it is given. Valid only during the handler's call.
 */
public interface BatchContext {

    Batch batch();

    String queue();

    String consumer();

    /**
     * Where the handler writes, in the batch's transaction. Usually the consumer's connection to
     * the queue's database: what the handler writes through it commits together with
     * {@code pgq.finish_batch}, so each batch is applied there exactly once. In exactly-once mode
     * ({@link Consumer.Builder#exactlyOnceInto}) the target database's connection: its
     * transaction commits with the batch's record in {@code pgq_client.completed_batch}, before
     * the batch is finished in the queue. Do not commit, roll back or close it.
     */
    Connection connection();

    /**
     * Gives the event back to the queue, to come again to this consumer after {@code delay}
     * ({@code pgq.event_retry}, applied just before the batch is finished). Its retry count is one
     * higher then. The other events of the batch count as done.
     */
    void retry(Event event, Duration delay);

    /** Whether the consumer has been asked to stop; a long handler may end its batch early by throwing. */
    boolean stopRequested();
}
