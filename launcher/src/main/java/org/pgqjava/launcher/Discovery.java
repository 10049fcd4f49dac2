package org.pgqjava.launcher;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The databases of a server a ticker could serve: pgqd's query. */
final class Discovery {

    private Discovery() {
    }

    /** Every database that takes connections and is not a template, by name. */
    static List<String> listDatabases(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select datname from pg_catalog.pg_database where not datistemplate and datallowconn order by datname")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }
}
