package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.testsupport.Sql.error;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.one;
import static org.pgqjava.testsupport.Sql.pid;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;
import org.postgresql.util.ServerErrorMessage;

/** Errors both ways, and Java failures that must not take the backend down. */
@PgTest(setup = FixturesTemplate.class)
class ErrorsIT {

    @Test
    void javaExceptionBecomesErrorWithStack(Connection c) {
        ServerErrorMessage e = error(c, "select jfail('kaput')");
        assertEquals("38000", e.getSQLState());
        assertEquals("java.lang.IllegalStateException: kaput", e.getMessage());
        assertTrue(e.getDetail().startsWith("Java stack:"), e.getDetail());
        assertTrue(e.getDetail().contains("org.pgqjava.pljvm.fixtures.Fns.fail"), e.getDetail());
    }

    @Test
    void pgExceptionKeepsItsSqlStateDetailAndHint(Connection c) {
        ServerErrorMessage e = error(c, "select jfailstate('22023', 'bad thing')");
        assertEquals("22023", e.getSQLState());
        assertEquals("bad thing", e.getMessage());
        assertEquals("some detail", e.getDetail());
        assertEquals("some hint", e.getHint());
        assertEquals("P0001", error(c, "select jfailstate('P0001', 'like raise exception')").getSQLState());
    }

    @Test
    void sqlErrorReachesClientUnchanged(Connection c) {
        ServerErrorMessage e = error(c, "select jdiv()");
        assertEquals("22012", e.getSQLState());
        assertEquals("division by zero", e.getMessage());
        assertTrue(e.getWhere().contains("select 1/0"), e.getWhere());
    }

    @Test
    void swallowedSqlErrorIsStillRaised(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            ServerErrorMessage e = ((org.postgresql.util.PSQLException) org.junit.jupiter.api.Assertions
                    .assertThrows(SQLException.class, () -> s.execute("select jswallow()"))).getServerErrorMessage();
            assertEquals("22012", e.getSQLState());
            SQLWarning w = s.getWarnings();
            assertTrue(w != null && w.getMessage().contains("caught an SQL error"), String.valueOf(w));
        }
    }

    @Test
    void noMoreSqlAfterAnErrorInTheSameCall(Connection c) {
        // Java tried a second statement after the error and got 25P02; the first error still wins.
        ServerErrorMessage e = error(c, "select jafter()");
        assertEquals("22012", e.getSQLState());
    }

    @Test
    void plpgsqlExceptionBlockCatchesJavaErrors(Connection c) throws SQLException {
        exec(c, "create function catcher(op text) returns text language plpgsql as $$"
                + " begin"
                + "   if op = 'div' then perform jdiv(); else perform jfail('boom'); end if;"
                + "   return 'no error';"
                + " exception when others then return sqlstate || ' ' || sqlerrm; end $$");
        assertEquals("22012 division by zero", one(c, "select catcher('div')"));
        assertEquals("38000 java.lang.IllegalStateException: boom", one(c, "select catcher('java')"));
        assertEquals(7L, one(c, "select jnoop(7)"));
        exec(c, "truncate t");
        exec(c, "create function insert_then_fail() returns text language plpgsql as $$"
                + " begin perform jinsert(1, 'kept'); begin perform jinsert(2, 'undone'); perform jdiv();"
                + " exception when division_by_zero then null; end; return 'ok'; end $$");
        assertEquals("ok", one(c, "select insert_then_fail()"));
        assertEquals("kept", one(c, "select string_agg(txt, ',') from t"));
    }

    @Test
    void subtransactionsLetJavaCatchSqlErrors(Connection c, org.pgqjava.testsupport.PgDatabase db) throws Exception {
        String f = "org.pgqjava.pljvm.fixtures.Fns.";
        exec(c, "create function jsubx_catch() returns text language pljvm as '" + f + "subxCatch'");
        exec(c, "create function jsubx_commit() returns int8 language pljvm as '" + f + "subxCommit'");
        exec(c, "create function jsubx_swallow() returns text language pljvm as '" + f + "subxSwallow'");
        exec(c, "create function jsubx_lock(text) returns text language pljvm as '" + f + "subxLock'");
        exec(c, "create function jsubx_after() returns text language pljvm as '" + f + "subxAfterError'");
        exec(c, "create function jsubx_nested(int8) returns int8 language pljvm as '" + f + "subxNested'");
        exec(c, "truncate t");
        assertEquals("22012", one(c, "select jsubx_catch()"));
        assertEquals(1L, one(c, "select jsubx_commit()"));
        assertEquals("rethrown 22012 division by zero", one(c, "select jsubx_swallow()"));
        assertEquals(1L, one(c, "select jsubx_nested(20)"));
        assertEquals("1,3,4,6", one(c, "select string_agg(id::text, ',' order by id) from t"));

        assertEquals("locked", one(c, "select jsubx_lock('t')"));
        try (Connection other = db.connect()) {
            other.setAutoCommit(false);
            exec(other, "lock table t in access exclusive mode");
            assertEquals("55P03", one(c, "select jsubx_lock('t')"));
            other.rollback();
        }
        // an error outside the subtransaction cannot be undone: it wins
        assertEquals("22012", error(c, "select jsubx_after()").getSQLState());
        assertEquals(1L, one(c, "select jnoop(1)"));
    }

    @Test
    void innerJavaExceptionPropagatesThroughNestedCalls(Connection c) throws SQLException {
        exec(c, "create function nest_fail(n int8) returns int8 language sql as 'select jfail(''inner '' || n)'");
        exec(c, "create function jcallsql(text) returns int8 language pljvm"
                + " as 'org.pgqjava.pljvm.fixtures.Fns.count'");
        ServerErrorMessage e = error(c, "select jcallsql('(select nest_fail(3)) s')");
        assertEquals("38000", e.getSQLState());
        assertEquals("java.lang.IllegalStateException: inner 3", e.getMessage());
    }

    @Test
    void outOfMemoryIsAnErrorAndTheBackendGoesOn(Connection c) throws SQLException {
        int pid = pid(c);
        ServerErrorMessage e = error(c, "select jallocate(1000)"); // -Xmx64m by default
        assertEquals("38000", e.getSQLState());
        assertTrue(e.getMessage().contains("OutOfMemoryError"), e.getMessage());
        assertEquals(3L, one(c, "select jnoop(3)"));
        assertEquals(10L, one(c, "select jallocate(10)"));
        assertEquals(pid, pid(c));
    }

    @Test
    void stackOverflowIsAnError(Connection c) throws SQLException {
        int pid = pid(c);
        ServerErrorMessage e = error(c, "select jrecurse(10000000)");
        assertEquals("38000", e.getSQLState());
        assertEquals("java.lang.StackOverflowError", e.getMessage());
        assertEquals(1000L, one(c, "select jrecurse(1000)"));
        assertEquals(pid, pid(c));
    }

    @Test
    void withTheExitGuardSystemExitEndsTheCallNotTheBackend(Connection fresh) throws SQLException {
        exec(fresh, "set pljvm.exit_guard = on");   // before this backend's JVM starts
        int pid = pid(fresh);
        Sql.Warned first = Sql.warned(fresh, "select jnoop(1)");   // the JVM starts here
        assertEquals(1L, first.value());
        assertEquals(List.of(), first.warnings(), "the guard is in place on this JDK: nothing to warn of");
        ServerErrorMessage e = error(fresh, "select jexit(3)");
        assertEquals("38000", e.getSQLState());
        assertTrue(e.getMessage().contains("System.exit(3) is not allowed"), e.getMessage());
        assertEquals(pid, pid(fresh));
        assertEquals(1L, one(fresh, "select jnoop(1)"));
    }

    @Test
    void withoutTheExitGuardSystemExitEndsOnlyTheSession(Connection c, org.pgqjava.testsupport.PgDatabase db,
            org.pgqjava.testsupport.PgServer server) throws Exception {
        Object started = one(c, "select pg_postmaster_start_time()");
        int victim;
        try (Connection v = db.connect()) {
            exec(v, "set pljvm.exit_guard = off");   // the default; said here, as the test is about it
            victim = pid(v);
            Sql.Warned first = Sql.warned(v, "select jnoop(1)");   // the JVM starts here
            assertEquals(1L, first.value());
            assertEquals(List.of(), first.warnings(), "no warning when the guard is off by choice");
            ServerErrorMessage e = error(v, "select jexit(4)");
            assertEquals("FATAL", e.getSeverity());
            assertEquals("pljvm: Java called System.exit(4); ending the session", e.getMessage());
            assertTrue(v.isClosed() || !v.isValid(2), "the session ended");
        }
        Backends.awaitBackendExit(server, c, victim);
        assertEquals(started, one(c, "select pg_postmaster_start_time()"), "no crash-restart of the server");
        assertEquals(1L, one(c, "select jnoop(1)"));
    }

    @Test
    void aStatementKeepsItsResultWhenSqlItRunsPreparesManyPlans(Connection c) throws SQLException {
        // jdescribe runs its statement through a saved plan; jprepare_many, called by that
        // statement, prepares 300 more plans, which moves the C host's plan array
        for (int i = 0; i < 2; i++) {
            assertEquals("n,k|Long:44850,Integer:1", one(c, "select jdescribe('select jprepare_many(300) as n, 1 as k')"));
        }
    }

    @Test
    void otherThreadsMayNotUseSpi(Connection c) throws SQLException {
        String r = (String) one(c, "select jthread()");
        assertTrue(r.startsWith("refused: pljvm: only the backend thread may use SPI"), r);
    }

    @Test
    void noticesReachTheClient(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("select jnotice('hello from Java')");
            SQLWarning w = s.getWarnings();
            assertEquals("hello from Java", w == null ? null : w.getMessage());
        }
    }

    @Test
    void badFunctionsAreRefusedAtCreate(Connection c) {
        ServerErrorMessage e = error(c, "create function b1() returns int8 language pljvm as 'org.nope.X.y'");
        assertEquals("42883", e.getSQLState());
        assertEquals("pljvm: class org.nope.X not found", e.getMessage());
        assertTrue(e.getHint().contains("pljvm.install_jar"), e.getHint());

        e = error(c, "create function b2(int8) returns int8 language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.greet'");
        assertEquals("42883", e.getSQLState());
        assertTrue(e.getMessage().contains("no public static method org.pgqjava.pljvm.fixtures.Fns.greet"),
                e.getMessage());
        assertTrue(e.getDetail().contains("greet(long,java.lang.String)"), e.getDetail());

        e = error(c, "create function b3() returns int8 language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.nosuch'");
        assertEquals("42883", e.getSQLState());
        assertTrue(e.getDetail().contains("no public static method named nosuch"), e.getDetail());

        e = error(c, "create function b4(anyelement) returns int8 language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.noop'");
        assertEquals("0A000", e.getSQLState());
        assertEquals("pljvm functions cannot take type anyelement", e.getMessage());

        e = error(c, "create function b5(jsonb) returns int8 language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.noop'");
        assertEquals("42883", e.getSQLState()); // jsonb comes as String, noop takes long

        // a trigger function's method takes a TriggerData (TriggerIT); event triggers are refused
        e = error(c, "create function b6() returns trigger language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.noop'");
        assertEquals("42883", e.getSQLState());
        e = error(c, "create function b6e() returns event_trigger language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.noop'");
        assertEquals("0A000", e.getSQLState());

        e = error(c, "create function b7(int8) returns int8 language pljvm as 'noop'");
        assertEquals("42P13", e.getSQLState());

        e = error(c, "create function b8(int8) returns int8 language pljvm as 'java.lang.Math.max'");
        assertEquals("42883", e.getSQLState()); // max takes two arguments
    }

    @Test
    void checkFunctionBodiesOffDefersTheCheckToTheFirstCall(Connection c) throws SQLException {
        exec(c, "set check_function_bodies = off");
        exec(c, "create function late() returns int8 language pljvm as 'org.nope.Late.x'");
        exec(c, "reset check_function_bodies");
        ServerErrorMessage e = error(c, "select late()");
        assertEquals("42883", e.getSQLState());
        assertEquals("pljvm: class org.nope.Late not found", e.getMessage());
    }

    @Test
    void replacedFunctionDefinitionIsPickedUp(Connection c) throws SQLException {
        exec(c, "create function swap(int8) returns int8 language pljvm as 'java.lang.Math.abs'");
        assertEquals(4L, one(c, "select swap(-4)"));
        exec(c, "create or replace function swap(int8) returns int8 language pljvm as 'java.lang.Math.negateExact'");
        assertEquals(4L, one(c, "select swap(-4)"));
        assertNull(null);
    }
}
