package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pgq.PgqOps.createTickingQueue;
import static org.pgqjava.pgq.PgqOps.drainEvents;
import static org.pgqjava.pgq.PgqOps.register;
import static org.pgqjava.pgq.PgqOps.tick;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pgqjava.pgq.PgqOps.Event;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * pgq.insert_event(3) is insert_event(7) with NULL extras, SECURITY INVOKER, as PgQ's wrapper:
 * it runs insert_event(7)'s Java directly in that function's context while insert_event(7) is
 * pgq-java's own and the caller may execute it; a replaced insert_event(7) is what runs, and a
 * caller without EXECUTE on it is refused, as in PgQ.
 */
@PgTest(setup = PgqTemplate.class)
class InsertEventWrapperIT {
    private static final String ROLE = "pgqt_iew_" + ProcessHandle.current().pid();
    private static final String SEVEN = "pgq.insert_event(text, text, text, text, text, text, text)";

    /**
     * insert_event(7)'s pin is entered as the GUC in the direct path too, so code nested in it
     * (here a user's trigger on the event table with a SET search_path of its own) gets its own
     * path, as through SQL: an override search path would withhold it (the pattern of
     * CVE-2023-2454; docs/pljvm.md).
     */
    @Test
    void codeNestedInTheDirectPathGetsItsOwnSearchPath(Connection c) throws SQLException {
        createTickingQueue(c, "nest");
        Sql.exec(c, "create table nest_log (via text, schemas text, setting text)");
        Sql.exec(c, "create function public.nest_spy() returns trigger language plpgsql set search_path = public as $$"
                + " begin insert into public.nest_log values (new.ev_data, current_schemas(true)::text,"
                + " current_setting('search_path')); return null; end $$");
        String table = (String) Sql.one(c, "select pgq.current_event_table('nest')");
        Sql.exec(c, "create trigger nest_spy after insert on " + table + " for each row execute function public.nest_spy()");
        Sql.exec(c, "select pgq.insert_event('nest', 't', 'direct')");
        Sql.exec(c, "select pgq.insert_event('nest', 't', 'sql', null, null, null, null)");
        assertEquals(List.of(List.of("direct", "{pg_catalog,public}", "public"),
                List.of("sql", "{pg_catalog,public}", "public")),
                Sql.rows(c, "select via, schemas, setting from nest_log order by via"));
    }

    @Test
    void insertEvent3IsInsertEvent7WithoutExtrasAsTheCallerWouldCallIt(Connection c, PgDatabase db)
            throws SQLException {
        createTickingQueue(c, "iew");
        register(c, "iew", "cons");
        String ours = (String) Sql.one(c, "select pg_get_functiondef(?::regprocedure)", SEVEN);
        Sql.exec(c, "drop role if exists " + ROLE);
        Sql.exec(c, "create role " + ROLE + " login in role pgq_writer");
        try (Connection w = DriverManager.getConnection(
                db.jdbcUrl().replace("user=" + db.server().superuser(), "user=" + ROLE))) {
            // a writer's search_path does not matter: the Java runs with insert_event(7)'s pin
            Sql.exec(w, "set search_path = public");
            long first = Sql.oneLong(w, "select pgq.insert_event('iew', 'ty', 'one')");
            long second = Sql.oneLong(w, "select pgq.insert_event('iew', 'ty', 'two', 'x1', null, null, 'x4')");
            tick(c, "iew");
            List<Event> got = drainEvents(c, "iew", "cons");
            assertEquals(List.of(first, second), List.of(got.get(0).id(), got.get(1).id()));
            assertEquals(new Event(first, got.get(0).txid(), null, "ty", "one", null, null, null, null), got.get(0));
            assertEquals("search_path=public", Sql.one(w, "select 'search_path=' || current_setting('search_path')"),
                    "the caller's setting is its own again");

            // replaced: insert_event(3) calls the replacement by name, as PgQ's wrapper does
            Sql.exec(c, "create table iew_captured (who text, t text, d text, e1 text)");
            Sql.exec(c, "grant insert on iew_captured to public");
            Sql.exec(c, "create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text,"
                    + " ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text) returns bigint language sql"
                    + " as $$ insert into public.iew_captured values (current_user, ev_type, ev_data, ev_extra1);"
                    + " select -1::bigint $$");
            assertEquals(-1L, Sql.oneLong(w, "select pgq.insert_event('iew', 'ty', 'captured')"));
            assertEquals(List.of(List.of(ROLE, "ty", "captured")), Sql.rows(c, "select who, t, d from iew_captured"
                    + " where e1 is null"));

            // what the replacement returns is what insert_event(3) returns, NULL too (PgQ's wrapper returns it)
            Sql.exec(c, "create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text,"
                    + " ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text) returns bigint language sql"
                    + " as 'select null::bigint'");
            assertEquals(true, Sql.one(w, "select pgq.insert_event('iew', 'ty', 'nothing') is null"));

            // pgq-java's own again: the direct path, nothing captured
            Sql.exec(c, ours);
            Sql.exec(c, "truncate iew_captured");
            long third = Sql.oneLong(w, "select pgq.insert_event('iew', 'ty', 'three')");
            assertEquals(0L, Sql.oneLong(c, "select count(*) from iew_captured"));

            // no EXECUTE on insert_event(7): refused as PgQ's wrapper is refused
            Sql.exec(c, "revoke execute on function " + SEVEN + " from pgq_writer, public");
            String msg = Sql.assertSqlState("42501", w, "select pgq.insert_event('iew', 'ty', 'refused')");
            assertTrue(msg.startsWith("permission denied for function insert_event"), msg);
            Sql.exec(c, "grant execute on function " + SEVEN + " to pgq_writer");
            long fourth = Sql.oneLong(w, "select pgq.insert_event('iew', 'ty', 'four')");
            tick(c, "iew");
            assertEquals(List.of(third, fourth), drainEvents(c, "iew", "cons").stream().map(Event::id).toList());
        } finally {
            Sql.exec(c, ours);
            Sql.exec(c, "drop owned by " + ROLE);
            Sql.exec(c, "drop role " + ROLE);
        }
    }
}
