package org.pgqjava.launcher;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.slf4j.Logger;

/**
 * What one loop (ticker or maintenance) of one database last saw, so that the log tells each
 * change once: the first failure, a different failure, the recovery (with how many attempts
 * failed and for how long). The same failure again, every second while a database is down,
 * goes to the debug level only.
 */
final class Health {

    enum State {
        STARTING, OK, NO_PGQ, FAILING
    }

    private final Logger log;
    private final String prefix;   // "<db>: ticker"
    private final LongSupplier nanoClock;
    private volatile State state = State.STARTING;   // volatile: the metrics endpoint reads it
    private volatile String problem;
    private int failures;
    private long troubleSince;

    Health(Logger log, String prefix, LongSupplier nanoClock) {
        this.log = log;
        this.prefix = prefix;
        this.nanoClock = nanoClock;
    }

    State state() {
        return state;
    }

    int failures() {
        return failures;
    }

    /** What is wrong, null while the loop works. */
    String problem() {
        return problem;
    }

    /** The loop did its work; logs the recovery if it was failing. */
    void ok() {
        if (state == State.FAILING || state == State.NO_PGQ) {
            log.info("{}: working again after {} failed attempt(s) in {} s", prefix, failures,
                    Durations.seconds(Duration.ofMillis((nanoClock.getAsLong() - troubleSince) / 1_000_000)));
        }
        state = State.OK;
        problem = null;
        failures = 0;
    }

    /**
     * The loop failed with {@code message} and waits {@code retryIn}; true if this was logged (a
     * new state or a different message), false if it only went to the debug level.
     */
    boolean failed(String message, Duration retryIn) {
        return trouble(State.FAILING, message, retryIn, true);
    }

    /** The database has no usable pgq: {@code message} says why; checked again in {@code retryIn}. */
    boolean noPgq(String message, Duration retryIn) {
        return trouble(State.NO_PGQ, message, retryIn, false);
    }

    private boolean trouble(State s, String message, Duration retryIn, boolean error) {
        if (state != State.FAILING && state != State.NO_PGQ) {
            troubleSince = nanoClock.getAsLong();
            failures = 0;
        }
        failures++;
        boolean news = state != s || !message.equals(problem);
        state = s;
        problem = message;
        if (news) {
            String again = s == State.FAILING ? "retrying in " + Durations.seconds(retryIn) + " s, then every "
                    + Durations.seconds(Backoff.MAX) + " s at most; repeats are not logged"
                    : "checking again every " + Durations.seconds(retryIn) + " s";
            if (error) {
                log.error("{}: {} ({})", prefix, message, again);
            } else {
                log.warn("{}: {} ({})", prefix, message, again);
            }
        } else {
            log.debug("{}: failed again ({} attempts): {}", prefix, failures, message);
        }
        return news;
    }
}
