package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLWarning;
import org.postgresql.util.ServerErrorMessage;

/** JDBC helpers for the PgQ tests: statements with {@code ?} parameters, errors, warnings. */
final class Sql {
    /** SQLSTATE of PL/pgSQL's RAISE EXCEPTION, which PgQ uses for all its errors. */
    static final String RAISE_EXCEPTION = "P0001";

    private Sql() {
    }

    /** Every row of {@code sql}, as lists of column values. */
    static List<List<Object>> rows(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<List<Object>> out = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>(n);
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    /** The only row of {@code sql}. */
    static List<Object> row(Connection c, String sql, Object... args) throws SQLException {
        List<List<Object>> rows = rows(c, sql, args);
        assertEquals(1, rows.size(), () -> "rows of " + sql + ": " + rows);
        return rows.get(0);
    }

    /** Column 1 of the only row (may be null). */
    static Object one(Connection c, String sql, Object... args) throws SQLException {
        List<Object> row = row(c, sql, args);
        return row.get(0);
    }

    /** Column 1 of the only row, as a long; fails on NULL. */
    static long oneLong(Connection c, String sql, Object... args) throws SQLException {
        Object v = one(c, sql, args);
        assertNotNull(v, () -> "NULL from " + sql);
        return ((Number) v).longValue();
    }

    /** Column 1 of the only row, as a Long or null. */
    static Long longOrNull(Connection c, String sql, Object... args) throws SQLException {
        Object v = one(c, sql, args);
        return v == null ? null : ((Number) v).longValue();
    }

    /** Column 1 of the only row as OffsetDateTime (timestamptz; the driver's getObject gives java.sql.Timestamp). */
    static OffsetDateTime time(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            assertEquals(true, rs.next(), () -> "no row from " + sql);
            OffsetDateTime v = rs.getObject(1, OffsetDateTime.class);
            assertEquals(false, rs.next(), () -> "more than one row from " + sql);
            return v;
        }
    }

    static String str(Connection c, String sql, Object... args) throws SQLException {
        return (String) one(c, sql, args);
    }

    /** Column 1 of every row. */
    static List<Object> column(Connection c, String sql, Object... args) throws SQLException {
        List<Object> out = new ArrayList<>();
        for (List<Object> r : rows(c, sql, args)) {
            out.add(r.get(0));
        }
        return out;
    }

    static void exec(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            ps.execute();
        }
    }

    /** Runs {@code sql} without parameters and without preparing it (for utility commands, several statements). */
    static void script(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Runs {@code sql}, which must fail with a server error; returns it. */
    static ServerErrorMessage error(Connection c, String sql, Object... args) {
        PSQLException e = assertThrows(PSQLException.class, () -> {
            try (PreparedStatement ps = prepare(c, sql, args)) {
                ps.execute();
            }
        }, () -> "expected an error from " + sql + " " + Arrays.toString(args));
        ServerErrorMessage m = e.getServerErrorMessage();
        if (m == null) {
            throw new AssertionError("no server error for " + sql, e);
        }
        return m;
    }

    /** {@code sql} must fail with PgQ's error: SQLSTATE P0001 and exactly {@code message}. */
    static void assertPgqError(String message, Connection c, String sql, Object... args) {
        ServerErrorMessage m = error(c, sql, args);
        assertEquals(message, m.getMessage(), () -> "message of " + sql + " " + Arrays.toString(args));
        assertEquals(RAISE_EXCEPTION, m.getSQLState(), () -> "SQLSTATE of " + sql + " (" + m.getMessage() + ")");
    }

    /** {@code sql} must fail with SQLSTATE {@code state}; returns the message. */
    static String assertSqlState(String state, Connection c, String sql, Object... args) {
        ServerErrorMessage m = error(c, sql, args);
        assertEquals(state, m.getSQLState(), () -> "SQLSTATE of " + sql + " (" + m.getMessage() + ")");
        return m.getMessage();
    }

    /** Result and server warnings (WARNING, NOTICE ...) of a one-row, one-column query. */
    record Warned(Object value, List<String> warnings) {
    }

    static Warned warned(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            assertEquals(true, rs.next(), () -> "no row from " + sql);
            Object v = rs.getObject(1);
            List<String> warnings = new ArrayList<>();
            for (SQLWarning w = ps.getWarnings(); w != null; w = w.getNextWarning()) {
                if (w instanceof PSQLWarning pw && pw.getServerErrorMessage() != null) {
                    warnings.add(pw.getServerErrorMessage().getSeverity() + ": " + pw.getServerErrorMessage().getMessage());
                } else {
                    warnings.add(w.getMessage());
                }
            }
            return new Warned(v, warnings);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }
}
