package org.pgqjava.client;

import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * One event of a batch, as {@code pgq.get_batch_events} returns it.
 *
 * @param id     {@code ev_id}: unique in its queue
 * @param time   {@code ev_time}: when the producer queued it (its transaction's time)
 * @param txid   {@code ev_txid}: the producer's transaction id
 * @param retry  {@code ev_retry}: how often it has been retried, {@code null} before its first retry
 * @param type   {@code ev_type}
 * @param data   {@code ev_data}, the payload as text
 * @param extra1 {@code ev_extra1} (the triggers put the table name here)
 * @param extra2 {@code ev_extra2}
 * @param extra3 {@code ev_extra3}
 * @param extra4 {@code ev_extra4}
 */
public record Event(long id, OffsetDateTime time, long txid, Integer retry, String type, String data,
                    String extra1, String extra2, String extra3, String extra4) {

    /** The payload decoded by {@code codec} (the one the producer encoded it with). */
    public <T> T data(Codec<T> codec) {
        Objects.requireNonNull(codec, "codec");
        return data == null ? null : codec.decode(data);
    }

    /** The extras as one value. */
    public Extras extras() {
        return new Extras(extra1, extra2, extra3, extra4);
    }

    /** How often this event was retried before: 0 for the first delivery. */
    public int retryCount() {
        return retry == null ? 0 : retry;
    }
}
