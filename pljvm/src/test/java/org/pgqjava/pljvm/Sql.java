package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Small JDBC helpers for the pljvm tests. */
final class Sql {
    private Sql() {
    }

    /** Column 1 of the only row. */
    static Object one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row from " + sql);
            }
            Object v = rs.getObject(1);
            if (rs.next()) {
                throw new AssertionError("more than one row from " + sql);
            }
            return v;
        }
    }

    /** Every row, as a list of column values. */
    static List<List<Object>> rows(Connection c, String sql) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Runs sql, which must fail; returns the server's error. */
    static ServerErrorMessage error(Connection c, String sql) {
        PSQLException e = assertThrows(PSQLException.class, () -> exec(c, sql), sql);
        if (e.getServerErrorMessage() == null) {
            throw new AssertionError("no server error for " + sql, e);
        }
        return e.getServerErrorMessage();
    }

    static int pid(Connection c) throws SQLException {
        return ((Number) one(c, "select pg_backend_pid()")).intValue();
    }
}
