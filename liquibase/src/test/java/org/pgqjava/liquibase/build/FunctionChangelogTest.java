package org.pgqjava.liquibase.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** The order rule of the generated function changesets, on made-up function files. */
class FunctionChangelogTest {

    private static List<String> order(String... nameAndSql) {
        Map<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < nameAndSql.length; i += 2) {
            files.put(nameAndSql[i], nameAndSql[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return FunctionChangelog.order(files).stream().map(FunctionChangelog.Function::name)
                .collect(Collectors.toList());
    }

    private static String sql(String name, String body) {
        return "-- Function: " + name + "()\n-- Calls:\n--      pgq.zz_in_a_comment()\n"
                + "create or replace function " + name + "() returns int language sql as $$ " + body + " $$;\n";
    }

    private static String java(String name) {
        return "create or replace function " + name + "() returns int\nlanguage pljvm\nas 'org.pgqjava.pgq.X.y';\n";
    }

    @Test
    void javaFirstThenByName() {
        assertEquals(List.of("pgq.b", "pgq.d", "pgq.a", "pgq.c"), order(
                "pgq.a.sql", sql("pgq.a", "select 1"), "pgq.b.sql", java("pgq.b"),
                "pgq.c.sql", sql("pgq.c", "select 1"), "pgq.d.sql", java("pgq.d")));
    }

    @Test
    void aFileComesAfterTheFunctionsItCalls() {
        assertEquals(List.of("pgq.j", "pgq.c", "pgq.b", "pgq.a"), order(
                "pgq.a.sql", sql("pgq.a", "select pgq.b(), pgq.j ()"),
                "pgq.b.sql", sql("pgq.b", "select pgq.c() + pgq.b()"),
                "pgq.c.sql", sql("pgq.c", "select pgq.unknown_elsewhere()"),
                "pgq.j.sql", java("pgq.j")));
    }

    @Test
    void callsInCommentsDoNotCount() {
        // both headers name pgq.zz_in_a_comment(); a call there would put zz_in_a_comment first
        assertEquals(List.of("pgq.a", "pgq.zz_in_a_comment"), order(
                "pgq.a.sql", sql("pgq.a", "select 1 -- pgq.zz_in_a_comment() here too"),
                "pgq.zz_in_a_comment.sql", sql("pgq.zz_in_a_comment", "select 1")));
    }

    @Test
    void aCircleIsRefusedWithItsNames() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> order(
                "pgq.a.sql", sql("pgq.a", "select pgq.b()"), "pgq.b.sql", sql("pgq.b", "select pgq.a()"),
                "pgq.c.sql", sql("pgq.c", "select 1")));
        assertTrue(e.getMessage().contains("pgq.a calls [pgq.b]") && e.getMessage().contains("pgq.b calls [pgq.a]")
                && !e.getMessage().contains("pgq.c"), e.getMessage());
    }

    @Test
    void changesetsKeepTheIdsAuthorAndPathOfRelease01() {
        String xml = FunctionChangelog.xml(FunctionChangelog.order(Map.of("pgq.x.sql",
                java("pgq.x").getBytes(StandardCharsets.UTF_8))), "db/pgq/sql");
        assertTrue(xml.contains("logicalFilePath=\"db/pgq/code/changelog.xml\">"), xml);
        assertTrue(xml.contains("  <changeSet id=\"function:pgq.x\" author=\"pgq-java\" runOnChange=\"true\">\n"
                + "    <sqlFile path=\"db/pgq/sql/functions/pgq.x.sql\" splitStatements=\"false\" encoding=\"UTF-8\"/>\n"
                + "  </changeSet>\n"), xml);
    }
}
