package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.testsupport.Sql.describe;
import static org.pgqjava.testsupport.Sql.error;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.one;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.util.ServerErrorMessage;

/** Parameters of type SqlArg: the argument handed on to SQL as it came, valid during its call. */
@PgTest(setup = FixturesTemplate.class)
class SqlArgIT {
    @Test
    void anArrayGoesToSqlUnconvertedAndJavaSeesItsShape(Connection c) throws SQLException {
        assertEquals(3L, one(c, "select jargcount('{a,NULL,c}')"));
        assertEquals(0L, one(c, "select jargcount('{}')"));
        assertEquals(-2L, one(c, "select jargcount(null)"), "SQL NULL is Java null");
        assertEquals(100000L, one(c, "select jargcount(array_fill('x'::text, array[100000]))"));
        // from a client parameter, and a value read from a table (toasted: compressed)
        try (PreparedStatement ps = c.prepareStatement("select jargcount(?)")) {
            ps.setArray(1, c.createArrayOf("text", new String[] {"x", "y"}));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(2L, rs.getLong(1));
            }
        }
        exec(c, "create table sqlarg_t as select array_fill(repeat('z', 100), array[5000]) as a");
        assertEquals(5000L, one(c, "select jargcount(a) from sqlarg_t"));

        assertEquals("1:3", one(c, "select jargshape('{1,2,3}')"));
        assertEquals("2:6", one(c, "select jargshape('{{1,2,3},{4,5,6}}')"));
        assertEquals("0:0", one(c, "select jargshape('{}')"));
        assertEquals("1:2", one(c, "select jargshape('[5:6]={7,8}')"));
        assertEquals("ab!", one(c, "select jargecho('ab')"), "a scalar works too");
    }

    @Test
    void aSqlArgOfACallThatReturnedIsAnErrorWithAHint(Connection c) throws SQLException {
        assertEquals(2L, one(c, "select jargkeep('{a,b}')"));
        ServerErrorMessage e = error(c, "select jargstale()");
        assertEquals("55000", e.getSQLState(), describe(e));
        assertEquals("pljvm: statement parameter 1 is a SqlArg of a call that has returned", e.getMessage());
        assertNotNull(e.getHint(), describe(e));
        // within one statement, every call is a call of its own
        e = error(c, "select jargkeep('{a}') + jargstale()");
        assertEquals("55000", e.getSQLState(), describe(e));
        assertEquals(1L, one(c, "select jargcount('{x}')"), "the session goes on");
    }

    @Test
    void aSqlArgOfAnotherTypeIsAnError(Connection c) throws SQLException {
        ServerErrorMessage e = error(c, "select jargmismatch('{1,2}')");
        assertEquals("42804", e.getSQLState(), describe(e));
        assertEquals("pljvm: statement parameter 1 is text[], but the SqlArg passed for it is argument 1 of type bigint[]",
                e.getMessage());
    }

    @Test
    void theStatementCannotChangeTheCallersValue(Connection c) throws SQLException {
        assertEquals("{1,2,99}", one(c, "select jargappend('{1,2}')::text"));
        // a PL/pgSQL variable (an expanded array) passed on stays as it was
        exec(c, "create function sqlarg_plpgsql() returns text language plpgsql as $$"
                + " declare a int4[] := '{1}'; r int4[];"
                + " begin a := a || 2; a := a || 3; r := jargappend(a); return r::text || '|' || a::text; end $$");
        assertEquals("{1,2,3,99}|{1,2,3}", one(c, "select sqlarg_plpgsql()"));
    }

    @Test
    void onlyParametersCanBeSqlArgs(Connection c) throws SQLException {
        ServerErrorMessage e = error(c, "create function jargself(text) returns text language pljvm"
                + " as 'org.pgqjava.pljvm.fixtures.Fns.argSelf'");
        assertEquals("42883", e.getSQLState(), describe(e));
        assertTrue(e.getMessage().contains("no public static method org.pgqjava.pljvm.fixtures.Fns.argSelf"), describe(e));
    }
}
