package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.liquibase.Db.FUNCTIONS_DIR;
import static org.pgqjava.liquibase.Db.functionFiles;
import static org.pgqjava.liquibase.Db.functionNames;
import static org.pgqjava.liquibase.Db.resource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * What the build put into this module's classes (ChangelogResources, run in process-classes) and
 * how the changelogs use it; no database needed. The embedded jar: {@link EmbeddedJarIT}.
 */
class ChangelogResourcesTest {

    static final String FUNCTIONS_CHANGELOG = "db/pgq/generated/functions-changelog.xml";
    /** The changelog of release 0.1 as it was, its function changesets written by hand. */
    private static final String OLD_CODE_CHANGELOG = "upgrade/0.1.0-rc1/db/pgq/code/changelog.xml";
    private static final Pattern SQL_FILE = Pattern.compile("<sqlFile path=\"([^\"]+)\"");
    private static final Pattern FUNCTION_CHANGESET = Pattern.compile(
            "<changeSet id=\"function:([^\"]+)\".*?</changeSet>", Pattern.DOTALL);

    private static List<String> sqlFiles(String changelog) {
        List<String> paths = new ArrayList<>();
        Matcher m = SQL_FILE.matcher(resource(changelog));
        while (m.find()) {
            paths.add(m.group(1));
        }
        return paths;
    }

    /** Function name to its whole changeset element, in changelog order. */
    private static Map<String, String> functionChangesets(String changelog) {
        Map<String, String> changesets = new LinkedHashMap<>();
        Matcher m = FUNCTION_CHANGESET.matcher(resource(changelog));
        while (m.find()) {
            changesets.put(m.group(1), m.group());
        }
        return changesets;
    }

    @Test
    void everySqlFileIsTheCopyOfModuleSql() {
        List<String> all = new ArrayList<>(sqlFiles("db/pgq/0.1/changelog.xml"));
        all.addAll(sqlFiles("db/pgq/code/changelog.xml"));
        all.addAll(sqlFiles(FUNCTIONS_CHANGELOG));
        // 11 run once (the extension is inline SQL), the jar, the digest, the grants, one per function file
        assertEquals(11 + 3 + functionFiles().size(), all.size(), all.toString());
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
    void everyFunctionFileHasItsChangesetAndAHeader() {
        Map<String, String> changesets = functionChangesets(FUNCTIONS_CHANGELOG);
        assertEquals(functionNames(), changesets.keySet().stream().sorted().toList(),
                "pgq/functions/*.sql and the changesets of " + FUNCTIONS_CHANGELOG);
        changesets.forEach((name, changeset) -> assertEquals("<changeSet id=\"function:" + name
                + "\" author=\"pgq-java\" runOnChange=\"true\">\n    <sqlFile path=\"" + FUNCTIONS_DIR + "/" + name
                + ".sql\" splitStatements=\"false\" encoding=\"UTF-8\"/>\n  </changeSet>", changeset));
        assertTrue(resource(FUNCTIONS_CHANGELOG).contains(" logicalFilePath=\"db/pgq/code/changelog.xml\">"));
        assertTrue(resource("db/pgq/code/changelog.xml").contains("<include file=\"" + FUNCTIONS_CHANGELOG + "\"/>"));
        for (String f : functionFiles()) {
            String sql = resource(FUNCTIONS_DIR + "/" + f);
            String name = f.substring(0, f.length() - ".sql".length());
            assertTrue(sql.startsWith("-- ----------------------------------------------------------------------\n"
                    + "-- Function: " + name + "("), f + " must start with PgQ's header block");
            for (String section : List.of("-- Calls:", "-- Tables directly manipulated:")) {
                assertTrue(sql.contains(section), f + " lacks " + section);
            }
        }
    }

    /** Databases installed from release 0.1 must find the changesets they ran, unchanged. */
    @Test
    void generatedChangesetsAreThoseRelease01WroteByHand() {
        Map<String, String> old = functionChangesets(OLD_CODE_CHANGELOG);
        assertEquals(39, old.size());
        Map<String, String> now = functionChangesets(FUNCTIONS_CHANGELOG);
        old.forEach((name, changeset) -> assertEquals(changeset, now.get(name), name));
    }

    @Test
    void functionsComeAfterThoseTheyCallJavaFirst() {
        List<String> order = new ArrayList<>(functionChangesets(FUNCTIONS_CHANGELOG).keySet());
        // get_queue_info is SQL calling pgq.seq_getval: by name alone it would come first and fail
        assertTrue(order.indexOf("pgq.seq_getval") < order.indexOf("pgq.get_queue_info"), order.toString());
        assertTrue(order.indexOf("pgq.quote_fqname") < order.indexOf("pgq.seq_getval"), order.toString());
        List<Boolean> java = new ArrayList<>();
        for (String name : order) {
            java.add(resource(FUNCTIONS_DIR + "/" + name + ".sql").contains("\nlanguage pljvm"));
        }
        int firstSql = java.indexOf(false);
        assertTrue(firstSql > 0 && !java.subList(firstSql, java.size()).contains(true),
                "Java functions first: " + order + " " + java);
    }
}
