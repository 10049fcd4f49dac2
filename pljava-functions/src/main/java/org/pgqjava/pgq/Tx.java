package org.pgqjava.pgq;

import org.pgqjava.pljvm.Pg;

/**
 * Per-transaction state of this backend, kept in Java and keyed by the local transaction id.
 *
 * <p>{@link #begin} gives the transaction its txid (as txid_current() would) before a producer looks at
 * the queue row. That order is what keeps an event from being lost at rotation (reference §3.6):
 * under READ COMMITTED the queue row is then read with a snapshot taken after the txid existed,
 * so a producer whose txid is above a rotation's step2 always sees the new current table.
 */
final class Tx {
    private static long lxid = -1;
    private static boolean snapshotPerTransaction;

    private Tx() {
    }

    /** Enters the current transaction (assigning its txid once); returns its local id. */
    static long begin() {
        long current = Pg.localTransactionId();
        if (current != lxid) {
            Pg.assignTransactionId();
            snapshotPerTransaction = Pg.usesTransactionSnapshot();
            lxid = current;
        }
        return current;
    }

    /** REPEATABLE READ or SERIALIZABLE: one snapshot for the whole transaction. */
    static boolean snapshotPerTransaction() {
        return snapshotPerTransaction;
    }
}
