package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.testsupport.Sql.error;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.one;
import static org.pgqjava.testsupport.Sql.rows;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.util.ServerErrorMessage;

/** Values in and out of Java: every supported type, NULLs, arrays, composites, SETOF, overloads. */
@PgTest(setup = FixturesTemplate.class)
class TypesIT {

    @Test
    void scalarsRoundTrip(Connection c) throws SQLException {
        assertEquals(42L, one(c, "select jnoop(42)"));
        assertEquals(Long.MIN_VALUE, one(c, "select jnoop('" + Long.MIN_VALUE + "'::int8)"));
        assertEquals(5, ((Number) one(c, "select ji2(4::int2)")).intValue());
        assertEquals(Integer.MAX_VALUE, one(c, "select ji4(" + (Integer.MAX_VALUE - 1) + ")"));
        assertEquals(3.0f, ((Number) one(c, "select jf4(1.5)")).floatValue());
        assertEquals(5.0, one(c, "select jf8(2.5)"));
        assertEquals(false, one(c, "select jnot(true)"));
        assertEquals("bytea", one(c, "select pg_typeof(jreverse('\\x01'))::text"));
    }

    @Test
    void textIsConvertedThroughUtf8(Connection c) throws SQLException {
        String s = "héllo € 😀 日本";
        try (PreparedStatement ps = c.prepareStatement("select jecho(?), jlength(?), jgreet(7, ?)")) {
            ps.setString(1, s);
            ps.setString(2, s);
            ps.setString(3, s);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(s, rs.getString(1));
                assertEquals(s.length(), rs.getInt(2)); // UTF-16 length: the emoji is 2 chars
                assertEquals(s + "#7", rs.getString(3));
            }
        }
        assertEquals("", one(c, "select jecho('')"));
        String big = "x".repeat(100_000) + "é";
        assertEquals(big.length(), one(c, "select jlength(repeat('x', 100000) || 'é')"));
        assertEquals("abc", one(c, "select jecho_vc('abc')"));
        assertEquals("abc", one(c, "select jecho_name('abc')"));
    }

    @Test
    void javaNulCharacterIsRejected(Connection c) {
        ServerErrorMessage e = error(c, "select jnul()");
        assertEquals("22021", e.getSQLState());
        assertTrue(e.getMessage().contains("invalid byte sequence"), e.getMessage());
    }

    @Test
    void nullsWithBoxedAndPrimitiveParameters(Connection c) throws SQLException {
        assertNull(one(c, "select jboxed(null)"));
        assertEquals(2L, one(c, "select jboxed(1)"));
        assertNull(one(c, "select jgreet(1, null)"));
        assertNull(one(c, "select jstrict(null)"));
        ServerErrorMessage e = error(c, "select jnoop(null)");
        assertEquals("22004", e.getSQLState());
        assertTrue(e.getMessage().contains("NULL passed to primitive parameter 1"), e.getMessage());
        assertTrue(e.getHint().contains("STRICT"), e.getHint());
    }

    @Test
    void byteaAndTimestamptz(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select jreverse(?)")) {
            ps.setBytes(1, new byte[] {1, 2, 3, 0, (byte) 255});
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertArrayEquals(new byte[] {(byte) 255, 0, 3, 2, 1}, rs.getBytes(1));
            }
        }
        assertEquals(true, one(c, "select jplushour('2020-02-29 23:30:00.123456+00') = '2020-03-01 00:30:00.123456+00'"));
        assertEquals(true, one(c, "select jplushour('1960-01-01 00:00:00.5+02') = '1960-01-01 01:00:00.5+02'"));
        assertEquals("infinity", one(c, "select jplushour('infinity')::text"));
        assertEquals("-infinity", one(c, "select jplushour('-infinity')::text"));
    }

    @Test
    void arrays(Connection c) throws SQLException {
        assertEquals(6L, one(c, "select jsum(array[1,2,3])"));
        assertEquals(0L, one(c, "select jsum('{}')"));
        assertEquals(2, one(c, "select jcountnulls(array[1,null,3,null]::int8[])"));
        Array upper = (Array) one(c, "select jupper(array['a', null, 'é'])");
        assertArrayEquals(new Object[] {"A", null, "É"}, (Object[]) upper.getArray());
        Array range = (Array) one(c, "select jrange(4)");
        assertArrayEquals(new Long[] {0L, 1L, 2L, 3L}, (Object[]) range.getArray());
        ServerErrorMessage e = error(c, "select jsum(array[1,null])");
        assertEquals("22004", e.getSQLState());
        assertTrue(e.getHint().contains("boxed"), e.getHint());
        assertEquals("2202E", error(c, "select jsum('{{1,2},{3,4}}')").getSQLState());
    }

    @Test
    void typesWithoutJavaMappingPassAsText(Connection c) throws SQLException {
        exec(c, "create function jecho_json(jsonb) returns jsonb language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.echo'");
        exec(c, "create function jecho_iv(interval) returns interval language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.echo'");
        assertEquals(true, one(c, "select jecho_json('{\"a\": [1, 2]}') = '{\"a\": [1, 2]}'::jsonb"));
        assertEquals(true, one(c, "select jecho_iv('3 seconds') = interval '3 seconds'"));
        exec(c, "create function jtext_iv(text) returns interval language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.echo'");
        assertEquals(true, one(c, "select jtext_iv('1 hour') = interval '1 hour'"));
        // the String Java returns goes through interval's input function
        assertEquals("22007", error(c, "select jtext_iv('nonsense')").getSQLState());
    }

    @Test
    void voidResult(Connection c) throws SQLException {
        assertEquals("", one(c, "select jnothing(1)::text"));
    }

    @Test
    void overloadsResolveBySqlType(Connection c) throws SQLException {
        assertEquals("long", one(c, "select jover(1::int8)"));
        assertEquals("String", one(c, "select jover('x'::text)"));
        exec(c, "create function jabs(int8) returns int8 language pljvm as 'java.lang.Math.abs'");
        exec(c, "create function jabs4(int4) returns int4 language pljvm as 'java.lang.Math.abs'");
        exec(c, "create function jabsf(float8) returns float8 language pljvm as 'java.lang.Math.abs'");
        assertEquals(5L, one(c, "select jabs(-5)"));
        assertEquals(5, one(c, "select jabs4(-5)"));
        assertEquals(2.5, one(c, "select jabsf(-2.5)"));
    }

    @Test
    void compositeAndRecordResults(Connection c) throws SQLException {
        assertEquals(List.of(List.of(1L, "x")), rows(c, "select * from jpair(1, 'x')"));
        assertEquals("(2,y)", one(c, "select jpair(2, 'y')::text"));
        assertEquals(List.of(java.util.Arrays.asList(null, null)), rows(c, "select * from jnullrow()"));
        exec(c, "create type pair as (a int8, b text)");
        exec(c, "create function jpairtype(int8, text) returns pair language pljvm"
                + " as 'org.pgqjava.pljvm.fixtures.Fns.pair'");
        assertEquals(List.of(List.of(3L, "z")), rows(c, "select * from jpairtype(3, 'z')"));
        assertEquals("z", one(c, "select (jpairtype(3, 'z')).b"));
    }

    @Test
    void setReturningFunctions(Connection c) throws SQLException {
        assertEquals(List.of(List.of(1L), List.of(2L), List.of(3L)), rows(c, "select * from jseries(3)"));
        assertEquals(List.of(List.of(1L), List.of(2L)), rows(c, "select jseries(2)"));
        assertEquals(List.of(), rows(c, "select * from jseries(0)"));
        assertEquals(List.of(List.of(1L, "row 1"), List.of(2L, "row 2")), rows(c, "select * from jrows(2)"));
        assertEquals(10000L, one(c, "select count(*) from jrows(10000)"));
        assertEquals(List.of(List.of(2L)), rows(c, "select n from jrows(3) where s = 'row 2'"));
    }

    @Test
    void sqlRowsStreamIntoTheResult(Connection c) throws SQLException {
        exec(c, "create function jevens(int8) returns setof int8 language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.evens'");
        exec(c, "create function jpairs(text, out a int8, out b text) returns setof record language pljvm"
                + " as 'org.pgqjava.pljvm.fixtures.Fns.pairsFrom'");
        assertEquals(List.of(List.of(2L), List.of(4L)), rows(c, "select * from jevens(5)"));
        assertEquals(250_000L, one(c, "select count(*) from jevens(500000)")); // many cursor chunks
        assertEquals(List.of(List.of(1L, "x"), List.of(2L, "y")),
                rows(c, "select * from jpairs('select * from (values (1::int8, ''x''), (2, ''y'')) v order by 1')"));
        assertEquals(List.of(List.of(7L, "fetched")), rows(c, "select * from jpairs('values (7::int8, ''fetched'')')"));
        ServerErrorMessage e = error(c, "select * from jpairs('select 1::int4, ''x''')");
        assertEquals("42804", e.getSQLState());
        assertTrue(e.getMessage().contains("do not match"), e.getMessage());
        assertEquals("22012", error(c, "select * from jpairs('select (1/0)::int8, ''x''')").getSQLState());
    }

    @Test
    void spiResultsComeBackTyped(Connection c) throws SQLException {
        String d = (String) one(c, "select jdescribe($$select 1::int2 a, 2::int4 b, 3::int8 c, 1.5::float4 d,"
                + " 2.5::float8 e, true f, 'x'::text g, 'n'::name h, '2020-01-01 00:00:00+00'::timestamptz i,"
                + " array[1,2]::int8[] j, array['a',null]::text[] k, '{\"a\":1}'::jsonb l, null::int8 m$$)");
        assertEquals("a,b,c,d,e,f,g,h,i,j,k,l,m|Short:1,Integer:2,Long:3,Float:1.5,Double:2.5,Boolean:true,"
                + "String:x,String:n,OffsetDateTime:2020-01-01T00:00Z,Long[]:[1, 2],String[]:[a, null],"
                + "String:{\"a\": 1},null", d);
        assertEquals(3L, one(c, "select jprocessed('select * from generate_series(1,3)')"));
        exec(c, "insert into t select i, 'x' from generate_series(1,5) i");
        assertEquals(5L, one(c, "select jprocessed('update t set txt = ''y''')"));
    }

    @Test
    void spiWritesThroughSavedPlans(Connection c) throws SQLException {
        exec(c, "truncate t");
        exec(c, "select jinsert(1, 'one')");
        exec(c, "select jinsert(2, null)");
        c.setAutoCommit(false);
        exec(c, "select jinsert(3, 'rolled back')");
        c.rollback();
        c.setAutoCommit(true);
        exec(c, "select jinsert(4, 'after rollback')"); // the plan survives the aborted transaction
        assertEquals(List.of(List.of(1L, "one"), java.util.Arrays.asList(2L, null), List.of(4L, "after rollback")),
                rows(c, "select id, txt from t order by id"));
        assertEquals(1000L, one(c, "select jinsertmany(1000)"));
        assertEquals(1003L, one(c, "select count(*) from t"));
    }

    @Test
    void transactionFacts(Connection c) throws SQLException {
        exec(c, "create function jlxid() returns int8 language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.lxid'");
        exec(c, "create function jtxsnap() returns bool language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.txSnapshot'");
        assertEquals(true, one(c, "select jlxid() = jlxid()"));
        long first = (Long) one(c, "select jlxid()");
        long second = (Long) one(c, "select jlxid()");
        assertTrue(second > first, first + " then " + second);
        assertEquals(false, one(c, "select jtxsnap()"));
        exec(c, "create function jassign() returns bool language pljvm as 'org.pgqjava.pljvm.fixtures.Fns.assignsTxid'");
        assertEquals(true, one(c, "select jassign()"));
        c.setAutoCommit(false);
        exec(c, "set transaction isolation level repeatable read");
        assertEquals(true, one(c, "select jtxsnap()"));
        long inTx = (Long) one(c, "select jlxid()");
        assertEquals(inTx, one(c, "select jlxid()"));
        c.rollback();
        exec(c, "set transaction isolation level serializable");
        assertEquals(true, one(c, "select jtxsnap()"));
        c.rollback();
        c.setAutoCommit(true);
    }

    @Test
    void nestedJavaSqlJava(Connection c) throws SQLException {
        assertEquals(30L, one(c, "select jnest(30)"));
    }
}
