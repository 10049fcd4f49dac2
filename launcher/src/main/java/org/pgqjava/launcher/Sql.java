package org.pgqjava.launcher;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** SQL text helpers: quoting names that come from the database, one-value queries. */
final class Sql {

    private Sql() {
    }

    /** An identifier in double quotes, inner quotes doubled: always safe, whatever the name. */
    static String quoteIdent(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * {@code schema.name} with each part quoted, split at the first dot; without a dot the
     * schema is {@code public}, as pgq.quote_fqname does. The names come from the database
     * (pgq.maint_operations(), pgq.queue.queue_extra_maint), which users can write to.
     */
    static String quoteFqName(String fq) {
        int dot = fq.indexOf('.');
        String schema = dot < 0 ? "public" : fq.substring(0, dot);
        String name = dot < 0 ? fq : fq.substring(dot + 1);
        return quoteIdent(schema) + "." + quoteIdent(name);
    }

    /** A string literal, for text we log (never for SQL we run: that takes parameters). */
    static String quoteLiteral(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** The first column of the first row, as text; null for NULL or no row. */
    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** The first column of the first row as a long; 0 for NULL or no row. */
    static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** The message of an SQL error with its SQLSTATE, on one line. */
    static String describe(SQLException e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage().replace('\n', ' ').strip();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // pgjdbc's "The connection attempt failed." says why only in its cause
        if (root != e && root.getMessage() != null && !msg.contains(root.getMessage())) {
            msg = msg.replaceAll("\\.$", "") + ": " + root.getMessage().replace('\n', ' ').strip();
        }
        return e.getSQLState() == null ? msg : msg + " [SQLSTATE " + e.getSQLState() + "]";
    }

    /** A broken connection (class 08, or the server shutting the session down), not an SQL error. */
    static boolean isConnectionLost(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03"));
    }
}
