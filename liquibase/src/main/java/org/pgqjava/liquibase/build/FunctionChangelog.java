package org.pgqjava.liquibase.build;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The function changesets of the code changelog, made from the function files of module sql
 * ({@code pgq/functions/<schema>.<name>.sql}, one file per function name): each file's existence
 * is its changeset. Written by {@link ChangelogResources} to {@value ChangelogResources#FUNCTIONS_CHANGELOG}
 * and included by {@code db/pgq/code/changelog.xml} between the jar and the grants.
 *
 * <p>Each changeset is exactly what the hand-written changelog of release 0.1 had, so databases
 * installed from it upgrade without re-running anything: id {@code function:<schema>.<name>},
 * author {@value #AUTHOR}, logical file path {@value #LOGICAL_FILE_PATH}, run on change, one
 * {@code sqlFile} (same path and attributes, hence the same checksum).
 *
 * <p>Order ({@link #order}): a file comes after every other function file whose functions it
 * calls outside comments ({@code pgq.<name>(}), because CREATE FUNCTION checks an SQL body
 * against the functions it names; among the files free to go next, the Java ones ({@code
 * language pljvm}, which need the jar and nothing else) first, then by file name.
 */
final class FunctionChangelog {
    static final String AUTHOR = "pgq-java";
    static final String LOGICAL_FILE_PATH = "db/pgq/code/changelog.xml";
    /** What a function file may be called: {@code <schema>.<function>.sql}, safe in XML and paths. */
    static final Pattern FILE_NAME = Pattern.compile("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*\\.sql");
    private static final Pattern COMMENT = Pattern.compile("--[^\n]*");
    private static final Pattern CALL = Pattern.compile("\\b(pgq\\.[A-Za-z_][A-Za-z0-9_]*)\\s*\\(");
    private static final Pattern JAVA = Pattern.compile("\\blanguage\\s+pljvm\\b", Pattern.CASE_INSENSITIVE);

    private FunctionChangelog() {
    }

    /** One function file: its function name ({@code pgq.next_batch}), whether in Java, what it calls. */
    record Function(String name, boolean java, Set<String> calls) {
        static Function of(String fileName, String sql) {
            if (!fileName.endsWith(".sql")) {
                throw new IllegalArgumentException("not an .sql file: " + fileName);
            }
            String name = fileName.substring(0, fileName.length() - ".sql".length());
            String code = COMMENT.matcher(sql).replaceAll("");
            Set<String> calls = new HashSet<>();
            Matcher m = CALL.matcher(code);
            while (m.find()) {
                if (!m.group(1).equals(name)) {
                    calls.add(m.group(1));
                }
            }
            return new Function(name, JAVA.matcher(code).find(), calls);
        }
    }

    /** The function files ({@code pgq.x.sql} to contents) in changelog order. */
    static List<Function> order(Map<String, byte[]> files) {
        Map<String, Function> byName = new TreeMap<>();
        files.forEach((file, bytes) -> {
            Function f = Function.of(file, new String(bytes, StandardCharsets.UTF_8));
            byName.put(f.name(), f);
        });
        Map<String, Integer> waitingFor = new HashMap<>();
        Map<String, List<String>> callers = new HashMap<>();
        for (Function f : byName.values()) {
            int n = 0;
            for (String callee : f.calls()) {
                if (byName.containsKey(callee)) {
                    callers.computeIfAbsent(callee, k -> new ArrayList<>()).add(f.name());
                    n++;
                }
            }
            waitingFor.put(f.name(), n);
        }
        PriorityQueue<Function> ready = new PriorityQueue<>((a, b) -> a.java() != b.java()
                ? (a.java() ? -1 : 1) : a.name().compareTo(b.name()));
        byName.values().stream().filter(f -> waitingFor.get(f.name()) == 0).forEach(ready::add);
        List<Function> out = new ArrayList<>();
        while (!ready.isEmpty()) {
            Function f = ready.poll();
            out.add(f);
            for (String caller : callers.getOrDefault(f.name(), List.of())) {
                if (waitingFor.merge(caller, -1, Integer::sum) == 0) {
                    ready.add(byName.get(caller));
                }
            }
        }
        if (out.size() != byName.size()) {
            List<String> stuck = new ArrayList<>();
            waitingFor.forEach((name, n) -> {
                if (n > 0) {
                    stuck.add(name + " calls " + byName.get(name).calls());
                }
            });
            throw new IllegalStateException("function files call each other in a circle, no order can create them: "
                    + stuck + "; move the functions that call each other into one file");
        }
        return out;
    }

    /** The changelog XML, changesets in the given order. */
    static String xml(List<Function> ordered, String sqlDir) {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<!--\n")
                .append("  Generated by org.pgqjava.liquibase.build.ChangelogResources from the function files of module sql\n")
                .append("  (pgq/functions/*.sql): one changeset per file. Do not edit; add or change a file there. Included by\n")
                .append("  db/pgq/code/changelog.xml. Order: a file after the files whose functions it calls; otherwise the\n")
                .append("  Java functions (language pljvm) first, then by name.\n")
                .append("-->\n")
                .append("<databaseChangeLog\n")
                .append("    xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\"\n")
                .append("    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n")
                .append("    xsi:schemaLocation=\"http://www.liquibase.org/xml/ns/dbchangelog\n")
                .append("                        http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-4.33.xsd\"\n")
                .append("    logicalFilePath=\"").append(LOGICAL_FILE_PATH).append("\">\n");
        Boolean java = null;
        for (Function f : ordered) {
            if (!Boolean.valueOf(f.java()).equals(java)) {
                java = f.java();
                x.append(java ? "\n  <!-- functions in Java (LANGUAGE pljvm) -->\n" : "\n  <!-- functions in SQL and PL/pgSQL -->\n");
            }
            x.append("  <changeSet id=\"function:").append(f.name()).append("\" author=\"").append(AUTHOR)
                    .append("\" runOnChange=\"true\">\n")
                    .append("    <sqlFile path=\"").append(sqlDir).append("/functions/").append(f.name())
                    .append(".sql\" splitStatements=\"false\" encoding=\"UTF-8\"/>\n")
                    .append("  </changeSet>\n");
        }
        return x.append("</databaseChangeLog>\n").toString();
    }
}
