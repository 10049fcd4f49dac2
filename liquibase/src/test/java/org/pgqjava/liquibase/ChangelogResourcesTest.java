package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.liquibase.Db.resource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * What the build put into this module's classes (ChangelogResources, run in process-classes) and
 * how the changelogs use it; no database needed. The embedded jar: {@link EmbeddedJarIT}.
 */
class ChangelogResourcesTest {

    private static final Pattern SQL_FILE = Pattern.compile("<sqlFile path=\"([^\"]+)\"");

    private static List<String> sqlFiles(String changelog) {
        List<String> paths = new ArrayList<>();
        Matcher m = SQL_FILE.matcher(resource(changelog));
        while (m.find()) {
            paths.add(m.group(1));
        }
        return paths;
    }

    @Test
    void everySqlFileIsTheCopyOfModuleSql() {
        List<String> all = new ArrayList<>(sqlFiles("db/pgq/0.1/changelog.xml"));
        all.addAll(sqlFiles("db/pgq/code/changelog.xml"));
        // 11 run once (the extension is inline SQL), the jar, 40 functions, the digest and the grants
        assertEquals(54, all.size(), all.toString());
        for (String p : all) {
            if (p.startsWith("db/pgq/sql/")) {
                // module sql's jar is on the test class path under pgq/
                assertEquals(resource("pgq/" + p.substring("db/pgq/sql/".length())), resource(p), p);
            } else {
                assertTrue(p.startsWith("db/pgq/generated/"), p);
                assertFalse(resource(p).isEmpty(), p);
            }
        }
    }

    @Test
    void everyFunctionFileHasAChangesetAndAHeader() throws IOException, URISyntaxException {
        TreeSet<String> inChangelog = new TreeSet<>();
        for (String p : sqlFiles("db/pgq/code/changelog.xml")) {
            if (p.startsWith("db/pgq/sql/functions/")) {
                inChangelog.add(p.substring("db/pgq/sql/functions/".length()));
            }
        }
        TreeSet<String> files = new TreeSet<>();
        try (Stream<Path> dir = Files.list(Path.of(ChangelogResourcesTest.class.getClassLoader()
                .getResource("db/pgq/sql/functions").toURI()))) {
            dir.forEach(f -> files.add(f.getFileName().toString()));
        }
        assertEquals(files, inChangelog, "pgq/functions/*.sql and the changesets of db/pgq/code/changelog.xml");
        for (String f : files) {
            String sql = resource("db/pgq/sql/functions/" + f);
            String name = f.substring(0, f.length() - ".sql".length());
            assertTrue(sql.startsWith("-- ----------------------------------------------------------------------\n"
                    + "-- Function: " + name + "("), f + " must start with PgQ's header block");
            for (String section : List.of("-- Calls:", "-- Tables directly manipulated:")) {
                assertTrue(sql.contains(section), f + " lacks " + section);
            }
        }
    }

}
