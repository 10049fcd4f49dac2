package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.pgqjava.testsupport.Sql.describe;
import static org.pgqjava.testsupport.Sql.error;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.one;

import java.sql.Connection;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.util.ServerErrorMessage;

/**
 * What the hot call path saves must not change what Java sees: short text arguments reused as
 * the same String while the value repeats, Plan.executeLongOr, Pg.relationInvalidations, a
 * saved plan's column names interned for Row.get.
 */
@PgTest(setup = FixturesTemplate.class)
class CallPathIT {
    @Test
    void aRepeatedShortTextArgumentIsTheSameStringFromItsThirdCallOn(Connection c) throws SQLException {
        String big = "y".repeat(65);
        String[][] calls = {
            // {a, b, expected}: "=" the String of the previous call, "+" a new one
            {"q", "x", "q+,x+"},
            {"q", "x", "q+,x+"},      // the second time in a row: remembered, still a new String
            {"q", "x", "q=,x="},
            {"q", "z", "q=,z+"},      // one argument changes, the other stays
            {"q", "z", "q=,z+"},
            {"q", "x", "q=,x+"},      // an older value is not remembered
            {"", "x", "+,x+"},
            {"", "x", "+,x="},
            {"", "x", "=,x="},        // the empty string too
            {"é€", big, "é€+," + big + "+"},
            {"é€", big, "é€+," + big + "+"},
            {"é€", big, "é€=," + big + "+"},   // multi-byte kept; over 64 bytes never
            {"é€", big, "é€=," + big + "+"},
        };
        for (String[] k : calls) {
            assertEquals(k[2], one(c, "select jsame('" + k[0] + "', '" + k[1] + "')"), k[0] + " " + k[1]);
        }
        // SQL NULL in between: null in Java, and the value after it is new again
        assertEquals("null+,x+", one(c, "select jsame(null, 'x')"));
        assertEquals("é€+,x=", one(c, "select jsame('é€', 'x')"));
        // within one statement, row by row
        assertEquals("a+,b+ a+,b+ a=,b= c+,b= a+,b=", one(c, "select string_agg(jsame(v, 'b'), ' ' order by n)"
                + " from (values (1, 'a'), (2, 'a'), (3, 'a'), (4, 'c'), (5, 'a')) s(n, v)"));
        // a kept value is not taken for a shorter or longer one that starts the same
        exec(c, "select jsame('ab', 'b')");
        exec(c, "select jsame('ab', 'b')");
        assertEquals("ab=,b=", one(c, "select jsame('ab', 'b')"));
        assertEquals("a+,b=", one(c, "select jsame('a', 'b')"));
        assertEquals("abc+,b=", one(c, "select jsame('abc', 'b')"));
        // varchar arguments take the same path
        exec(c, "select jsame_vc('v', 'w')");
        exec(c, "select jsame_vc('v', 'w')");
        assertEquals("v=,w=", one(c, "select jsame_vc('v', 'w')"));
    }

    @Test
    void argumentsHandedOnToAStatementAreTheirOwnValues(Connection c) throws SQLException {
        for (int i = 0; i < 3; i++) {   // the first calls, and with the kept Strings
            assertEquals("v,t,tx,n,t,1", one(c, "select jpasson('t', 'v', 'n')"));
        }
        assertEquals("t,t,tx,t,t,1", one(c, "select jpasson('t', 't', 't')"), "equal values, distinct arguments");
        assertEquals("é,ü€,ü€x,ñ,ü€,1", one(c, "select jpasson('ü€', 'é', 'ñ')"));
        assertEquals("t,tx,n,t", one(c, "select jpasson('t', null, 'n')"), "NULL: concat_ws leaves it out");
        // a long value, and one read from a table (toasted: stored out of line, compressed)
        exec(c, "create table passon_t as select repeat('ab', 50000) as big, repeat('c', 70) as mid");
        assertEquals("v," + "ab".repeat(50000) + "," + "ab".repeat(50000) + "x,n," + "ab".repeat(50000) + ",1",
                one(c, "select jpasson(big, 'v', 'n') from passon_t"));
        assertEquals("c".repeat(70) + ",v,vx,n,v,70", one(c, "select jpasson('v', mid, 'n') from passon_t"));
    }

    @Test
    void aFunctionReplacedKeepsNoStringOfTheOldOne(Connection c) throws SQLException {
        exec(c, "create function jsame2(text, text) returns text language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.same'");
        for (int i = 0; i < 3; i++) {
            exec(c, "select jsame2('k', 'l')");
        }
        assertEquals("k=,l=", one(c, "select jsame2('k', 'l')"));
        // resolved again after the change: the first two calls build new Strings
        exec(c, "create or replace function jsame2(text, text) returns text language pljvm as"
                + " 'org.pgqjava.pljvm.fixtures.Fns.same'");
        assertEquals("k+,l+", one(c, "select jsame2('k', 'l')"));
        assertEquals("k+,l+", one(c, "select jsame2('k', 'l')"));
        assertEquals("k=,l=", one(c, "select jsame2('k', 'l')"));
    }

    @Test
    void aSavedPlansColumnNamesAreInternedAndRowGetFindsAnyEqualName(Connection c) throws SQLException {
        for (int i = 0; i < 2; i++) {   // the plan's first result, and later calls with its cached names
            assertEquals("interned,42,41,interned,42,41,8,7", one(c, "select jcolumnlookup(41)"));
        }
    }

    @Test
    void executeLongOrReturnsTheValueOrNoneWhereExecuteLongFails(Connection c) throws SQLException {
        assertEquals(5L, one(c, "select jlongor('select 5::int8')"));
        assertEquals(7L, one(c, "select jlongor('select 7::int4')"));
        assertEquals(-3L, one(c, "select jlongor('select -3::int2')"));
        assertEquals(-1L, one(c, "select jlongor('select 1 where false')"), "no row");
        assertEquals(-1L, one(c, "select jlongor('select null::int8')"), "NULL");
        exec(c, "create table longor_t(id int8 generated always as identity, v text)");
        assertEquals(1L, one(c, "select jlongor('insert into longor_t(v) values (''a'') returning id')"));
        assertEquals(-1L, one(c, "select jlongor('insert into longor_t(v) select ''b'' where false returning id')"));
        assertEquals(1L, one(c, "select count(*) from longor_t"));
        ServerErrorMessage e = error(c, "select jlongor('select ''x''::text')");
        assertEquals("42804", e.getSQLState(), describe(e));
        assertEquals("pljvm: Plan.executeLong needs an integer first column, got type 25", e.getMessage());
    }

    @Test
    void relationInvalidationsCountDropsSeenFromOtherSessions(Connection c, PgDatabase db) throws SQLException {
        exec(c, "create table inval_t(x int)");
        long before = (Long) one(c, "select jrelinvals()");
        try (Connection other = db.connect()) {
            exec(other, "drop table inval_t");
        }
        long after = (Long) one(c, "select jrelinvals()");
        assertNotEquals(before, after, "the drop, taken in at the next transaction");
        exec(c, "create table inval_u(x int)");
        assertNotEquals(after, one(c, "select jrelinvals()"), "this session's own DDL too");
    }
}
