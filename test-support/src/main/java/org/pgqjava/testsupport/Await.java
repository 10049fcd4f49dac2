package org.pgqjava.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;

/** Waiting for a condition in a test: polls it with a deadline, never a bare sleep. */
public final class Await {
    /** Between two looks at the condition: short against the timeouts tests use (seconds). */
    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /** A condition to wait for; may query the database. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Returns as soon as {@code condition} holds; fails the test naming {@code what} once
     * {@code timeout} has passed. An exception of the condition fails the test at once (a
     * checked one wrapped in an AssertionError): a condition that cannot be checked never holds.
     */
    public static void until(String what, Duration timeout, Condition condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check(what, condition)) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for: " + what);
            }
        }
    }

    private static boolean check(String what, Condition condition) {
        try {
            return condition.holds();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("cannot check whether " + what + ": " + e, e);
        }
    }
}
