package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.liquibase.Db.expected;
import static org.pgqjava.testsupport.Sql.lines;
import static org.pgqjava.testsupport.Sql.one;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgTest;

/**
 * {@link PgqInstaller#install} on an empty database (no pljvm, no pgq) gives the objects, roles and
 * grants of PgQ 3.5 (reference §1, §1.8, §2.1; the expected/*.txt files come from Debian's PgQ).
 */
@PgTest
class InstallIT {

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
                + " where pronamespace = 'pgq'::regnamespace and case when prosecdef"
                + " then proconfig is distinct from '{\"search_path=pg_catalog, pg_temp\"}' else proconfig is not null end");
        assertEquals(List.of(), wrong, "security definers need exactly SET search_path = pg_catalog, pg_temp;"
                + " other functions no SET (it would stop inlining)");
    }

    @Test
    void javaFunctionsCallTheirMethodsFromTheInstalledJar(Connection c) throws SQLException {
        Map<String, String> want = new TreeMap<>();
        String p = "org.pgqjava.pgq.";
        want.put("pgq.create_queue(text)", p + "Queues.createQueue");
        want.put("pgq.drop_queue(text,boolean)", p + "Queues.dropQueue");
        want.put("pgq.set_queue_config(text,text,text)", p + "Queues.setQueueConfig");
        want.put("pgq.insert_event(text,text,text)", p + "Insert.insertEvent");
        want.put("pgq.insert_event(text,text,text,text,text,text,text)", p + "Insert.insertEvent");
        want.put("pgq.insert_event_raw(text,bigint,timestamp with time zone,integer,integer,text,text,text,text,text,text)",
                p + "Insert.insertEventRaw");
        want.put("pgq.current_event_table(text)", p + "Insert.currentEventTable");
        want.put("pgq.insert_events(text,text[],text[],text[],text[],text[],text[])", p + "Insert.insertEvents");
        want.put("pgq.register_consumer(text,text)", p + "Consumers.registerConsumer");
        want.put("pgq.register_consumer_at(text,text,bigint)", p + "Consumers.registerConsumerAt");
        want.put("pgq.unregister_consumer(text,text)", p + "Consumers.unregisterConsumer");
        want.put("pgq.next_batch_info(text,text)", p + "NextBatch.nextBatchInfo");
        want.put("pgq.next_batch_custom(text,text,interval,integer,interval)", p + "NextBatch.nextBatchCustom");
        want.put("pgq.find_tick_helper(integer,bigint,timestamp with time zone,bigint,bigint,interval)",
                p + "NextBatch.findTickHelper");
        want.put("pgq.finish_batch(bigint)", p + "NextBatch.finishBatch");
        want.put("pgq.batch_event_sql(bigint)", p + "BatchEvents.batchEventSql");
        want.put("pgq.batch_event_tables(bigint)", p + "BatchEvents.batchEventTables");
        want.put("pgq.get_batch_events(bigint)", p + "BatchEvents.getBatchEvents");
        want.put("pgq.get_batch_cursor(bigint,text,integer,text)", p + "BatchEvents.getBatchCursor");
        want.put("pgq.event_retry(bigint,bigint,timestamp with time zone)", p + "Retry.eventRetry");
        want.put("pgq.event_retry(bigint,bigint,integer)", p + "Retry.eventRetrySeconds");
        want.put("pgq.event_retry_raw(text,text,timestamp with time zone,bigint,timestamp with time zone,integer,text,text,text,text,text,text)",
                p + "Retry.eventRetryRaw");
        want.put("pgq.batch_retry(bigint,integer)", p + "Retry.batchRetry");
        want.put("pgq.maint_retry_events()", p + "Retry.maintRetryEvents");
        want.put("pgq.ticker()", p + "Ticker.tickAll");
        want.put("pgq.ticker(text)", p + "Ticker.tick");
        want.put("pgq.ticker(text,bigint,timestamp with time zone,bigint)", p + "Ticker.tickExternal");
        want.put("pgq.force_tick(text)", p + "Ticker.forceTick");
        want.put("pgq.maint_rotate_tables_step1(text)", p + "Rotation.step1");
        want.put("pgq.maint_rotate_tables_step2()", p + "Rotation.step2");
        want.put("pgq.maint_tables_to_vacuum()", p + "Maint.tablesToVacuum");
        want.put("pgq.maint_operations()", p + "Maint.operations");
        Map<String, String> got = new TreeMap<>();
        for (String l : lines(c, "select p.oid::regprocedure, p.prosrc from pg_catalog.pg_proc p"
                + " join pg_catalog.pg_language l on l.oid = p.prolang"
                + " where p.pronamespace = 'pgq'::regnamespace and l.lanname = 'pljvm'")) {
            got.put(l.substring(0, l.indexOf('|')), l.substring(l.indexOf('|') + 1));
        }
        assertEquals(want, got);
        // the wrappers stay plain SQL so that the planner may inline them
        assertEquals(List.of("pgq.drop_queue(text)|sql", "pgq.get_batch_cursor(bigint,text,integer)|sql",
                        "pgq.next_batch(text,text)|sql"),
                lines(c, "select p.oid::regprocedure, l.lanname from pg_catalog.pg_proc p"
                        + " join pg_catalog.pg_language l on l.oid = p.prolang"
                        + " where p.oid in ('pgq.drop_queue(text)'::regprocedure, 'pgq.get_batch_cursor(bigint,text,int4)'::regprocedure,"
                        + " 'pgq.next_batch(text,text)'::regprocedure)"
                        + " order by p.oid::regprocedure::text"));
        List<String> plan = lines(c, "explain (verbose, costs off) select pgq.next_batch('q', 'c')");
        assertTrue(plan.toString().contains("(pgq.next_batch_custom('q'::text, 'c'::text, NULL::interval, NULL::integer,"
                + " NULL::interval)).batch_id"), "next_batch is inlined into a call of next_batch_custom: " + plan);
        assertEquals(List.of("pgq|t"), lines(c, "select jar_name, length(jar_bytes) > 1000 from pljvm.jar"));
        assertEquals(List.of("pgq|{pgq}"), lines(c, "select schema_name, jar_names from pljvm.classpath"));
    }

    @Test
    void rolesExistAndAdminIsReaderAndWriter(Connection c) throws SQLException {
        assertEquals(List.of("pgq_admin|f|t", "pgq_reader|f|t", "pgq_writer|f|t"),
                lines(c, "select rolname, rolcanlogin, rolinherit from pg_catalog.pg_roles"
                        + " where rolname in ('pgq_reader', 'pgq_writer', 'pgq_admin') order by 1"));
        assertEquals(List.of("pgq_reader", "pgq_writer"), lines(c, "select r.rolname from pg_catalog.pg_auth_members m"
                + " join pg_catalog.pg_roles r on r.oid = m.roleid where m.member = 'pgq_admin'::regrole order by 1"));
    }

    /** Reference §1.8: the one group each function is granted to; public means everybody. */
    static Map<String, String> functionGroups() {
        Map<String, String> g = new LinkedHashMap<>();
        for (String f : List.of("seq_getval(text)", "get_queue_info()", "get_queue_info(text)", "get_consumer_info()",
                "get_consumer_info(text)", "get_consumer_info(text,text)", "quote_fqname(text)", "version()")) {
            g.put("pgq." + f, "public");
        }
        for (String f : List.of("batch_event_sql(bigint)", "batch_event_tables(bigint)",
                "find_tick_helper(integer,bigint,timestamp with time zone,bigint,bigint,interval)",
                "register_consumer(text,text)", "register_consumer_at(text,text,bigint)", "unregister_consumer(text,text)",
                "next_batch_info(text,text)", "next_batch(text,text)", "next_batch_custom(text,text,interval,integer,interval)",
                "get_batch_events(bigint)", "get_batch_info(bigint)", "get_batch_cursor(bigint,text,integer,text)",
                "get_batch_cursor(bigint,text,integer)", "event_retry(bigint,bigint,timestamp with time zone)",
                "event_retry(bigint,bigint,integer)", "batch_retry(bigint,integer)", "force_tick(text)",
                "finish_batch(bigint)")) {
            g.put("pgq." + f, "pgq_reader");
        }
        for (String f : List.of("insert_event(text,text,text)", "insert_event(text,text,text,text,text,text,text)",
                "current_event_table(text)", "insert_events(text,text[],text[],text[],text[],text[],text[])")) {
            g.put("pgq." + f, "pgq_writer");
        }
        for (String f : List.of("ticker(text,bigint,timestamp with time zone,bigint)", "ticker(text)", "ticker()",
                "maint_retry_events()", "maint_rotate_tables_step1(text)", "maint_rotate_tables_step2()",
                "maint_tables_to_vacuum()", "maint_operations()", "upgrade_schema()", "grant_perms(text)",
                "_grant_perms_from(text,text,text,text)", "tune_storage(text)", "seq_setval(text,bigint)",
                "create_queue(text)", "drop_queue(text,boolean)", "drop_queue(text)", "set_queue_config(text,text,text)",
                "insert_event_raw(text,bigint,timestamp with time zone,integer,integer,text,text,text,text,text,text)",
                "event_retry_raw(text,text,timestamp with time zone,bigint,timestamp with time zone,integer,text,text,text,text,text,text)")) {
            g.put("pgq." + f, "pgq_admin");
        }
        return g;
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
        Map<String, String> groups = functionGroups();
        assertEquals(new TreeSet<>(groups.keySet()), new TreeSet<>(lines(c, "select oid::regprocedure::text"
                + " from pg_catalog.pg_proc where pronamespace = 'pgq'::regnamespace")),
                "every function of schema pgq must have a group (or it keeps PostgreSQL's EXECUTE for public)");
        List<String> wrong = new ArrayList<>();
        for (String role : List.of(NOBODY, "pgq_reader", "pgq_writer", "pgq_admin")) {
            for (Map.Entry<String, String> f : groups.entrySet()) {
                boolean may = (Boolean) one(c, "select pg_catalog.has_function_privilege('" + role + "', '"
                        + f.getKey() + "', 'EXECUTE')");
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
                    if ((Boolean) one(c, "select pg_catalog.has_table_privilege('" + role + "', '" + t + "', '" + priv + "')")) {
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
        assertEquals(List.of("db/pgq/0.1/changelog.xml|12", "db/pgq/code/changelog.xml|42"), files);
        assertEquals(List.of("EXECUTED"), lines(c, "select distinct exectype from databasechangelog"));
    }
}
