package org.pgqjava.pljvm;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.pgqjava.testsupport.TemplateSetup;

/**
 * Template database for the pljvm tests: the extension, the fixtures jar on the global class
 * path, table {@code t}, and one SQL function per fixture method (named {@code j<name>}).
 */
public final class FixturesTemplate implements TemplateSetup {
    private static final String FNS = "org.pgqjava.pljvm.fixtures.Fns.";

    /** {SQL signature and return clause, Java method}. */
    static final String[][] FUNCTIONS = {
        {"jnoop(int8) returns int8", "noop"},
        {"ji2(int2) returns int2", "i2"},
        {"ji4(int4) returns int4", "i4"},
        {"jboxed(int8) returns int8", "boxed"},
        {"jf4(float4) returns float4", "f4"},
        {"jf8(float8) returns float8", "f8"},
        {"jnot(bool) returns bool", "not"},
        {"jgreet(int8, text) returns text", "greet"},
        {"jecho(text) returns text", "echo"},
        {"jecho_vc(varchar) returns varchar", "echo"},
        {"jecho_name(name) returns name", "echo"},
        {"jlength(text) returns int4", "length"},
        {"jnul() returns text", "nul"},
        {"jreverse(bytea) returns bytea", "reverse"},
        {"jplushour(timestamptz) returns timestamptz", "plusHour"},
        {"jsum(int8[]) returns int8", "sum"},
        {"jcountnulls(int8[]) returns int4", "countNulls"},
        {"jupper(text[]) returns text[]", "upper"},
        {"jrange(int8) returns int8[]", "range"},
        {"jnothing(int8) returns void", "nothing"},
        {"jover(int8) returns text", "over"},
        {"jover(text) returns text", "over"},
        {"jpair(int8, text, out a int8, out b text)", "pair"},
        {"jnullrow(out a int8, out b text)", "nullRow"},
        {"jseries(int8) returns setof int8", "series"},
        {"jrows(int8, out n int8, out s text) returns setof record", "rows"},
        {"jfail(text) returns int8", "fail"},
        {"jfailstate(text, text) returns int8", "failState"},
        {"jdiv() returns int8", "divZero"},
        {"jswallow() returns text", "swallow"},
        {"jafter() returns text", "afterError"},
        {"jrecurse(int8) returns int8", "recurse"},
        {"jallocate(int8) returns int8", "allocate"},
        {"jexit(int4) returns int8", "exit"},
        {"jcount(text) returns int8", "count"},
        {"jinsert(int8, text) returns void", "insert"},
        {"jinsertmany(int8) returns int8", "insertMany"},
        {"jdescribe(text) returns text", "describe"},
        {"jprocessed(text) returns int8", "processed"},
        {"jprepare_many(int8) returns int8", "prepareMany"},
        {"jnest(int8) returns int8", "nest"},
        {"jnotice(text) returns void", "notice"},
        {"jsleep(int8) returns int8", "sleep"},
        {"jspin(int8) returns int8", "spin"},
        {"jsqlsleep(float8) returns int8", "sqlSleep"},
        {"jthread() returns text", "fromThread"},
        {"jparkthread(text) returns text", "parkThread"},
        {"jargcount(text[]) returns int8", "argCount"},
        {"jargshape(int4[]) returns text", "argShape"},
        {"jargecho(text) returns text", "argEcho"},
        {"jargkeep(text[]) returns int8", "argKeep"},
        {"jargstale() returns int8", "argStale"},
        {"jargmismatch(int8[]) returns int8", "argMismatch"},
        {"jargappend(int4[]) returns int4[]", "argAppend"},
        {"jsame(text, text) returns text", "same"},
        {"jsame_vc(varchar, varchar) returns text", "same"},
        {"jlongor(text) returns int8", "longOr"},
        {"jrelinvals() returns int8", "relationInvalidations"},
        {"jcolumnlookup(int8) returns text", "columnLookup"},
        {"jpasson(text, varchar, name) returns text", "passOn"},
    };

    @Override
    public void setUp(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("create extension pljvm");
            TestJars.install(c, "fixtures", TestJars.fixtures());
            s.execute("select pljvm.set_classpath('', array['fixtures'])");
            s.execute("create table t(id int8, txt text)");
            for (String[] f : FUNCTIONS) {
                s.execute("create function " + f[0] + " language pljvm as '" + FNS + f[1] + "'");
            }
            s.execute("create function jstrict(int8) returns int8 strict language pljvm as '" + FNS + "noop'");
        }
    }
}
