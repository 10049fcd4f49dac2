package org.pgqjava.pljvm.internal;

/**
 * JVM bootstrap, called once by the C host right after JNI_CreateJavaVM, on the backend thread,
 * while PostgreSQL's signals are still blocked (so the watchdog thread inherits that mask and
 * never runs a PostgreSQL signal handler).
 */
public final class Backend {
    private static Thread backendThread;
    private static ClassLoader jarParent;

    private Backend() {
    }

    /**
     * Starts the watchdog and, if asked, checks that the exit guard is in place.
     *
     * @param guarded pljvm.exit_guard: only then is the guard looked at (looking loads
     *                SecurityManager, whose initialisation costs some 15 ms of start-up)
     * @param ownClassPathOnly pljvm's classes are boot classes and the application class path
     *                holds only pljvm.jar: the stored jars' loaders then delegate to the platform
     *                loader, and no lookup of one of their classes searches pljvm.jar in vain
     * @return null if all is well, else a warning for the server log
     */
    public static String init(boolean guarded, boolean ownClassPathOnly) {
        backendThread = Thread.currentThread();
        jarParent = ownClassPathOnly ? ClassLoader.getPlatformClassLoader() : ClassLoader.getSystemClassLoader();
        Thread watchdog = new Thread(new Watchdog(backendThread), "pljvm-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        return guarded ? ExitGuard.check() : null;
    }

    /** Whether the JVM runs with class-data sharing (HotSpot says so in java.vm.info). */
    public static boolean sharing() {
        String info = System.getProperty("java.vm.info");
        return info != null && info.contains("sharing");
    }

    /** Clears the backend thread's interrupt flag, after the watchdog interrupted it. */
    public static void clearInterrupt() {
        Thread.interrupted();
    }

    /** The parent of the stored jars' class loaders. */
    static ClassLoader jarParent() {
        return jarParent;
    }

    static Thread backendThread() {
        return backendThread;
    }
}
