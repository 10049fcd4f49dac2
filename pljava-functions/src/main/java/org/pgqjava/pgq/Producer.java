package org.pgqjava.pgq;

import java.util.HashMap;
import java.util.Map;

import org.pgqjava.pljvm.Pg;
import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;

/* No lambdas here: the first one costs the JVM milliseconds of bootstrap in every new backend. */

/**
 * What a producer transaction knows of the queues it writes to: the queue row, read once per
 * transaction and subtransaction after the txid is assigned, and the per-transaction event counts.
 *
 * <p>No event is lost by writing a whole transaction into the table its first read named
 * (docs/pgq.md, "Producers: the queue row once per transaction"): the txid is assigned before the
 * read, so every rotation that commits after the read has a step2 above this txid; every batch
 * whose range this transaction's commit can fall into then reads the previous table as well, and
 * the next rotation waits until every consumer is past this transaction. Under REPEATABLE READ /
 * SERIALIZABLE the read locks the row FOR KEY SHARE; the lock is released if the subtransaction
 * that took it rolls back, so the cache is keyed by the subtransaction too.
 */
final class Producer {
    private static final String LOOKUP = "select q.queue_id, q.queue_cur_table,"
            + " q.queue_data_pfx || '_' || q.queue_cur_table as cur_table,"
            + " q.queue_event_seq, q.queue_disable_insert, q.queue_per_tx_limit,"
            + " c.push is true as push,"
            + " pg_catalog.date_part('epoch', c.push_min_interval) * 1000000000 as push_interval_ns"
            + " from pgq.queue q left join pgq_java.queue_config c on c.queue_id = q.queue_id"
            + " where q.queue_name = $1";
    /**
     * Under REPEATABLE READ / SERIALIZABLE the snapshot may predate a rotation, so the table
     * it names may be stale. FOR KEY SHARE makes that a serialization failure (the queue row was
     * updated after the snapshot) instead of an event written where no batch will look, and
     * makes a rotation that starts later wait for this producer.
     */
    private static final String LOOKUP_LOCKED = LOOKUP + " for key share of q";
    private static final String REPLICA = "select pg_catalog.current_setting('session_replication_role') = 'replica'";
    private static final String DRAW_ID = "select pg_catalog.nextval($1::pg_catalog.regclass)";
    private static final String NOTIFY = "select pg_catalog.pg_notify('" + Push.PRODUCER_CHANNEL + "', $1)";
    /**
     * True while the ticker holds the queue's looking lock (Push.LOOKING_LOCK): it looks at the
     * queue again within push_min_interval by itself. A shared lock, released at once, so that
     * the check never makes the ticker wait.
     */
    private static final String TICKER_LOOKING = "select case when pg_catalog.pg_try_advisory_lock_shared("
            + Push.LOOKING_LOCK + ", $1) then not pg_catalog.pg_advisory_unlock_shared(" + Push.LOOKING_LOCK
            + ", $1) else true end";

    /** SQL texts per event table, built once per backend: the same String keeps plan lookups cheap. */
    private static final Map<String, Map<String, String>> SQL = new HashMap<>();

    /** Queue rows read in transaction / subtransaction (txKey, subKey). */
    private static final Map<String, Target> TARGETS = new HashMap<>();
    /** Events inserted per queue id in transaction txKey, for queue_per_tx_limit. */
    private static final Map<Integer, int[]> COUNTS = new HashMap<>();
    private static long txKey = -1;
    private static long subKey = -1;
    /**
     * Ordinary queues (insert allowed, no per-transaction limit) as an earlier transaction of
     * this backend read them: the first insert of a transaction may go to that table with a
     * check in the INSERT itself (see {@link #known}).
     */
    private static final Map<String, Target> KNOWN = new HashMap<>();
    /** When (System.nanoTime()) and in which transaction this backend last notified pgq_push, per queue id. */
    private static final Map<Integer, long[]> NOTIFIED = new HashMap<>();

    private Producer() {
    }

    /** A queue as this transaction writes to it. */
    static final class Target {
        final int queueId;
        final int curTable;
        /** The current event table as PgQ names it: prefix_n, unquoted. */
        final String table;
        final String eventSeq;
        final boolean disableInsert;
        final Integer perTxLimit;
        /** Push delivery on (Push): the first insert of a (sub)transaction wakes the ticker. */
        final boolean push;
        /** push_min_interval in ns: this backend notifies a queue at most once per interval. */
        final long pushIntervalNs;
        private final Map<String, String> sql;
        /** The checked INSERTs of this queue and table (plain, locked), built at first use. */
        private String checkedPlain;
        private String checkedLocked;
        /** Pg.relationInvalidations() when the queue row was read. */
        private long existsAt = -1;

        private Target(Row q) {
            queueId = q.getInt("queue_id");
            curTable = q.getInt("queue_cur_table");
            table = q.getString("cur_table");
            eventSeq = q.getString("queue_event_seq");
            disableInsert = q.getBoolean("queue_disable_insert");
            perTxLimit = q.getInt("queue_per_tx_limit");
            push = q.getBoolean("push");
            Double ns = q.getDouble("push_interval_ns");
            pushIntervalNs = ns == null ? 0 : ns.longValue();
            Map<String, String> texts = SQL.get(table);
            if (texts == null) {
                texts = new HashMap<>();
                SQL.put(table, texts);
            }
            sql = texts;
        }

        /**
         * Insert.insertChecked for this queue id and table (FOR KEY SHARE if locked), the same
         * String object every time. The numbers are in the text: no boxed parameters to convert.
         */
        String checkedSql(boolean locked) {
            String s = locked ? checkedLocked : checkedPlain;
            if (s == null) {
                s = Insert.insertChecked(table, queueId, curTable, locked);
                if (locked) {
                    checkedLocked = s;
                } else {
                    checkedPlain = s;
                }
            }
            return s;
        }

        /** "insert into <table>" + rest, the same String object every time. */
        String sql(String rest) {
            return sql("insert into ", rest);
        }

        /** head + quoted table + rest, the same String object every time. */
        String sql(String head, String rest) {
            String s = sql.get(rest);
            if (s == null) {
                s = head + Pgq.quoteFqname(table) + rest;
                sql.put(rest, s);
            }
            return s;
        }
    }

    /**
     * The target for {@code n} more events of the queue in this transaction, after
     * insert_event's checks: "Queue name must not be NULL", "No such queue", "Insert into queue
     * disallowed", "Queue '<name>' allows max <n> events from one TX", with SQLSTATE XX000 as
     * PgQ's C insert_event_raw raises them (elog). A refused insert still
     * draws an event id, as PgQ's does (the ticker sees the activity).
     */
    static Target admit(String queueName, int n) {
        if (queueName == null) {
            throw Pgq.internalError("Queue name must not be NULL");
        }
        enter();
        return admitEntered(queueName, n);
    }

    /** {@link #admit} right after {@link #known} for the same queue, which entered the transaction. */
    static Target admitAfterKnown(String queueName, int n) {
        return admitEntered(queueName, n);
    }

    private static Target admitEntered(String queueName, int n) {
        Target t = target(queueName, true);
        if (t.disableInsert && !replica()) {
            drawId(t);
            throw Pgq.internalError("Insert into queue disallowed");
        }
        if (t.perTxLimit != null) {
            int[] count = COUNTS.get(t.queueId);
            if (count == null) {
                count = new int[1];
                COUNTS.put(t.queueId, count);
            }
            count[0] += n;
            if (count[0] > t.perTxLimit) {
                drawId(t);
                throw Pgq.internalError("Queue '" + queueName + "' allows max " + t.perTxLimit + " events from one TX");
            }
        }
        return t;
    }

    /** pgq.current_event_table: the table this transaction's inserts go to. */
    static String currentTable(String queueName) {
        if (queueName == null) {
            throw Pgq.error("Event queue not found");
        }
        enter();
        Target t = target(queueName, false);
        if (t.disableInsert && !replica()) {
            throw Pgq.error("Writing to queue disabled");
        }
        return t.table;
    }

    /** Forgets the queue rows read in this transaction: after this backend changed or rotated a queue. */
    static void forget() {
        TARGETS.clear();
    }

    /**
     * For the first insert_event of a transaction (or subtransaction) into a queue: the table an
     * earlier transaction of this backend read for it, if it was an ordinary queue (insert
     * allowed, no per-transaction limit); else null. The caller's INSERT must check, in the same
     * statement, that the queue row still names that table and flags (and lock it FOR KEY SHARE
     * under a transaction snapshot): that check is the lookup, done with the INSERT's snapshot,
     * taken after the txid was assigned, so the no-loss argument of the lookup holds for it. If
     * the INSERT inserted nothing, the caller goes the usual way; if it inserted, it calls
     * {@link #confirm}.
     */
    static Target known(String queueName) {
        enter();   // the txid first: the checked INSERT's snapshot must come after it
        if (TARGETS.containsKey(queueName)) {
            return null;
        }
        Target t = KNOWN.get(queueName);
        if (t == null) {
            return null;
        }
        // another session may have dropped the queue (and its tables) since: an INSERT naming a
        // dropped table would be an error, not a check that fails. A drop sends a relcache
        // invalidation, and so does a change of the queue's push setting (Queues): after one
        // came, the queue is read again (the usual way).
        if (t.existsAt != Pg.relationInvalidations()) {
            KNOWN.remove(queueName);
            return null;
        }
        return t;
    }

    /** The checked INSERT of {@link #known} found the queue as it was: it is this transaction's target. */
    static void confirm(String queueName, Target t) {
        register(queueName, t);
    }

    /**
     * {@code t} is the queue's target in this (sub)transaction from now on; for a push queue
     * the ticker is notified, once per (sub)transaction and queue (PostgreSQL sends it at
     * commit, and forgets it if the subtransaction rolls back), and by this backend at most once
     * per push_min_interval and queue: a NOTIFY serializes the commits of all notifying
     * transactions of the cluster (and their WAL flushes), so a busy producer must not send one
     * per transaction. A transaction left without one is seen by the ticker's next look: it
     * looks again one push_min_interval after every push tick, and every loop_delay anyway (also
     * the bound when the transaction that did notify rolled back).
     */
    private static void register(String queueName, Target t) {
        TARGETS.put(queueName, t);
        if (t.push) {
            long now = System.nanoTime();
            long[] last = NOTIFIED.get(t.queueId);   // {time, txKey}
            if (last == null) {
                last = new long[] {now - t.pushIntervalNs - 1, -1};
                NOTIFIED.put(t.queueId, last);
            }
            // within one transaction always (an earlier subtransaction's notification may
            // have been rolled back with it; PostgreSQL sends duplicates once); else not
            // while the ticker says it looks again by itself (a busy queue)
            if (last[1] == txKey) {
                Spi.prepare(NOTIFY, "text").execute(queueName);
                last[0] = now;
            } else if (now - last[0] >= t.pushIntervalNs) {
                last[0] = now;
                if (!Boolean.TRUE.equals(Spi.prepare(TICKER_LOOKING, "int4").execute(t.queueId).scalar())) {
                    Spi.prepare(NOTIFY, "text").execute(queueName);
                    last[1] = txKey;
                }
            }
        }
    }

    /** Assigns the txid (first) and drops what an earlier transaction or subtransaction knew. */
    private static void enter() {
        long tx = Tx.begin();
        long sub = Pg.subtransactionId();
        if (tx != txKey) {
            TARGETS.clear();
            COUNTS.clear();
            txKey = tx;
            subKey = sub;
        } else if (sub != subKey) {
            TARGETS.clear();
            subKey = sub;
        }
    }

    /**
     * The queue's target in this transaction, read now if not yet; after {@link #enter}. An
     * unknown queue is insert_event_raw's error (forInsert) or current_event_table's.
     */
    private static Target target(String queueName, boolean forInsert) {
        Target t = TARGETS.get(queueName);
        if (t == null) {
            Row q = Spi.prepare(Tx.snapshotPerTransaction() ? LOOKUP_LOCKED : LOOKUP, "text").execute(queueName).one();
            if (q == null) {
                KNOWN.remove(queueName);
                // PgQ: insert_event_raw's C (elog, XX000) or current_event_table's PL/pgSQL (P0001)
                throw forInsert ? Pgq.internalError("No such queue") : Pgq.error("Event queue not found");
            }
            t = new Target(q);
            register(queueName, t);
            if (!t.disableInsert && t.perTxLimit == null) {
                t.existsAt = Pg.relationInvalidations();
                KNOWN.put(queueName, t);
            } else {
                KNOWN.remove(queueName);
            }
        }
        return t;
    }

    private static boolean replica() {
        return Boolean.TRUE.equals(Spi.prepare(REPLICA).execute().scalar());
    }

    /** Draws the next event id of the queue, as every PgQ insert does, used or not. */
    static void drawId(Target t) {
        Spi.prepare(DRAW_ID, "text").executeLong(t.eventSeq);
    }
}
