package org.pgqjava.client;

import java.util.Objects;

/**
 * An event to queue with {@link Producer#sendAll}: its type, its payload and its extras.
 *
 * @param <T> the payload type of the producer's codec
 */
public record Message<T>(String type, T payload, Extras extras) {

    public Message {
        Objects.requireNonNull(extras, "extras (use Extras.NONE)");
    }

    /** A message without extras. */
    public static <T> Message<T> of(String type, T payload) {
        return new Message<>(type, payload, Extras.NONE);
    }
}
