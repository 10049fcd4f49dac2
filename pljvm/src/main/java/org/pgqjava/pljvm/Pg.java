package org.pgqjava.pljvm;

import org.pgqjava.pljvm.internal.Natives;

/** Backend services for Java code running in a pljvm function. */
public final class Pg {
    private Pg() {
    }

    /**
     * Ends the call if a query cancel, statement_timeout or termination is pending. Cheap (one
     * volatile read when nothing is pending): call it every few thousand iterations of a long
     * loop, which cannot be cancelled otherwise.
     *
     * @throws PgException with the server's error (e.g. 57014) when an interrupt is pending
     */
    public static void checkInterrupts() {
        if (Natives.interruptPending()) {
            Natives.checkInterrupts();
        }
    }

    /** Sends a NOTICE to the client (subject to client_min_messages). */
    public static void notice(String message) {
        Natives.report(Natives.LEVEL_NOTICE, message);
    }

    /** Sends a WARNING to the client and the server log. */
    public static void warning(String message) {
        Natives.report(Natives.LEVEL_WARNING, message);
    }

    /** Writes a LOG line to the server log. */
    public static void log(String message) {
        Natives.report(Natives.LEVEL_LOG, message);
    }

    /**
     * A number that identifies the current transaction within this backend (the local
     * transaction id): per-transaction state in Java static fields can be keyed by it. Costs no
     * query and assigns no transaction id.
     */
    public static long localTransactionId() {
        Natives.checkBackendThread();
        return Natives.localTransactionId();
    }

    /**
     * A number that identifies the current subtransaction within the current transaction
     * (GetCurrentSubTransactionId: 1 at top level, a new number for every savepoint or PL/pgSQL
     * EXCEPTION block entered, never reused within the transaction). State that depends on what
     * a subtransaction did (a row lock taken in it is released when it rolls back) can be keyed by
     * it together with {@link #localTransactionId}. Costs no query.
     */
    public static long subtransactionId() {
        Natives.checkBackendThread();
        return Natives.subtransactionId();
    }

    /**
     * Whether a table (or other relation) of this SQL name ({@code schema.name}, parts quoted as
     * SQL quotes them) exists now, as the current transaction sees the catalog: a catalog lookup
     * without a query, and without a lock (it may be dropped right after).
     */
    public static boolean relationExists(String name) {
        Natives.checkBackendThread();
        return Natives.relationExists(name);
    }

    /**
     * A count of the relation cache invalidations this backend has taken in (of one relation, or
     * of all at a cache reset). A relation that is dropped, renamed or altered sends one, which
     * every backend takes in before it sees the change (at the latest when its next transaction
     * starts): while the count stays the same, what {@link #relationExists} said of a name still
     * holds, save for a change committed in the moment between. Costs no query and no lookup.
     */
    public static long relationInvalidations() {
        Natives.checkBackendThread();
        return Natives.relationInvalidations();
    }

    /**
     * Gives the current (top-level) transaction its transaction id now, if it has none yet, as
     * txid_current() does, without a query. Code that must know its txid is older than what it
     * reads next calls this first.
     */
    public static void assignTransactionId() {
        Natives.assignTransactionId();
    }

    /**
     * True when the transaction uses one snapshot for all its statements (REPEATABLE READ or
     * SERIALIZABLE), false under READ COMMITTED, where every statement sees a new snapshot.
     */
    public static boolean usesTransactionSnapshot() {
        Natives.checkBackendThread();
        return Natives.usesTransactionSnapshot();
    }

    /**
     * The session's {@code session_replication_role}: {@code "origin"}, {@code "replica"} or
     * {@code "local"}. Cheap (no SQL): for triggers that behave by it.
     */
    public static String sessionReplicationRole() {
        Natives.checkBackendThread();
        return REPLICATION_ROLES[Natives.sessionReplicationRole()];
    }

    private static final String[] REPLICATION_ROLES = {"origin", "replica", "local"};

    /** True on the backend's own thread, the only thread that may use {@link Spi} and {@link Pg}. */
    public static boolean isBackendThread() {
        return Natives.isBackendThread();
    }
}
