package org.pgqjava.pljvm.internal;

/**
 * JVM bootstrap, called once by the C host right after JNI_CreateJavaVM, on the backend thread,
 * while PostgreSQL's signals are still blocked (so the watchdog thread inherits that mask and
 * never runs a PostgreSQL signal handler).
 */
public final class Backend {
    private static Thread backendThread;

    private Backend() {
    }

    /**
     * Starts the watchdog and checks that the exit guard is in place.
     *
     * @return null if all is well, else a warning for the server log
     */
    public static String init() {
        backendThread = Thread.currentThread();
        Thread watchdog = new Thread(new Watchdog(backendThread), "pljvm-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        return ExitGuard.check();
    }

    /** Clears the backend thread's interrupt flag, after the watchdog interrupted it. */
    public static void clearInterrupt() {
        Thread.interrupted();
    }

    static Thread backendThread() {
        return backendThread;
    }
}
