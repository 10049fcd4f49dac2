package org.pgqjava.client;

/**
 * Handles a whole batch. The events come in {@code ev_id} order and are read from the server in
 * chunks while the handler iterates, so a batch of any size fits in bounded memory; they can be
 * iterated once.
 *
 * <p>Returning normally finishes the batch (after the retries the handler asked for). Throwing
 * rolls the batch's transaction back: nothing the handler wrote through
 * {@link BatchContext#connection()} stays, and the same batch comes again after the consumer's
 * back-off.
 */
@FunctionalInterface
public interface BatchHandler {

    void handle(Iterable<Event> events, BatchContext context) throws Exception;
}
