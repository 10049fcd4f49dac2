package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.liquibase.Db.FUNCTIONS_DIR;
import static org.pgqjava.liquibase.Db.changesets;
import static org.pgqjava.liquibase.Db.expected;
import static org.pgqjava.liquibase.Db.functionFiles;
import static org.pgqjava.liquibase.Db.functionNames;
import static org.pgqjava.liquibase.Db.grantRows;
import static org.pgqjava.liquibase.Db.resource;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.lines;
import static org.pgqjava.testsupport.Sql.one;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgTest;

/**
 * {@link PgqInstaller#install} on an empty database (no pljvm, no pgq) gives the objects, roles and
 * grants of PgQ 3.5 (reference §1, §1.8, §2.1; the expected/*.txt files come from Debian's PgQ).
 */
@PgTest
class InstallIT {

    /** How a function file says that (one of) its functions is in Java. */
    private static final Pattern JAVA = Pattern.compile("(?i)\\blanguage\\s+pljvm\\b");
    /** A role in no group: what public may do. */
    private static final String NOBODY = "pgq_test_nobody";

    @BeforeAll
    static void install(Connection c) throws SQLException {
        PgqInstaller.install(c);
        exec(c, "do $$ begin create role " + NOBODY + "; exception when duplicate_object then null; end $$");
    }

    @Test
    void tablesAreThoseOfPgq35(Connection c) throws SQLException {
        assertEquals(expected("tables.txt"), lines(c, "select c.relname, a.attname,"
                + " pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,"
                + " coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '')"
                + " from pg_catalog.pg_class c"
                + " join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped"
                + " left join pg_catalog.pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum"
                + " where c.relnamespace = 'pgq'::regnamespace and c.relkind = 'r' order by c.relname, a.attnum"));
        assertEquals(expected("constraints.txt"), lines(c, "select conrelid::regclass::text, conname, contype,"
                + " pg_catalog.pg_get_constraintdef(oid) from pg_catalog.pg_constraint"
                + " where connamespace = 'pgq'::regnamespace order by 1, 2"));
        assertEquals(expected("indexes.txt"), lines(c, "select indexrelid::regclass::text,"
                + " pg_catalog.pg_get_indexdef(indexrelid) from pg_catalog.pg_index"
                + " where indrelid in (select oid from pg_catalog.pg_class where relnamespace = 'pgq'::regnamespace)"
                + " order by 1"));
    }

    @Test
    void sequencesStartAtOne(Connection c) throws SQLException {
        assertEquals(List.of("batch_id_seq|bigint|1", "consumer_co_id_seq|integer|1", "queue_queue_id_seq|integer|1",
                        "subscription_sub_id_seq|integer|1"),
                lines(c, "select sequencename, data_type, coalesce(last_value, start_value) from pg_catalog.pg_sequences"
                        + " where schemaname = 'pgq' order by 1"));
        assertEquals(1L, one(c, "select pgq.seq_getval('pgq.batch_id_seq')"));
    }

    /** PgQ's functions as in Debian's PgQ 3.5; pgq-java's own (not in PgQ) as in functions-pgq-java.txt. */
    @Test
    void functionsAreThoseOfPgq35(Connection c) throws SQLException {
        // PgQ's functions as Debian's PgQ has them (functions.txt), then pgq-java's own additions
        List<String> want = new ArrayList<>(expected("functions.txt"));
        want.addAll(expected("functions-pgq-java.txt"));
        want.sort(null);
        List<String> got = new ArrayList<>(lines(c, "select p.proname || '('"
                + " || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',"
                + " pg_catalog.pg_get_function_arguments(p.oid), pg_catalog.pg_get_function_result(p.oid),"
                + " p.prosecdef, p.proisstrict, p.provolatile, p.proretset"
                + " from pg_catalog.pg_proc p where p.pronamespace = 'pgq'::regnamespace order by 1, 2"));
        got.sort(null);
        assertEquals(want, got);
    }

    @Test
    void securityDefinersPinTheirSearchPath(Connection c) throws SQLException {
        List<String> wrong = lines(c, "select oid::regprocedure, prosecdef, proconfig from pg_catalog.pg_proc"
                + " where pronamespace in ('pgq'::regnamespace, 'pgq_java'::regnamespace, 'pgq_coop'::regnamespace) and case when prosecdef"
                + " then proconfig is distinct from '{\"search_path=pg_catalog, pg_temp\"}' else proconfig is not null end");
        assertEquals(List.of(), wrong, "security definers need exactly SET search_path = pg_catalog, pg_temp;"
                + " other functions no SET (it would stop inlining)");
    }

    @Test
    void everyFunctionFileMakesTheFunctionsOfItsName(Connection c) throws SQLException {
        assertEquals(functionNames(), lines(c, "select distinct pronamespace::regnamespace || '.' || proname from pg_catalog.pg_proc"
                + " where pronamespace in ('pgq'::regnamespace, 'pgq_java'::regnamespace, 'pgq_coop'::regnamespace) order by 1"),
                "pgq/functions/<schema>.<name>.sql creates the functions named <name>, and no others exist");
    }

    @Test
    void javaFunctionsCallTheirMethodsFromTheInstalledJar(Connection c) throws SQLException {
        // pljvm's validator (run by CREATE FUNCTION) looks the method up in the installed jar: run
        // it again on every pljvm function of schemas pgq and pgq_java
        List<String> wrong = new ArrayList<>();
        Set<String> javaNames = new TreeSet<>();
        List<String> java = lines(c, "select p.oid, p.oid::regprocedure, p.prosrc, p.pronamespace::regnamespace || '.' || p.proname"
                + " from pg_catalog.pg_proc p join pg_catalog.pg_language l on l.oid = p.prolang"
                + " where p.pronamespace in ('pgq'::regnamespace, 'pgq_java'::regnamespace, 'pgq_coop'::regnamespace) and l.lanname = 'pljvm' order by 2");
        for (String line : java) {
            String[] f = line.split("\\|");
            javaNames.add(f[3]);
            if (!f[2].startsWith("org.pgqjava.pgq.")) {
                wrong.add(f[1] + " names " + f[2] + ", not a method of package org.pgqjava.pgq");
            }
            try {
                exec(c, "select pljvm.pljvm_validator(?::pg_catalog.oid)", f[0]);
            } catch (SQLException e) {
                wrong.add(f[1] + " names " + f[2] + ": " + e.getMessage());
            }
        }
        // the check is live: a method the jar lacks is refused (in schema pgq, whose class path has the jar)
        SQLException missing = assertThrows(SQLException.class, () -> exec(c, "create function pgq.pgq_test_no_method()"
                + " returns int language pljvm as 'org.pgqjava.pgq.Queues.noSuchMethod'"));
        assertTrue(missing.getMessage().contains("noSuchMethod"), missing.getMessage());
        assertEquals(List.of(), wrong);
        assertEquals(functionNames().stream().filter(n -> JAVA.matcher(resource(FUNCTIONS_DIR + "/" + n + ".sql")).find())
                .collect(Collectors.toCollection(TreeSet::new)), javaNames, "the files that say language pljvm");
        // the rarely called wrappers stay plain SQL, calling their Java overload by name
        assertEquals(List.of("pgq.drop_queue(text)|sql", "pgq.get_batch_cursor(bigint,text,integer)|sql"),
                lines(c, "select p.oid::regprocedure, l.lanname from pg_catalog.pg_proc p"
                        + " join pg_catalog.pg_language l on l.oid = p.prolang"
                        + " where p.oid in ('pgq.drop_queue(text)'::regprocedure, 'pgq.get_batch_cursor(bigint,text,int4)'::regprocedure)"
                        + " order by p.oid::regprocedure::text"));
        assertEquals(List.of("pgq|t"), lines(c, "select jar_name, length(jar_bytes) > 1000 from pljvm.jar"));
        assertEquals(List.of("pgq|{pgq}", "pgq_coop|{pgq}", "pgq_java|{pgq}"),
                lines(c, "select schema_name, jar_names from pljvm.classpath order by schema_name"));
    }

    @Test
    void rolesExistAndAdminIsReaderAndWriter(Connection c) throws SQLException {
        assertEquals(List.of("pgq_admin|f|t", "pgq_reader|f|t", "pgq_writer|f|t"),
                lines(c, "select rolname, rolcanlogin, rolinherit from pg_catalog.pg_roles"
                        + " where rolname in ('pgq_reader', 'pgq_writer', 'pgq_admin') order by 1"));
        assertEquals(List.of("pgq_reader", "pgq_writer"), lines(c, "select r.rolname from pg_catalog.pg_auth_members m"
                + " join pg_catalog.pg_roles r on r.oid = m.roleid where m.member = 'pgq_admin'::regrole order by 1"));
    }

    /**
     * The grants as data (pgq/grants/pgq.grants.sql, reference §1.8): the one group each function
     * is granted to, public meaning everybody; signatures as the server spells them.
     */
    private static Map<String, String> functionGroups(Connection c) throws SQLException {
        Map<String, String> groups = new TreeMap<>();
        for (Map.Entry<String, String> row : grantRows().entrySet()) {
            String signature = (String) one(c, "select ?::pg_catalog.regprocedure::text", row.getKey());
            String before = groups.put(signature, row.getValue());
            assertEquals(null, before, "pgq.grants.sql lists " + signature + " twice");
        }
        return groups;
    }

    /** The groups whose rights {@code role} has: its own, public, and pgq_admin's memberships. */
    private static Set<String> groupsOf(String role) {
        switch (role) {
            case "pgq_admin":
                return Set.of("public", "pgq_reader", "pgq_writer", "pgq_admin");
            case "pgq_reader":
            case "pgq_writer":
                return Set.of("public", role);
            default:
                return Set.of("public");
        }
    }

    @Test
    void eachGroupMayExecuteExactlyItsFunctions(Connection c) throws SQLException {
        Map<String, String> groups = functionGroups(c);
        Set<String> installed = new TreeSet<>(lines(c, "select oid::regprocedure::text"
                + " from pg_catalog.pg_proc where pronamespace = 'pgq'::regnamespace"));
        Set<String> withoutRow = new TreeSet<>(installed);
        withoutRow.removeAll(groups.keySet());
        assertEquals(Set.of(), withoutRow, "every function of schema pgq needs its row in pgq/grants/pgq.grants.sql"
                + " (or it keeps PostgreSQL's EXECUTE for public)");
        assertEquals(installed, groups.keySet());
        // a few of reference §1.8, so that the file is read as meant
        assertEquals("public", groups.get("pgq.get_queue_info()"));
        assertEquals("pgq_reader", groups.get("pgq.next_batch(text,text)"));
        assertEquals("pgq_writer", groups.get("pgq.insert_event(text,text,text)"));
        assertEquals("pgq_admin", groups.get("pgq.ticker()"));
        List<String> wrong = new ArrayList<>();
        for (String role : List.of(NOBODY, "pgq_reader", "pgq_writer", "pgq_admin")) {
            for (Map.Entry<String, String> f : groups.entrySet()) {
                boolean may = (Boolean) one(c, "select pg_catalog.has_function_privilege(?, ?, 'EXECUTE')",
                        role, f.getKey());
                if (may != groupsOf(role).contains(f.getValue())) {
                    wrong.add(role + (may ? " may" : " may not") + " execute " + f.getKey() + " (group " + f.getValue() + ")");
                }
            }
        }
        assertEquals(List.of(), wrong);
        // exactly one grant per function: nothing left over for public from CREATE FUNCTION
        assertEquals(List.of(), lines(c, "select p.oid::regprocedure from pg_catalog.pg_proc p,"
                + " pg_catalog.aclexplode(p.proacl) a where p.pronamespace = 'pgq'::regnamespace"
                + " and a.grantee <> p.proowner group by p.oid having count(*) <> 1"));
    }

    @Test
    void eachGroupHasItsTablePrivileges(Connection c) throws SQLException {
        // reference §1.8: table -> role -> privileges
        Map<String, Map<String, String>> want = new TreeMap<>();
        for (String t : List.of("pgq.queue", "pgq.consumer", "pgq.tick", "pgq.subscription")) {
            want.put(t, Map.of(NOBODY, "SELECT", "pgq_reader", "SELECT", "pgq_writer", "SELECT",
                    "pgq_admin", "SELECT,INSERT,UPDATE,DELETE"));
        }
        want.put("pgq.event_template", Map.of(NOBODY, "", "pgq_reader", "SELECT", "pgq_writer", "",
                "pgq_admin", "SELECT,INSERT,TRUNCATE"));
        want.put("pgq.retry_queue", Map.of(NOBODY, "", "pgq_reader", "", "pgq_writer", "",
                "pgq_admin", "SELECT,INSERT,UPDATE,DELETE"));
        Map<String, Map<String, String>> got = new TreeMap<>();
        for (String t : want.keySet()) {
            Map<String, String> byRole = new TreeMap<>();
            for (String role : want.get(t).keySet()) {
                List<String> privs = new ArrayList<>();
                for (String priv : List.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")) {
                    if ((Boolean) one(c, "select pg_catalog.has_table_privilege(?, ?, ?)", role, t, priv)) {
                        privs.add(priv);
                    }
                }
                byRole.put(role, String.join(",", privs));
            }
            got.put(t, byRole);
        }
        Map<String, Map<String, String>> wantSorted = new TreeMap<>();
        want.forEach((t, m) -> wantSorted.put(t, new TreeMap<>(m)));
        assertEquals(wantSorted, got);
        assertTrue((Boolean) one(c, "select pg_catalog.has_schema_privilege('" + NOBODY + "', 'pgq', 'USAGE')"));
        assertFalse((Boolean) one(c, "select pg_catalog.has_schema_privilege('" + NOBODY + "', 'pgq', 'CREATE')"));
        assertFalse((Boolean) one(c, "select pg_catalog.has_sequence_privilege('pgq_admin', 'pgq.batch_id_seq', 'USAGE')"));
    }

    @Test
    void everyChangesetIsRecordedUnderItsLogicalPath(Connection c) throws SQLException {
        List<String> files = lines(c, "select filename, count(*) from databasechangelog group by 1 order by 1");
        // the code: the jar, a changeset per function file, the grants
        List<String> want = new ArrayList<>();
        for (String release : Db.RELEASES) {
            want.add(release + "|" + changesets(release));
        }
        want.add("db/pgq/code/changelog.xml|" + (functionFiles().size() + 2));
        assertEquals(want, files);
        assertEquals(List.of("EXECUTED"), lines(c, "select distinct exectype from databasechangelog"));
    }
}
