package org.pgqjava.pljvm.internal;

import org.pgqjava.pljvm.Result;

/**
 * The native methods of the C host (bound with RegisterNatives when the JVM starts) and the
 * constants it shares with Java. {@code javac -h} turns this class into the C header
 * {@code org_pgqjava_pljvm_internal_Natives.h}, so the two sides cannot drift.
 *
 * <p>Not API. Every method except {@link #interruptPending}, {@link #inJava},
 * {@link #watchdogShouldInterrupt} and {@link #isBackendThread} runs only on the backend thread
 * inside a pljvm call and throws {@link IllegalStateException} elsewhere.
 */
public final class Natives {
    /* Type codes: the SQL types pljvm converts; T_ARRAY is or-ed in for one-dimensional arrays. */
    public static final int T_OTHER = 0;
    public static final int T_INT2 = 1;
    public static final int T_INT4 = 2;
    public static final int T_INT8 = 3;
    public static final int T_FLOAT4 = 4;
    public static final int T_FLOAT8 = 5;
    public static final int T_BOOL = 6;
    public static final int T_TEXT = 7;
    public static final int T_BYTEA = 8;
    public static final int T_TIMESTAMPTZ = 9;
    public static final int T_VOID = 10;
    public static final int T_RECORD = 11;
    /** The result of a trigger function ({@code RETURNS trigger}). */
    public static final int T_TRIGGER = 12;
    public static final int T_ARRAY = 0x100;

    /* How a parameter or return value is passed: a Java primitive (or primitive array) or an object. */
    public static final int KIND_OBJECT = 0;
    public static final int KIND_PRIMITIVE = 1;
    /** An argument passed unconverted, as an {@link org.pgqjava.pljvm.SqlArg} (parameters only). */
    public static final int KIND_SQLARG = 2;

    /* Levels for report(). */
    public static final int LEVEL_LOG = 1;
    public static final int LEVEL_NOTICE = 2;
    public static final int LEVEL_WARNING = 3;

    private Natives() {
    }

    /** InterruptPending: any interrupt (cancel, timeout, termination, or a harmless one) waits. */
    public static native boolean interruptPending();

    /** Runs CHECK_FOR_INTERRUPTS; an interrupt that ends the statement comes back as PgException. */
    public static native void checkInterrupts();

    public static native void report(int level, String message);

    public static native boolean isBackendThread();

    /** MyProc->lxid: identifies the current transaction within this backend. */
    public static native long localTransactionId();

    /** GetCurrentSubTransactionId(): identifies the subtransaction within the transaction. */
    public static native long subtransactionId();

    /** Whether a relation of this SQL name (qualified, quoted as needed) exists: a catalog lookup, no query. */
    public static native boolean relationExists(String name);

    /** Relation cache invalidations taken in by this backend (pljvm's relcache callback counts them). */
    public static native long relationInvalidations();

    /** GetTopTransactionId(): gives the transaction its id now, if it has none. */
    public static native void assignTransactionId();

    /** IsolationUsesXactSnapshot(): REPEATABLE READ or SERIALIZABLE. */
    public static native boolean usesTransactionSnapshot();

    /** SPI_prepare + SPI_keepplan; returns a handle for executePlan / freePlan. */
    public static native int prepare(String sql, String[] argTypes);

    public static native Result executePlan(int handle, Object[] args, boolean sqlargs);

    /** Executes a plan for its row count (SPI_processed) only: no Java objects for rows. */
    public static native long executePlanCount(int handle, Object[] args, boolean sqlargs);

    /** Executes a plan and returns the integer in column 1 of row 1 (no row or NULL: SQL error P0002). */
    public static native long executePlanLong(int handle, Object[] args, boolean sqlargs, boolean orNone, long none);

    public static native void freePlan(int handle);

    public static native Result executeOnce(String sql, String[] argTypes, Object[] args, boolean sqlargs);

    /** BeginInternalSubTransaction; returns a token for commit / rollback. */
    public static native int beginSubtransaction();

    public static native void commitSubtransaction(int token);

    /** Rolls back; clears the call's pending SQL error if it happened inside. */
    public static native void rollbackSubtransaction(int token);

    /*
     * The rows of a running trigger call (its serial): which is TriggerData.OLD or NEW; columns by
     * attribute number, as TriggerColumns holds them.
     */

    public static native Object triggerValue(long serial, int which, int attnum, int code);

    public static native String triggerText(long serial, int which, int attnum);

    /** json: dates and times as to_json writes them (ISO 8601 with T), other types as text. */
    public static native String[] triggerTexts(long serial, int which, int[] attnums, boolean json);

    public static native boolean[] triggerNulls(long serial, int which, int[] attnums);

    /**
     * Per column of a row-level UPDATE: old and new differ, by stored bytes, or with byValue by
     * the type's equality operator (arrays and types without one by their text output).
     */
    public static native boolean[] triggerChanges(long serial, int[] attnums, boolean byValue);

    /**
     * The texts of the columns as one String; each value's [start, end) in UTF-16 units into
     * bounds (2 per column; -1, -1 for NULL). json as for triggerTexts.
     */
    public static native String triggerTextBlock(long serial, int which, int[] attnums, boolean json, int[] bounds);

    /** triggerChanges for one column. */
    public static native boolean triggerChanged(long serial, int attnum, boolean byValue);

    /** SessionReplicationRole: 0 origin, 1 replica, 2 local. */
    public static native int sessionReplicationRole();

    /** SqlFunction: the handle of a function by signature and the method its prosrc must name. */
    public static native int directFunction(String signature, String method);

    /** Enters the function's context: a token, or 0 when Java must call it through SQL. */
    public static native int enterFunction(int handle);

    public static native void leaveFunction(int token);

    /** For the watchdog: is the backend thread running Java code of a pljvm call right now? */
    public static native boolean inJava();

    /**
     * For the watchdog: if the backend thread is in Java and a cancel or termination is pending,
     * interrupts it (the C side clears the thread's interrupt flag when Java returns).
     */
    public static native boolean watchdogInterrupt(Thread backend);

    /**
     * Throws IllegalStateException unless on the backend thread: the Thread that Backend.init ran
     * on, compared in Java (no JNI transition: this runs before every SPI and Pg call).
     */
    public static void checkBackendThread() {
        if (Thread.currentThread() != Backend.backendThread()) {
            throw new IllegalStateException("pljvm: only the backend thread may use SPI; this is "
                    + Thread.currentThread().getName());
        }
    }
}
