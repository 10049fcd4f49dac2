package org.pgqjava.launcher;

import java.time.Duration;

/**
 * Wait before reconnecting after a failure: 1 s, doubling up to 30 s; back to 1 s after a
 * success. A database that restarts is back within a second or two of coming up; one that is
 * down for long costs a connection attempt every 30 s.
 */
final class Backoff {

    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofSeconds(30);

    private Duration next = FIRST;

    /** The wait after this failure; the next one is twice as long, at most {@link #MAX}. */
    Duration next() {
        Duration d = next;
        next = next.multipliedBy(2).compareTo(MAX) > 0 ? MAX : next.multipliedBy(2);
        return d;
    }

    void reset() {
        next = FIRST;
    }
}
