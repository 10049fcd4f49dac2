package org.pgqjava.client;

/**
 * Handles one event of a batch at a time. Returning normally marks the event done. An exception
 * fails the whole batch (rolled back, delivered again after the back-off) unless the consumer was
 * built with {@link Consumer.Builder#retryFailedEvents}, in which case only that event is retried.
 */
@FunctionalInterface
public interface EventHandler {

    void handle(Event event, BatchContext context) throws Exception;
}
