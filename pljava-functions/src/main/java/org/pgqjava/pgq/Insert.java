package org.pgqjava.pgq;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;

import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;

/** Producing events: pgq.insert_event, pgq.insert_event_raw, pgq.current_event_table. */
public final class Insert {
    /**
     * The queue row, and always a new event id: the ticker sees activity through the sequence,
     * and a rejected insert still consumes an id, as in PgQ.
     */
    private static final String LOOKUP = "select queue_id, queue_data_pfx, queue_cur_table, queue_disable_insert,"
            + " queue_per_tx_limit, pg_catalog.nextval(queue_event_seq),"
            + " pg_catalog.current_setting('session_replication_role') = 'replica'"
            + " from pgq.queue where queue_name = $1";
    /**
     * Under REPEATABLE READ / SERIALIZABLE the snapshot may predate a rotation, so the table
     * it names may be stale. FOR KEY SHARE makes that a serialization failure (the queue row was
     * updated after the snapshot) instead of an event written where no batch will look, and
     * makes a rotation that starts later wait for this producer.
     */
    private static final String LOOKUP_LOCKED = LOOKUP + " for key share";

    private static final String INSERT_COLUMNS = " (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,"
            + " ev_extra1, ev_extra2, ev_extra3, ev_extra4)"
            + " values ($1, coalesce($2, pg_catalog.now()), $3, $4, $5, $6, $7, $8, $9, $10)";
    private static final String[] INSERT_TYPES = {"int8", "timestamptz", "int4", "int4", "text", "text",
        "text", "text", "text", "text"};

    /**
     * INSERT statement per event table (prefix_n), built once: the same String object each time
     * keeps the plan-cache lookup cheap (its hash is cached).
     */
    private static final Map<String, String> INSERT_SQL = new HashMap<>();

    /** Events inserted per queue id in transaction countsTx, for queue_per_tx_limit. */
    private static final Map<Integer, int[]> TX_COUNTS = new HashMap<>();
    private static long countsTx = -1;

    private Insert() {
    }

    /**
     * pgq.insert_event(queue_name, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
     *
     * <p>Inserts an event into the queue's current table, in the caller's transaction.
     * Returns: the event id. Calls: insert_event_raw's logic. Tables directly manipulated:
     * insert into the current event table.
     */
    public static long insertEvent(String queueName, String evType, String evData,
            String extra1, String extra2, String extra3, String extra4) {
        return insertEventRaw(queueName, null, null, null, null, evType, evData, extra1, extra2, extra3, extra4);
    }

    /**
     * pgq.insert_event_raw(queue_name, ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,
     * ev_extra1, ev_extra2, ev_extra3, ev_extra4)
     *
     * <p>The producer entry point: ev_id defaults to the queue's sequence, ev_time to now().
     * Errors: "Queue name must not be NULL", "No such queue", "Insert into queue disallowed",
     * "Queue '<name>' allows max <n> events from one TX". Returns: the event id.
     */
    public static long insertEventRaw(String queueName, Long evId, OffsetDateTime evTime, Integer evOwner,
            Integer evRetry, String evType, String evData, String extra1, String extra2, String extra3,
            String extra4) {
        if (queueName == null) {
            throw Pgq.error("Queue name must not be NULL");
        }
        long tx = Tx.begin();
        Row q = Spi.prepare(Tx.snapshotPerTransaction() ? LOOKUP_LOCKED : LOOKUP, "text").execute(queueName).one();
        if (q == null) {
            throw Pgq.error("No such queue");
        }
        int queueId = q.getInt(0);
        if (q.getBoolean(3) && !q.getBoolean(6)) {
            throw Pgq.error("Insert into queue disallowed");
        }
        long id = evId != null ? evId : q.getLong(5);
        Integer limit = q.getInt(4);
        if (limit != null) {
            if (tx != countsTx) {
                TX_COUNTS.clear();
                countsTx = tx;
            }
            int[] count = TX_COUNTS.get(queueId);
            if (count == null) {
                count = new int[1];
                TX_COUNTS.put(queueId, count);
            }
            if (++count[0] > limit) {
                throw Pgq.error("Queue '" + queueName + "' allows max " + limit + " events from one TX");
            }
        }
        String table = q.getString(1) + "_" + q.getInt(2);
        String sql = INSERT_SQL.get(table);
        if (sql == null) {
            sql = "insert into " + Pgq.quoteFqname(table) + INSERT_COLUMNS;
            INSERT_SQL.put(table, sql);
        }
        Spi.prepare(sql, INSERT_TYPES)
                .execute(id, evTime, evOwner, evRetry, evType, evData, extra1, extra2, extra3, extra4);
        return id;
    }

    /**
     * pgq.current_event_table(x_queue_name)
     *
     * <p>The table that receives inserts now, for bulk loading; valid for the current
     * transaction only. Errors: "Event queue not found", "Writing to queue disabled".
     */
    public static String currentEventTable(String queueName) {
        Tx.begin();
        Row q = Spi.prepare("select queue_data_pfx || '_' || queue_cur_table::text, queue_disable_insert,"
                + " pg_catalog.current_setting('session_replication_role') = 'replica'"
                + " from pgq.queue where queue_name = $1" + (Tx.snapshotPerTransaction() ? " for key share" : ""),
                "text").execute(queueName).one();
        if (q == null) {
            throw Pgq.error("Event queue not found");
        }
        if (q.getBoolean(1) && !q.getBoolean(2)) {
            throw Pgq.error("Writing to queue disabled");
        }
        return q.getString(0);
    }
}
