package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pgqjava.testsupport.Sql.error;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.one;

import java.sql.Connection;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/**
 * SqlFunction: Java runs another pljvm function's method itself only while SQL would run that
 * method, and then in the function's context (owner, SET options), restored afterwards.
 */
@PgTest(setup = FixturesTemplate.class)
class SqlFunctionIT {
    private static final String D = "org.pgqjava.pljvm.fixtures.Direct.";

    private static void setUp(Connection c) throws SQLException {
        exec(c, "create schema if not exists d");
        exec(c, "create or replace function d.who(text) returns text language pljvm security definer"
                + " set search_path = pg_catalog, pg_temp as '" + D + "who'");
        exec(c, "create or replace function call(text, text) returns text language pljvm as '" + D + "call'");
        exec(c, "create or replace function leak(text) returns text language pljvm as '" + D + "leak'");
        exec(c, "create or replace function fail_inside(text) returns text language pljvm as '" + D + "failInside'");
        exec(c, "do $$ begin if not exists (select from pg_roles where rolname = 'direct_user') then"
                + " create role direct_user; end if; end $$");
        exec(c, "grant usage on schema d to direct_user");
        exec(c, "grant execute on function call(text, text) to direct_user");
    }

    @Test
    void runsInTheFunctionsContextAndRestoresTheCallers(Connection c) throws SQLException {
        setUp(c);
        String owner = (String) one(c, "select current_user");
        exec(c, "set search_path = public");
        assertEquals("t:" + owner + " {pg_catalog} | after caller:" + owner + " {pg_catalog,public}",
                one(c, "select call('d.who(text)', 't')"));
        // another user with EXECUTE runs it as the owner; without, it goes through SQL
        exec(c, "grant execute on function d.who(text) to direct_user");
        exec(c, "set role direct_user");
        assertEquals("t:" + owner + " {pg_catalog} | after caller:direct_user {pg_catalog,public}",
                one(c, "select call('d.who(text)', 't')"));
        exec(c, "reset role");
        // EXECUTE without USAGE on the schema: SQL could not name it, so neither may Java
        exec(c, "revoke usage on schema d from direct_user");
        exec(c, "set role direct_user");
        assertEquals("sql | after caller:direct_user {pg_catalog,public}", one(c, "select call('d.who(text)', 't')"));
        exec(c, "reset role");
        exec(c, "grant usage on schema d to direct_user");
        exec(c, "revoke execute on function d.who(text) from direct_user, public");
        exec(c, "set role direct_user");
        assertEquals("sql | after caller:direct_user {pg_catalog,public}", one(c, "select call('d.who(text)', 't')"));
        exec(c, "reset role");
    }

    @Test
    void aReplacedDroppedOrOtherFunctionGoesThroughSql(Connection c) throws SQLException {
        setUp(c);
        String owner = (String) one(c, "select current_user");
        assertEquals("t:" + owner + " {pg_catalog} | after caller:" + owner + " {pg_catalog,public}",
                one(c, "select call('d.who(text)', 't')"));
        // replaced by another language, then by another method: pg_proc changed, looked up again
        exec(c, "create or replace function d.who(text) returns text language sql as 'select $1'");
        assertEquals("sql | after caller:" + owner + " {pg_catalog,public}", one(c, "select call('d.who(text)', 't')"));
        exec(c, "create or replace function d.who(text) returns text language pljvm as '" + D + "leak'");
        assertEquals("sql | after caller:" + owner + " {pg_catalog,public}", one(c, "select call('d.who(text)', 't')"));
        // back to the method, not SECURITY DEFINER, no SET: the caller's context
        exec(c, "create or replace function d.who(text) returns text language pljvm as '" + D + "who'");
        assertEquals("t:" + owner + " {pg_catalog,public} | after caller:" + owner + " {pg_catalog,public}",
                one(c, "select call('d.who(text)', 't')"));
        exec(c, "drop function d.who(text)");
        assertEquals("sql | after caller:" + owner + " {pg_catalog,public}", one(c, "select call('d.who(text)', 't')"));
        assertEquals("sql | after caller:" + owner + " {pg_catalog,public}", one(c, "select call('d.nosuch(text)', 't')"));
        // in the same transaction as the change
        exec(c, "begin");
        exec(c, "create function d.who(text) returns text language pljvm security definer"
                + " set search_path = pg_catalog as '" + D + "who'");
        assertEquals("t:" + owner + " {pg_catalog} | after caller:" + owner + " {pg_catalog,public}",
                one(c, "select call('d.who(text)', 't')"));
        exec(c, "rollback");
        assertEquals("sql | after caller:" + owner + " {pg_catalog,public}", one(c, "select call('d.who(text)', 't')"));
    }

    /**
     * The pin search_path = pg_catalog, pg_temp in effect as SQL gives it: the session's
     * temporary schema last (where the caller's path has it first), the caller's path in effect
     * again afterwards; another SET as well.
     */
    @Test
    void theCatalogPinIsTheSamePathWithTheTemporarySchemaLast(Connection c) throws SQLException {
        setUp(c);
        String owner = (String) one(c, "select current_user");
        exec(c, "create temp table direct_tmp(x int)");
        String temp = (String) one(c, "select nspname from pg_namespace where oid = pg_my_temp_schema()");
        exec(c, "set search_path = public");
        String inside = "t:" + owner + " {pg_catalog," + temp + "}";
        String after = " | after caller:" + owner + " {" + temp + ",pg_catalog,public}";
        assertEquals(inside + after, one(c, "select call('d.who(text)', 't')"));
        // the same function called through SQL: the same path
        assertEquals(inside, one(c, "select d.who('t')"));
        // another SET: the GUC, as SQL sets it
        exec(c, "alter function d.who(text) set search_path = pg_catalog, public");
        assertEquals("t:" + owner + " {" + temp + ",pg_catalog,public}" + after, one(c, "select call('d.who(text)', 't')"));
        exec(c, "alter function d.who(text) set search_path = pg_catalog, pg_temp");
        assertEquals(inside + after, one(c, "select call('d.who(text)', 't')"));
        assertEquals("public", one(c, "show search_path"));
    }

    @Test
    void aContextLeftOpenIsClosedWhenTheCallReturnsAndAnErrorInsideRestoresToo(Connection c)
            throws SQLException {
        setUp(c);
        String owner = (String) one(c, "select current_user");
        exec(c, "grant execute on function d.who(text) to direct_user");
        exec(c, "grant execute on function leak(text), fail_inside(text) to direct_user");
        exec(c, "set role direct_user");
        exec(c, "set search_path = public");
        Sql.Warned leaked = Sql.warned(c, "select leak('d.who(text)')");
        assertEquals("leaked:" + owner + " {pg_catalog}", leaked.value());
        assertEquals(java.util.List.of("WARNING: pljvm: a direct function context was not closed; closing it"),
                leaked.warnings());
        assertEquals("direct_user public", one(c, "select current_user || ' ' || current_setting('search_path')"));
        assertEquals("22012", error(c, "select fail_inside('d.who(text)')").getSQLState());
        assertEquals("direct_user public", one(c, "select current_user || ' ' || current_setting('search_path')"));
        // caught by PL/pgSQL: the subtransaction's abort restores, the session goes on
        exec(c, "do $$ begin perform fail_inside('d.who(text)'); exception when division_by_zero then null; end $$");
        assertEquals("direct_user public", one(c, "select current_user || ' ' || current_setting('search_path')"));
        exec(c, "reset role");
    }
}
