package org.pgqjava.pljvm.internal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Conversions the C host delegates to Java. */
public final class Conv {
    /** Seconds from 1970-01-01 to 2000-01-01, PostgreSQL's timestamp epoch. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private Conv() {
    }

    /** timestamptz (microseconds since 2000-01-01 UTC; Long.MIN/MAX are ±infinity) to Java. */
    public static OffsetDateTime timestampFromPg(long micros) {
        if (micros == Long.MAX_VALUE) {
            return OffsetDateTime.MAX;
        } else if (micros == Long.MIN_VALUE) {
            return OffsetDateTime.MIN;
        }
        long seconds = Math.floorDiv(micros, 1_000_000L) + PG_EPOCH_SECONDS;
        long nanos = Math.floorMod(micros, 1_000_000L) * 1_000L;
        return OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds, nanos), ZoneOffset.UTC);
    }

    /** Java to timestamptz microseconds; OffsetDateTime.MAX/MIN give ±infinity. */
    public static long timestampToPg(OffsetDateTime t) {
        if (t.equals(OffsetDateTime.MAX)) {
            return Long.MAX_VALUE;
        } else if (t.equals(OffsetDateTime.MIN)) {
            return Long.MIN_VALUE;
        }
        Instant i = t.toInstant();
        long seconds = Math.subtractExact(i.getEpochSecond(), PG_EPOCH_SECONDS);
        return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), i.getNano() / 1_000L);
    }
}
