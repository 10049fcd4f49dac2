package org.pgqjava.pgq;

import java.util.ArrayList;
import java.util.List;

import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;
import org.pgqjava.pljvm.SqlRows;

/**
 * Reading a batch: pgq.batch_event_sql, pgq.batch_event_tables, pgq.get_batch_events,
 * pgq.get_batch_cursor. A batch is every event whose txid is visible in the end tick's snapshot
 * and not in the start tick's (reference §3.3).
 */
public final class BatchEvents {
    /** Transactions this close below the start tick's xmax extend the scanned range instead of the IN-list. */
    static final long RANGE_SLACK = 100;

    private static final String FIELDS = "select ev_id, ev_time, ev_txid, ev_retry, ev_type,"
            + " ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4";

    private BatchEvents() {
    }

    /**
     * pgq.batch_event_sql(x_batch_id)
     *
     * <p>Returns: the SELECT that reads the batch's events, ordered by ev_id: per table a txid
     * range from the start tick's xmax (lowered over transactions that were running at the start
     * tick and finished by the end, while they are near) to the end tick's xmax, with visibility
     * tests, plus an IN-list for older such transactions. Errors: "batch not found",
     * "could not construct sql for batch <id>". Calls: batch_event_tables.
     */
    public static String batchEventSql(Long batchId) {
        Row b = Spi.prepare("select s.sub_last_tick, s.sub_next_tick, s.sub_id, s.sub_queue,"
                + " pg_catalog.txid_snapshot_xmax(last.tick_snapshot) as last_xmax,"
                + " pg_catalog.txid_snapshot_xmax(cur.tick_snapshot) as cur_xmax,"
                + " last.tick_snapshot::text as last_snapshot, cur.tick_snapshot::text as cur_snapshot"
                + " from pgq.subscription s, pgq.tick last, pgq.tick cur"
                + " where s.sub_batch = $1 and last.tick_queue = s.sub_queue and last.tick_id = s.sub_last_tick"
                + " and cur.tick_queue = s.sub_queue and cur.tick_id = s.sub_next_tick", "int8").execute(batchId).one();
        if (b == null) {
            throw Pgq.error("batch not found");
        }
        long txStart = b.getLong("last_xmax");
        long txEnd = b.getLong("cur_xmax");
        StringBuilder old = new StringBuilder();
        long[] finished = Snapshot.parse(b.getString("last_snapshot"))
                .finishedBy(Snapshot.parse(b.getString("cur_snapshot")));
        for (int i = finished.length - 1; i >= 0; i--) {
            long txid = finished[i];
            if (txStart - RANGE_SLACK <= txid) {
                txStart = txid;
            } else {
                old.append(old.length() == 0 ? "" : ",").append(txid);
            }
        }
        String owner = " and (ev_owner is null or ev_owner = " + b.getInt("sub_id") + ")";
        StringBuilder sql = new StringBuilder();
        for (String table : batchEventTables(batchId)) {
            String tbl = Pgq.quoteFqname(table);
            if (sql.length() > 0) {
                sql.append(" union all ");
            }
            sql.append(FIELDS).append(" from pgq.tick cur, pgq.tick last, ").append(tbl).append(" ev ")
                    .append(" where cur.tick_id = ").append(b.getLong("sub_next_tick"))
                    .append(" and cur.tick_queue = ").append(b.getInt("sub_queue"))
                    .append(" and last.tick_id = ").append(b.getLong("sub_last_tick"))
                    .append(" and last.tick_queue = ").append(b.getInt("sub_queue"))
                    .append(" and ev.ev_txid >= ").append(txStart)
                    .append(" and ev.ev_txid <= ").append(txEnd)
                    .append(" and txid_visible_in_snapshot(ev.ev_txid, cur.tick_snapshot)")
                    .append(" and not txid_visible_in_snapshot(ev.ev_txid, last.tick_snapshot)")
                    .append(owner);
            if (old.length() > 0) {
                sql.append(" union all ").append(FIELDS).append(" from ").append(tbl).append(" ev ")
                        .append(" where ev.ev_txid in (").append(old).append(")").append(owner);
            }
        }
        if (sql.length() == 0) {
            throw Pgq.error("could not construct sql for batch " + Pgq.fmt(batchId));
        }
        return sql.append(" order by 1").toString();
    }

    /**
     * pgq.batch_event_tables(x_batch_id)
     *
     * <p>Returns: the one or two child tables that may hold the batch: the previous table only
     * if the batch ended before the last rotation began, the current one only if it began after
     * the rotation was visible to all (step2), else both. Error: "Cannot find data for batch <id>".
     */
    public static List<String> batchEventTables(Long batchId) {
        Row b = Spi.prepare("select pg_catalog.txid_snapshot_xmin(last.tick_snapshot) as last_xmin,"
                + " pg_catalog.txid_snapshot_xmax(cur.tick_snapshot) as cur_xmax,"
                + " q.queue_data_pfx, q.queue_ntables, q.queue_cur_table, q.queue_switch_step1, q.queue_switch_step2"
                + " from pgq.tick last, pgq.tick cur, pgq.subscription s, pgq.queue q"
                + " where cur.tick_id = s.sub_next_tick and cur.tick_queue = s.sub_queue"
                + " and last.tick_id = s.sub_last_tick and last.tick_queue = s.sub_queue"
                + " and s.sub_batch = $1 and q.queue_id = s.sub_queue", "int8").execute(batchId).one();
        if (b == null) {
            throw Pgq.error("Cannot find data for batch " + Pgq.fmt(batchId));
        }
        long txMin = b.getLong("last_xmin");
        long txMax = b.getLong("cur_xmax");
        String prefix = b.getString("queue_data_pfx");
        int ntables = b.getInt("queue_ntables");
        int cur = b.getInt("queue_cur_table");
        long step1 = b.getLong("queue_switch_step1");
        Long step2 = b.getLong("queue_switch_step2");
        boolean usePrev;
        boolean useCur;
        if (txMax < step1) {
            usePrev = true;
            useCur = false;
        } else if (step2 != null && txMin > step2) {
            usePrev = false;
            useCur = true;
        } else {
            usePrev = true;
            useCur = true;
        }
        List<String> tables = new ArrayList<>(2);
        if (usePrev) {
            tables.add(prefix + "_" + (cur == 0 ? ntables - 1 : cur - 1));
        }
        if (useCur) {
            tables.add(prefix + "_" + cur);
        }
        return tables;
    }

    /**
     * pgq.get_batch_events(x_batch_id)
     *
     * <p>Returns: the batch's events (ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data,
     * ev_extra1..4), ordered by ev_id, streamed from the batch query into the result.
     * Calls: batch_event_sql.
     */
    public static SqlRows getBatchEvents(Long batchId) {
        return Spi.rows(batchEventSql(batchId));
    }

    /**
     * pgq.get_batch_cursor(i_batch_id, i_cursor_name, i_quick_limit, i_extra_where)
     *
     * <p>Declares a NO SCROLL cursor over the batch (filtered by i_extra_where, an SQL condition
     * on the event columns, when given) and returns its first i_quick_limit rows; the caller
     * FETCHes the rest in the same transaction. Returns nothing if any of the first three
     * arguments is NULL. Calls: batch_event_sql.
     */
    public static SqlRows getBatchCursor(Long batchId, String cursorName, Integer quickLimit, String extraWhere) {
        if (batchId == null || cursorName == null || quickLimit == null) {
            return null;
        }
        String cursor = Pgq.quoteIdent(cursorName);
        String sql = batchEventSql(batchId);
        if (extraWhere != null) {
            sql = "select * from (" + sql.replace(" order by 1", "") + ") _evs where " + extraWhere + " order by 1";
        }
        Spi.executeOnce("declare " + cursor + " no scroll cursor for " + sql);
        if (quickLimit <= 0) {
            return null;
        }
        return Spi.rows("fetch " + quickLimit + " from " + cursor);
    }
}
