package org.pgqjava.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * How to fill the template database that test classes are cloned from; named by
 * {@link PgTest#setup()}. The template is built once per test run (per setup class), in a fresh
 * database made from {@code template0}; each test class then gets a copy
 * ({@code CREATE DATABASE ... TEMPLATE}), which costs milliseconds instead of re-running setup.
 *
 * <p>Implement {@link #statements()}, or {@link #setUp(Connection)} for anything more. The class
 * needs a public no-argument constructor. What will bite: the copy is a file copy, so the setup
 * must leave nothing that lives outside the database (no open connections: they make
 * {@code CREATE DATABASE ... TEMPLATE} fail; roles and tablespaces are cluster-wide and shared).
 */
public interface TemplateSetup {

    /** SQL statements run in order, each in its own transaction (autocommit). */
    default List<String> statements() {
        return List.of();
    }

    /** Fills the template through {@code c} (autocommit on); by default runs {@link #statements()}. */
    default void setUp(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements()) {
                s.execute(sql);
            }
        }
    }

    /** No template: each class gets a plain database made from {@code template0}. */
    final class None implements TemplateSetup {
    }
}
