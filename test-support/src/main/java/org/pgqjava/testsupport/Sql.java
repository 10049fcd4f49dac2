package org.pgqjava.testsupport;

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

/**
 * JDBC one-liners for tests: a query's rows, its only row or value, a statement that must fail.
 *
 * <p>With {@code args}, {@code sql} is a prepared statement with {@code ?} parameters
 * ({@code setObject}); without, it runs as a plain {@link Statement}, so it may hold several
 * statements, utility commands, and a {@code ?} that is no parameter (a jsonb operator).
 */
public final class Sql {
    private Sql() {
    }

    /** Every row of {@code sql}, as lists of column values ({@code getObject}). */
    public static List<List<Object>> rows(Connection c, String sql, Object... args) throws SQLException {
        try (Statement s = statement(c, sql, args); ResultSet rs = query(s, sql, args)) {
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

    /** The only row of {@code sql}; fails on none or more than one. */
    public static List<Object> row(Connection c, String sql, Object... args) throws SQLException {
        List<List<Object>> rows = rows(c, sql, args);
        assertEquals(1, rows.size(), () -> "rows of " + sql + ": " + rows);
        return rows.get(0);
    }

    /** Column 1 of the only row (may be null). */
    public static Object one(Connection c, String sql, Object... args) throws SQLException {
        return row(c, sql, args).get(0);
    }

    /** Column 1 of the only row, as a long; fails on NULL. */
    public static long oneLong(Connection c, String sql, Object... args) throws SQLException {
        Object v = one(c, sql, args);
        assertNotNull(v, () -> "NULL from " + sql);
        return ((Number) v).longValue();
    }

    /** Column 1 of the only row, as a Long or null. */
    public static Long longOrNull(Connection c, String sql, Object... args) throws SQLException {
        Object v = one(c, sql, args);
        return v == null ? null : ((Number) v).longValue();
    }

    /** Column 1 of the only row, as a String or null. */
    public static String str(Connection c, String sql, Object... args) throws SQLException {
        return (String) one(c, sql, args);
    }

    /** Column 1 of the only row as OffsetDateTime (timestamptz: getObject would give java.sql.Timestamp). */
    public static OffsetDateTime time(Connection c, String sql, Object... args) throws SQLException {
        try (Statement s = statement(c, sql, args); ResultSet rs = query(s, sql, args)) {
            assertEquals(true, rs.next(), () -> "no row from " + sql);
            OffsetDateTime v = rs.getObject(1, OffsetDateTime.class);
            assertEquals(false, rs.next(), () -> "more than one row from " + sql);
            return v;
        }
    }

    /** Column 1 of every row. */
    public static List<Object> column(Connection c, String sql, Object... args) throws SQLException {
        List<Object> out = new ArrayList<>();
        for (List<Object> r : rows(c, sql, args)) {
            out.add(r.get(0));
        }
        return out;
    }

    /** Every row, its columns as text ({@code getString}) joined with '|', NULL as the empty string. */
    public static List<String> lines(Connection c, String sql, Object... args) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = statement(c, sql, args); ResultSet rs = query(s, sql, args)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder line = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    String v = rs.getString(i);
                    line.append(i > 1 ? "|" : "").append(v == null ? "" : v);
                }
                out.add(line.toString());
            }
        }
        return out;
    }

    /** Runs {@code sql}; its results, if any, are dropped. */
    public static void exec(Connection c, String sql, Object... args) throws SQLException {
        try (Statement s = statement(c, sql, args)) {
            if (s instanceof PreparedStatement ps) {
                ps.execute();
            } else {
                s.execute(sql);
            }
        }
    }

    /** The pid of the backend serving {@code c}. */
    public static int pid(Connection c) throws SQLException {
        return (int) oneLong(c, "select pg_backend_pid()");
    }

    // ---- statements that must fail

    /** Runs {@code sql}, which must fail with a server error; returns it. */
    public static ServerErrorMessage error(Connection c, String sql, Object... args) {
        PSQLException e = assertThrows(PSQLException.class, () -> exec(c, sql, args),
                () -> "expected an error from " + sql + " " + Arrays.toString(args));
        return serverError(e, sql);
    }

    /** The server's error in {@code t}; fails if {@code t} is not one (a client-side error, say). */
    public static ServerErrorMessage serverError(Throwable t, String what) {
        if (!(t instanceof PSQLException p) || p.getServerErrorMessage() == null) {
            throw new AssertionError("expected a server error from " + what + ", got " + t, t);
        }
        return p.getServerErrorMessage();
    }

    /** {@code sql} must fail with SQLSTATE {@code state}; returns the message. */
    public static String assertSqlState(String state, Connection c, String sql, Object... args) {
        ServerErrorMessage m = error(c, sql, args);
        assertEquals(state, m.getSQLState(), () -> "SQLSTATE of " + sql + " (" + describe(m) + ")");
        return m.getMessage();
    }

    /** {@code sql} must fail with SQLSTATE {@code state} and exactly {@code message}. */
    public static void assertError(String state, String message, Connection c, String sql, Object... args) {
        ServerErrorMessage m = error(c, sql, args);
        assertEquals(message, m.getMessage(), () -> "message of " + sql + " " + Arrays.toString(args));
        assertEquals(state, m.getSQLState(), () -> "SQLSTATE of " + sql + " (" + m.getMessage() + ")");
    }

    /** Severity, SQLSTATE, message, detail, hint and context of a server error, for failure messages. */
    public static String describe(ServerErrorMessage e) {
        return e.getSeverity() + " " + e.getSQLState() + ": " + e.getMessage() + " / detail: " + e.getDetail()
                + " / hint: " + e.getHint() + " / where: " + e.getWhere();
    }

    // ---- warnings

    /** The value of a one-row, one-column query and the server's warnings (WARNING, NOTICE ...) it raised. */
    public record Warned(Object value, List<String> warnings) {
    }

    public static Warned warned(Connection c, String sql, Object... args) throws SQLException {
        try (Statement s = statement(c, sql, args); ResultSet rs = query(s, sql, args)) {
            assertEquals(true, rs.next(), () -> "no row from " + sql);
            Object v = rs.getObject(1);
            List<String> warnings = new ArrayList<>();
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                if (w instanceof PSQLWarning pw && pw.getServerErrorMessage() != null) {
                    warnings.add(pw.getServerErrorMessage().getSeverity() + ": " + pw.getServerErrorMessage().getMessage());
                } else {
                    warnings.add(w.getMessage());
                }
            }
            return new Warned(v, warnings);
        }
    }

    // ---- plumbing

    private static Statement statement(Connection c, String sql, Object... args) throws SQLException {
        if (args.length == 0) {
            return c.createStatement();
        }
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
        return ps;
    }

    private static ResultSet query(Statement s, String sql, Object... args) throws SQLException {
        return s instanceof PreparedStatement ps && args.length > 0 ? ps.executeQuery() : s.executeQuery(sql);
    }
}
