package org.pgqjava.pgq;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgServer;

/**
 * A database of the test server with Debian's PgQ 3.5 ({@code CREATE EXTENSION pgq}), the
 * behavioural oracle. Its objects live in schema pgq too, hence a database of its own; dropped
 * on close.
 */
final class OraclePgq implements AutoCloseable {
    final PgDatabase db;

    private OraclePgq(PgDatabase db) {
        this.db = db;
    }

    static OraclePgq create(PgServer server, String hint) throws SQLException {
        String name = "pgq_oracle_" + ProcessHandle.current().pid() + "_" + hint;
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
            s.execute("create database " + name + " template template0");
        }
        PgDatabase db = new PgDatabase(server, name);
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("create extension pgq");
        }
        return new OraclePgq(db);
    }

    Connection connect() throws SQLException {
        return db.connect();
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = db.server().connect("postgres"); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + db.name() + " with (force)");
        }
    }
}
