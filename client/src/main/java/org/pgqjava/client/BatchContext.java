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
     * The consumer's connection, in the batch's transaction: what the handler writes through it
     * commits together with {@code pgq.finish_batch}, so a handler that writes into the queue's
     * own database gets each batch applied exactly once. Do not commit, roll back or close it.
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
