package org.pgqjava.pljvm.internal;

/**
 * Turns a pending query cancel, statement_timeout or termination into Thread.interrupt() of the
 * backend thread while it runs Java, so blocking waits (sleep, wait, take, ...) end.
 *
 * <p>Polls: every {@value #BUSY_MS} ms while Java runs, every {@value #IDLE_MS} ms otherwise, which
 * keeps an idle backend at a few wakeups a second. It reads only flags; it never calls into
 * PostgreSQL.
 */
final class Watchdog implements Runnable {
    static final long BUSY_MS = 20;
    static final long IDLE_MS = 200;

    private final Thread backend;

    Watchdog(Thread backend) {
        this.backend = backend;
    }

    @Override
    public void run() {
        for (;;) {
            try {
                Thread.sleep(Natives.inJava() ? BUSY_MS : IDLE_MS);
                Natives.watchdogInterrupt(backend);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable t) {
                // Keep watching: an OutOfMemoryError here must not end the watchdog for good.
            }
        }
    }
}
