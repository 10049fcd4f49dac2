package org.pgqjava.launcher;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One maintenance round, as pgqd runs it: the operations {@code pgq.maint_operations()} lists,
 * each in its own transaction (the connection is in autocommit) and repeated while it returns
 * non-zero, then {@code pgq.maint_retry_events()} until it has nothing left to move. What to do
 * stays in the database; this only carries it out.
 */
final class Maintenance {

    private static final Logger log = LoggerFactory.getLogger(Maintenance.class);

    /** A function that keeps asking to be called again is left after this many calls per round. */
    static final int MAX_REPEAT = 10_000;

    /** One row of pgq.maint_operations(). */
    record Op(String func, String arg) {
        boolean isVacuum() {
            String f = func.strip().toLowerCase(Locale.ROOT);
            return f.equals("vacuum") || f.equals("vacuum analyze");
        }
    }

    private Maintenance() {
    }

    /**
     * The statement for {@code op}: {@code VACUUM [ANALYZE] "schema"."table"}, or
     * {@code select "schema"."func"(?)} ({@code ()} when the argument is NULL). Names come from
     * the database and are quoted part by part.
     */
    static String sql(Op op) {
        if (op.isVacuum()) {
            return op.func().strip().toUpperCase(Locale.ROOT) + " " + Sql.quoteFqName(op.arg());
        }
        return "select " + Sql.quoteFqName(op.func()) + (op.arg() == null ? "()" : "(?)");
    }

    /** Runs the listed operations; returns how many statements ran. */
    static int runOperations(Connection c, String prefix) throws SQLException {
        if (Sql.queryString(c, "select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace"
                + " where n.nspname = 'pgq' and p.proname = 'maint_operations'") == null) {
            return legacy(c, prefix);
        }
        List<Op> ops = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select func_name, func_arg from pgq.maint_operations()")) {
            while (rs.next()) {
                ops.add(new Op(rs.getString(1), rs.getString(2)));
            }
        }
        int calls = 0;
        for (Op op : ops) {
            calls += run(c, prefix, op);
        }
        return calls;
    }

    /** Runs {@code op} until it returns zero (a VACUUM once); returns the number of calls. */
    static int run(Connection c, String prefix, Op op) throws SQLException {
        if (op.func() == null || (op.isVacuum() && op.arg() == null)) {
            log.warn("{}: skipped malformed operation {}({})", prefix, op.func(), op.arg());
            return 0;
        }
        String sql = sql(op);
        if (op.isVacuum()) {
            log.debug("{}: {}", prefix, sql);
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
            return 1;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (op.arg() != null) {
                ps.setString(1, op.arg());
            }
            for (int calls = 1; ; calls++) {
                boolean again;
                try (ResultSet rs = ps.executeQuery()) {
                    again = rs.next() && rs.getObject(1) instanceof Number && ((Number) rs.getObject(1)).longValue() != 0;
                }
                log.debug("{}: {}({}){}", prefix, op.func(), op.arg() == null ? "" : op.arg(), again ? ": again" : "");
                if (!again) {
                    return calls;
                }
                if (calls >= MAX_REPEAT) {
                    log.warn("{}: {}({}) still asks to be called again after {} calls; going on",
                            prefix, op.func(), op.arg() == null ? "" : op.arg(), calls);
                    return calls;
                }
            }
        }
    }

    /** pgq.maint_retry_events() until it returns 0; returns the number of events moved. */
    static long retryEvents(Connection c, String prefix) throws SQLException {
        long total = 0;
        try (PreparedStatement ps = c.prepareStatement("select pgq.maint_retry_events()")) {
            while (true) {
                long n;
                try (ResultSet rs = ps.executeQuery()) {
                    n = rs.next() ? rs.getLong(1) : 0;
                }
                if (n <= 0) {
                    break;
                }
                total += n;
            }
        }
        if (total > 0) {
            log.info("{}: Got {} events for retry", prefix, total);
        }
        return total;
    }

    /** PgQ before maint_operations(): rotate each queue, step 2, vacuum; as pgqd does. */
    private static int legacy(Connection c, String prefix) throws SQLException {
        List<Op> ops = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select queue_name from pgq.get_queue_info()")) {
            while (rs.next()) {
                ops.add(new Op("pgq.maint_rotate_tables_step1", rs.getString(1)));
            }
        }
        ops.add(new Op("pgq.maint_rotate_tables_step2", null));
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select * from pgq.maint_tables_to_vacuum()")) {
            while (rs.next()) {
                ops.add(new Op("vacuum", rs.getString(1)));
            }
        }
        int calls = 0;
        for (Op op : ops) {
            calls += op.isVacuum() ? run(c, prefix, op) : runOnce(c, op);
        }
        return calls;
    }

    private static int runOnce(Connection c, Op op) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql(op))) {
            if (op.arg() != null) {
                ps.setString(1, op.arg());
            }
            ps.executeQuery().close();
        }
        return 1;
    }
}
