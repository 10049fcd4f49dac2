package org.pgqjava.pgq;

import java.time.OffsetDateTime;

import org.pgqjava.pljvm.Spi;
import org.pgqjava.pljvm.SqlArg;
import org.pgqjava.pljvm.SqlFunction;

/**
 * Producing events: pgq.insert_event, pgq.insert_event_raw, pgq.insert_events (bulk, ours),
 * pgq.current_event_table.
 *
 * <p>The queue row is read once per transaction (per subtransaction, see {@link Producer}) and
 * each event is then one INSERT whose ev_id comes from the table's default, the queue's
 * sequence. Why that loses no event is written down in docs/pgq.md ("Producers: the queue row
 * once per transaction").
 */
public final class Insert {
    private static final String INSERT_COLUMNS = " (ev_time, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3,"
            + " ev_extra4) values (pg_catalog.now(), $1, $2, $3, $4, $5, $6) returning ev_id";
    private static final String[] INSERT_TYPES = {"text", "text", "text", "text", "text", "text"};

    /**
     * The first insert_event of a transaction into a queue this backend knows: the lookup's
     * check in the INSERT itself, one statement instead of two (Producer.known). No row when the
     * queue changed: rotated, dropped and re-created, disabled, given a limit. The queue id and
     * table number are in the text (Producer.Target.checkedSql), the name is $7.
     */
    static String insertChecked(String table, int queueId, int curTable, boolean locked) {
        return "insert into " + Pgq.quoteFqname(table) + " (ev_time, ev_type, ev_data, ev_extra1, ev_extra2,"
                + " ev_extra3, ev_extra4) select pg_catalog.now(), $1, $2, $3, $4, $5, $6 where exists (select"
                + " from pgq.queue where queue_id = " + queueId + " and queue_name = $7 and queue_cur_table = "
                + curTable + " and not queue_disable_insert and queue_per_tx_limit is null"
                + (locked ? " for key share" : "") + ") returning ev_id";
    }
    /** Parameter types of the checked INSERT and of insert_event(7)'s call. */
    private static final String[] SEVEN_TEXTS = {"text", "text", "text", "text", "text", "text", "text"};
    /** What the checked INSERT returns when the check failed (ev_id is never NULL). */
    private static final long NOT_INSERTED = Long.MIN_VALUE;

    /** insert_event_raw without ev_id: the table's default draws it from the queue's sequence. */
    private static final String INSERT_RAW_COLUMNS = " (ev_time, ev_owner, ev_retry, ev_type, ev_data,"
            + " ev_extra1, ev_extra2, ev_extra3, ev_extra4)"
            + " values (coalesce($1, pg_catalog.now()), $2, $3, $4, $5, $6, $7, $8, $9) returning ev_id";
    private static final String[] INSERT_RAW_TYPES = {"timestamptz", "int4", "int4", "text", "text",
        "text", "text", "text", "text"};
    /** insert_event_raw with ev_id given (the retry mover). */
    private static final String INSERT_RAW_ID_COLUMNS = " (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,"
            + " ev_extra1, ev_extra2, ev_extra3, ev_extra4)"
            + " values ($1, coalesce($2, pg_catalog.now()), $3, $4, $5, $6, $7, $8, $9, $10)";
    private static final String[] INSERT_RAW_ID_TYPES = {"int8", "timestamptz", "int4", "int4", "text", "text",
        "text", "text", "text", "text"};

    /**
     * The retry mover's INSERT: the retry_queue row's own values, copied where they are. No
     * value passes through Java, so an event of any size PostgreSQL stores moves (as a Java
     * String, one of ~22 MB took the 64 MB heap and stopped every retry of the database).
     */
    private static final String INSERT_FROM_RETRY = " (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,"
            + " ev_extra1, ev_extra2, ev_extra3, ev_extra4) select ev_id, coalesce(ev_time, pg_catalog.now()),"
            + " ev_owner, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4"
            + " from pgq.retry_queue where ev_owner = $1 and ev_id = $2";

    /**
     * The bulk form: one statement for all events; the ids in input order. The unnests are in
     * the select list, where they run in step (a NULL array gives NULLs) without the tuplestore
     * per function that ROWS FROM fills.
     */
    private static final String INSERT_MANY = " (ev_time, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3,"
            + " ev_extra4) select pg_catalog.now(), pg_catalog.unnest($1), pg_catalog.unnest($2),"
            + " pg_catalog.unnest($3), pg_catalog.unnest($4), pg_catalog.unnest($5), pg_catalog.unnest($6)"
            + " returning ev_id) select pg_catalog.array_agg(ev_id) from ins";
    private static final String[] INSERT_MANY_TYPES = {"text[]", "text[]", "text[]", "text[]", "text[]", "text[]"};

    private Insert() {
    }

    /**
     * pgq.insert_event(queue_name, ev_type, ev_data)
     *
     * <p>insert_event(7) with NULL extras, as PgQ's wrapper (SECURITY INVOKER). Returns: the
     * event id, or what a replaced insert_event(7) returned (NULL too).
     */
    public static Long insertEventNoExtras(String queueName, String evType, SqlArg evData) {
        return insertEventAsSql(queueName, evType, evData, null, null, null, null);
    }

    /** pgq.insert_event(7), which insert_event(3) and the table triggers call. */
    private static final String INSERT_EVENT_7 = "pgq.insert_event(text,text,text,text,text,text,text)";
    private static final String INSERT_EVENT_7_CALL = "select pgq.insert_event($1, $2, $3, $4, $5, $6, $7)";
    private static SqlFunction insertEvent7;

    /**
     * pgq.insert_event(7) as SQL would call it, for callers that PgQ has call it by name: while
     * it is pgq-java's own and the current user may execute it, its Java runs here in its context
     * (SqlFunction: its owner, its pinned search_path), one statement less per event; otherwise
     * (replaced, dropped, no EXECUTE) it is called through SQL, which decides. Values as in
     * {@link #insertValues}. Returns: the event id, or what a replacement returned.
     */
    static Long insertEventAsSql(String queueName, Object evType, Object evData,
            Object extra1, Object extra2, Object extra3, Object extra4) {
        if (insertEvent7 == null) {
            insertEvent7 = SqlFunction.of(INSERT_EVENT_7, "org.pgqjava.pgq.Insert.insertEvent");
        }
        SqlFunction.Context ctx = insertEvent7.enter();
        if (ctx == null) {
            return (Long) Spi.prepare(INSERT_EVENT_7_CALL, SEVEN_TEXTS)
                    .execute(queueName, evType, evData, extra1, extra2, extra3, extra4).scalar();
        }
        try {
            return insertValues(queueName, evType, evData, extra1, extra2, extra3, extra4);
        } finally {
            ctx.close();
        }
    }

    /**
     * pgq.insert_event(queue_name, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)
     *
     * <p>Inserts an event into the queue's current table, in the caller's transaction.
     * Returns: the event id. Calls: insert_event_raw's logic. Tables directly manipulated:
     * insert into the current event table.
     *
     * <p>The payload and the extras are not made Java strings (SqlArg): the INSERT gets the
     * call's own values, so a value of any size PostgreSQL takes (text: up to 1 GB) goes through
     * the 64 MB heap, and a 100-byte one saves its conversion.
     */
    public static long insertEvent(String queueName, String evType, SqlArg evData,
            SqlArg extra1, SqlArg extra2, SqlArg extra3, SqlArg extra4) {
        return insertValues(queueName, evType, evData, extra1, extra2, extra3, extra4);
    }

    /**
     * insert_event(7) with each value a String or a SqlArg of type text (the triggers pass
     * Strings they built, the SQL functions their own arguments).
     */
    static long insertValues(String queueName, Object evType, Object evData,
            Object extra1, Object extra2, Object extra3, Object extra4) {
        Producer.Target t;
        if (queueName == null) {
            t = Producer.admit(null, 1);   // PgQ's error
        } else {
            Producer.Target k = Producer.known(queueName);
            if (k != null) {
                long id = Spi.prepare(k.checkedSql(Tx.snapshotPerTransaction()), SEVEN_TEXTS)
                        .executeLongOr(NOT_INSERTED, evType, evData, extra1, extra2, extra3, extra4, queueName);
                if (id != NOT_INSERTED) {
                    Producer.confirm(queueName, k);
                    return id;
                }
            }
            t = Producer.admitAfterKnown(queueName, 1);
        }
        return Spi.prepare(t.sql(INSERT_COLUMNS), INSERT_TYPES)
                .executeLong(evType, evData, extra1, extra2, extra3, extra4);
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
            Integer evRetry, String evType, SqlArg evData, SqlArg extra1, SqlArg extra2, SqlArg extra3,
            SqlArg extra4) {
        Producer.Target t = Producer.admit(queueName, 1);
        if (evId == null) {
            return Spi.prepare(t.sql(INSERT_RAW_COLUMNS), INSERT_RAW_TYPES).executeLong(
                    evTime, evOwner, evRetry, evType, evData, extra1, extra2, extra3, extra4);
        }
        // PgQ draws the sequence even when ev_id is given: the ticker sees the activity
        Producer.drawId(t);
        Spi.prepare(t.sql(INSERT_RAW_ID_COLUMNS), INSERT_RAW_ID_TYPES).executeCount(
                evId, evTime, evOwner, evRetry, evType, evData, extra1, extra2, extra3, extra4);
        return evId;
    }

    /**
     * insert_event_raw of the retry_queue row (evOwner, evId) into the queue: what
     * maint_retry_events does with each due row (PgQ calls insert_event_raw with the row's
     * fields), with the row's values read by the INSERT itself. Same checks and errors as
     * insert_event_raw with ev_id given; the queue's sequence is drawn. Returns: rows inserted (1,
     * or 0 if the row is gone).
     */
    static long insertFromRetryQueue(String queueName, int evOwner, long evId) {
        Producer.Target t = Producer.admit(queueName, 1);
        Producer.drawId(t);
        return Spi.prepare(t.sql(INSERT_FROM_RETRY), "int4", "int8").executeCount(evOwner, evId);
    }

    /**
     * pgq.insert_events(queue_name, ev_type[], ev_data[], ev_extra1[], ev_extra2[], ev_extra3[],
     * ev_extra4[]) (pgq-java only; PgQ has no bulk insert)
     *
     * <p>Inserts one event per element of ev_data, in one statement, with insert_event's rules
     * for each: the same table, ids from the queue's sequence, the per-transaction limit counting
     * every event, disable_insert and its replica exception, the same error texts. ev_type and
     * ev_data must have the same length; an extra array may be NULL (all NULL) or of that length.
     * Returns: the event ids, in the order of the arrays (an empty array for empty input).
     * Tables directly manipulated: insert into the current event table.
     *
     * <p>The arrays go to the INSERT as they came (SqlArg): Java reads only their shape.
     */
    public static Long[] insertEvents(String queueName, SqlArg evType, SqlArg evData, SqlArg extra1,
            SqlArg extra2, SqlArg extra3, SqlArg extra4) {
        int n = BulkArgs.count(evType, evData, extra1, extra2, extra3, extra4);
        Producer.Target t = Producer.admit(queueName, n);
        if (n == 0) {
            return new Long[0];
        }
        return (Long[]) Spi.prepare(t.sql("with ins as (insert into ", INSERT_MANY), INSERT_MANY_TYPES)
                .execute(evType, evData, extra1, extra2, extra3, extra4).scalar();
    }

    /**
     * pgq.current_event_table(x_queue_name)
     *
     * <p>The table that receives inserts now, for bulk loading; valid for the current
     * transaction only. Errors: "Event queue not found", "Writing to queue disabled".
     */
    public static String currentEventTable(String queueName) {
        return Producer.currentTable(queueName);
    }
}
