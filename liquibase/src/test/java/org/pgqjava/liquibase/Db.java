package org.pgqjava.liquibase;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

import org.pgqjava.testsupport.Sql;

/** Resources and the changelog table for the tests of this module (plain JDBC: test-support's {@link Sql}). */
final class Db {
    private Db() {
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
        return Sql.lines(c, "select id, author, filename, orderexecuted, md5sum, exectype from databasechangelog"
                + " order by orderexecuted, id");
    }
}
