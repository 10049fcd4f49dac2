package org.pgqjava.pgq;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.ArrayList;
import java.util.List;

import org.postgresql.util.PSQLException;

/**
 * Calls of PgQ's main functions with one argument NULL at a time, in a fixed order, on queue
 * {@code nq} with consumer {@code nc} and an open batch; each outcome rendered as text (result
 * rows, warnings, or SQLSTATE and message) so that two implementations can be compared.
 */
final class NullMatrix {
    private NullMatrix() {
    }

    /** A function and valid arguments (SQL literals with casts). */
    record Call(String function, String... args) {
    }

    /** The calls; BATCH and EVENT stand for the open batch and an event in it. */
    static final List<Call> CALLS = List.of(
            new Call("pgq.create_queue", "'nq2'::text"),
            new Call("pgq.set_queue_config", "'nq'::text", "'ticker_max_count'::text", "'500'::text"),
            new Call("pgq.insert_event", "'nq'::text", "'t'::text", "'d'::text"),
            new Call("pgq.insert_event", "'nq'::text", "'t'::text", "'d'::text", "'e1'::text", "'e2'::text",
                    "'e3'::text", "'e4'::text"),
            new Call("pgq.current_event_table", "'nq'::text"),
            new Call("pgq.register_consumer", "'nq'::text", "'nc2'::text"),
            new Call("pgq.register_consumer_at", "'nq'::text", "'nc3'::text", "1::int8"),
            new Call("pgq.next_batch", "'nq'::text", "'nc'::text"),
            new Call("pgq.next_batch_info", "'nq'::text", "'nc'::text"),
            new Call("pgq.next_batch_custom", "'nq'::text", "'nc'::text", "'0'::interval", "1::int4", "'0'::interval"),
            new Call("pgq.get_batch_events", "BATCH::int8"),
            new Call("pgq.get_batch_info", "BATCH::int8"),
            new Call("pgq.batch_event_sql", "BATCH::int8"),
            new Call("pgq.batch_event_tables", "BATCH::int8"),
            new Call("pgq.get_batch_cursor", "BATCH::int8", "'cur'::text", "10::int4"),
            new Call("pgq.get_batch_cursor", "BATCH::int8", "'cur'::text", "10::int4", "'true'::text"),
            new Call("pgq.event_retry", "BATCH::int8", "EVENT::int8", "0::int4"),
            new Call("pgq.event_retry", "BATCH::int8", "EVENT::int8", "now()::timestamptz"),
            new Call("pgq.batch_retry", "BATCH::int8", "0::int4"),
            new Call("pgq.event_retry_raw", "'nq'::text", "'nc'::text", "now()::timestamptz", "1000::int8",
                    "now()::timestamptz", "0::int4", "'t'::text", "'d'::text", "null::text", "null::text",
                    "null::text", "null::text"),
            new Call("pgq.insert_event_raw", "'nq'::text", "2000::int8", "now()::timestamptz", "null::int4",
                    "null::int4", "'t'::text", "'d'::text", "null::text", "null::text", "null::text", "null::text"),
            new Call("pgq.finish_batch", "BATCH::int8"),
            new Call("pgq.ticker", "'nq'::text"),
            new Call("pgq.ticker", "'nq'::text", "99::int8", "now()::timestamptz", "99::int8"),
            new Call("pgq.force_tick", "'nq'::text"),
            new Call("pgq.maint_rotate_tables_step1", "'nq'::text"),
            new Call("pgq.find_tick_helper", "1::int4", "1::int8", "now()::timestamptz", "1::int8", "1::int8",
                    "'1 second'::interval"),
            new Call("pgq.get_queue_info", "'nq'::text"),
            new Call("pgq.get_consumer_info", "'nq'::text"),
            new Call("pgq.get_consumer_info", "'nq'::text", "'nc'::text"),
            new Call("pgq.seq_getval", "'pgq.batch_id_seq'::text"),
            new Call("pgq.seq_setval", "'pgq.batch_id_seq'::text", "1::int8"),
            new Call("pgq.quote_fqname", "'a.b'::text"),
            new Call("pgq.grant_perms", "'nq'::text"),
            new Call("pgq.tune_storage", "'nq'::text"),
            new Call("pgq.unregister_consumer", "'nq'::text", "'nc'::text"),
            new Call("pgq.drop_queue", "'nq'::text", "false::bool"),
            new Call("pgq.drop_queue", "'nq'::text"));

    /** Columns whose values differ between runs (times, txids, snapshots): left out of the outcome. */
    private static final List<String> VOLATILE = List.of("ev_time", "ev_txid", "cur_tick_time", "prev_tick_time",
            "batch_start", "batch_end", "lag", "last_seen", "queue_switch_time", "ticker_lag", "ev_per_sec",
            "next_tick_time", "batch_event_sql", "sql");

    /** Creates queue nq (ticking on every call), consumer nc, one event, and opens a batch. */
    static long[] prepare(Connection c) throws SQLException {
        PgqOps.createTickingQueue(c, "nq");
        PgqOps.register(c, "nq", "nc");
        long ev = PgqOps.insert(c, "nq", "t", "d");
        PgqOps.tick(c, "nq");
        long batch = PgqOps.nextBatch(c, "nq", "nc");
        return new long[] {batch, ev};
    }

    /** Every call with each argument NULL in turn, in order, each in its own transaction. */
    static List<String> run(Connection c, long batch, long event) throws SQLException {
        List<String> out = new ArrayList<>();
        for (Call call : CALLS) {
            for (int i = 0; i < call.args().length; i++) {
                List<String> args = new ArrayList<>();
                for (int k = 0; k < call.args().length; k++) {
                    String a = call.args()[k].replace("BATCH", Long.toString(batch)).replace("EVENT", Long.toString(event));
                    args.add(k == i ? "null::" + a.substring(a.lastIndexOf("::") + 2) : a);
                }
                String sql = "select * from " + call.function() + "(" + String.join(", ", args) + ")";
                out.add(sql + "\n    -> " + outcome(c, sql));
            }
        }
        return out;
    }

    /** Result rows (without volatile columns) and warnings, or the error, of one statement in a transaction. */
    static String outcome(Connection c, String sql) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            StringBuilder sb = new StringBuilder();
            if (!ps.execute()) {
                sb.append("done, ").append(ps.getUpdateCount()).append(" row(s) changed");
            } else {
                try (ResultSet rs = ps.getResultSet()) {
                    int n = rs.getMetaData().getColumnCount();
                    List<String> rows = new ArrayList<>();
                    while (rs.next()) {
                        List<String> cols = new ArrayList<>();
                        for (int i = 1; i <= n; i++) {
                            String name = rs.getMetaData().getColumnName(i);
                            if (!VOLATILE.contains(name)) {
                                cols.add(name + "=" + rs.getString(i));
                            }
                        }
                        rows.add("(" + String.join(", ", cols) + ")");
                    }
                    sb.append(rows.size()).append(" row(s) ").append(String.join(" ", rows));
                }
            }
            for (SQLWarning w = ps.getWarnings(); w != null; w = w.getNextWarning()) {
                sb.append(" WARNING ").append(w.getMessage());
            }
            c.commit();
            return sb.toString();
        } catch (PSQLException e) {
            c.rollback();
            String state = e.getSQLState();
            String msg = e.getServerErrorMessage() != null ? e.getServerErrorMessage().getMessage() : e.getMessage();
            return "ERROR " + state + " " + msg;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
