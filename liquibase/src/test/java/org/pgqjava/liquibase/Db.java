package org.pgqjava.liquibase;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.pgqjava.testsupport.Sql;

/** Resources and the changelog table for the tests of this module (plain JDBC: test-support's {@link Sql}). */
final class Db {
    /** Where the build put module sql's function files (ChangelogResources). */
    static final String FUNCTIONS_DIR = "db/pgq/sql/functions";
    /** A row of the function list in pgq/grants/pgq.grants.sql: ('pgq.f(args)', 'group'). */
    private static final Pattern GRANT_ROW = Pattern.compile("(?m)^\\s*\\('(pgq\\.[^']+)',\\s*'([a-z_]+)'\\)");

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

    /**
     * The file names ({@code pgq.next_batch.sql}) in {@value #FUNCTIONS_DIR}, sorted; from
     * target/classes (surefire) or from this module's jar (failsafe).
     */
    static List<String> functionFiles() {
        return filesIn(FUNCTIONS_DIR);
    }

    /** The names of the files directly in class path directory {@code dir}, sorted. */
    static List<String> filesIn(String dir) {
        URL url = Db.class.getClassLoader().getResource(dir);
        if (url == null) {
            throw new AssertionError("no " + dir + " on the class path");
        }
        try {
            if (url.getProtocol().equals("jar")) {
                String prefix = dir + "/";
                try (JarFile jar = new JarFile(Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI())
                        .toFile())) {
                    return jar.stream().map(JarEntry::getName)
                            .filter(n -> n.startsWith(prefix) && n.length() > prefix.length()
                                    && n.indexOf('/', prefix.length()) < 0)
                            .map(n -> n.substring(prefix.length())).sorted().collect(Collectors.toList());
                }
            }
            try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                return files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The function names ({@code pgq.next_batch}) of {@link #functionFiles()}. */
    static List<String> functionNames() {
        return functionFiles().stream().map(f -> f.substring(0, f.length() - ".sql".length()))
                .collect(Collectors.toList());
    }

    /** How many changesets a changelog resource has. */
    static int changesets(String changelog) {
        return resource(changelog).split("<changeSet ", -1).length - 1;
    }

    /** The release changelogs (what runs once), oldest first, as the master changelog includes them. */
    static final List<String> RELEASES = List.of("db/pgq/0.1/changelog.xml", "db/pgq/0.2/changelog.xml",
            "db/pgq/0.3/changelog.xml");

    /** Changesets of all release changelogs. */
    static int releaseChangesets() {
        int n = 0;
        for (String r : RELEASES) {
            n += changesets(r);
        }
        return n;
    }

    /** The changeset ids of a changelog, in order. */
    static List<String> changesetIds(String changelog) {
        List<String> ids = new ArrayList<>();
        Matcher m = Pattern.compile("<changeSet id=\"([^\"]+)\"").matcher(resource(changelog));
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    /**
     * The grants as data: each function row of pgq/grants/pgq.grants.sql, its signature as
     * written there to its group, in file order. A signature written twice is an error.
     */
    static Map<String, String> grantRows() {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher m = GRANT_ROW.matcher(resource("db/pgq/sql/grants/pgq.grants.sql"));
        while (m.find()) {
            if (rows.put(m.group(1), m.group(2)) != null) {
                throw new AssertionError("pgq.grants.sql lists " + m.group(1) + " twice");
            }
        }
        return rows;
    }
}
