package org.pgqjava.client;

import java.time.OffsetDateTime;

/**
 * A batch as {@code pgq.next_batch_info} describes it: the events committed between two ticks of
 * the queue that this consumer has not finished yet.
 *
 * @param id               the batch id ({@code pgq.finish_batch} takes it)
 * @param tickId           the tick that ends the batch
 * @param prevTickId       the tick it starts after (the consumer's position until it finishes)
 * @param tickTime         when the ending tick was taken
 * @param prevTickTime     when the starting tick was taken
 * @param tickEventSeq     the queue's event sequence at the ending tick
 * @param prevTickEventSeq the queue's event sequence at the starting tick
 */
public record Batch(long id, long tickId, long prevTickId, OffsetDateTime tickTime, OffsetDateTime prevTickTime,
                    long tickEventSeq, long prevTickEventSeq) {
}
