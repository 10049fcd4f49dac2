package org.pgqjava.liquibase;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Small JDBC and resource helpers for the tests of this module. */
final class Db {
    private Db() {
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

    /** Every row, its columns joined with '|' (NULL as the empty string). */
    static List<String> lines(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
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

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** A class path resource as text. */
    static String resource(String path) {
        try (InputStream in = Db.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new AssertionError("no resource " + path + " on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of an expected/*.txt resource, without '#' comments. */
    static List<String> expected(String name) {
        return resource("expected/" + name).lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .collect(Collectors.toList());
    }

    /** DATABASECHANGELOG as id|author|filename|orderexecuted|md5sum|exectype lines, in run order. */
    static List<String> changelogRows(Connection c) throws SQLException {
        return lines(c, "select id, author, filename, orderexecuted, md5sum, exectype from databasechangelog"
                + " order by orderexecuted, id");
    }
}
