package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.testsupport.Sql.describe;
import static org.pgqjava.testsupport.Sql.error;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.lines;
import static org.pgqjava.testsupport.Sql.rows;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.util.ServerErrorMessage;

/**
 * pljvm functions as triggers: what Java sees of a firing (TriggerData, its old and new rows) and
 * what a BEFORE trigger's result does to the row.
 */
@PgTest(setup = FixturesTemplate.class)
class TriggerIT {
    private static final String TRIG = "org.pgqjava.pljvm.fixtures.Trig.";

    private static void fn(Connection c, String name, String method) throws SQLException {
        exec(c, "create or replace function " + name + "() returns trigger language pljvm as '" + TRIG + method + "'");
    }

    /** The lines the fixtures logged, in order; the log is emptied. */
    private static List<String> log(Connection c) throws SQLException {
        List<String> l = lines(c, "select msg from trig_log order by id");
        exec(c, "truncate trig_log");
        return l;
    }

    private static void logTable(Connection c) throws SQLException {
        exec(c, "create table if not exists trig_log(id serial, msg text)");
    }

    @Test
    void rowTriggersSeeTheirFiringAndBothRowsWithTypedValuesAndTexts(Connection c) throws SQLException {
        logTable(c);
        fn(c, "tdescribe", "describe");
        exec(c, "create table tr1(id int8 primary key, gone int, name text, n numeric(10,2), f float8, ok bool,"
                + " ts timestamptz, b bytea, a int4[], v varchar(5), j jsonb)");
        exec(c, "alter table tr1 drop column gone");
        exec(c, "create trigger after_row after insert or update or delete on tr1 for each row"
                + " execute function tdescribe('a', 'b c', '')");
        exec(c, "set timezone = 'UTC'");
        exec(c, "insert into tr1 values (1, 'x''y\\z', 1.5, 0.25, true, '2026-01-02 03:04:05+00', '\\x00ff',"
                + " '{1,NULL,3}', 'vv', '{\"k\": [1, 2]}')");
        exec(c, "insert into tr1(id) values (2)");
        exec(c, "update tr1 set name = 'ü' where id = 2");
        exec(c, "delete from tr1 where id = 1");
        String head = "after_row AFTER %s ROW | public.tr1 | args=[a, b c, ] | cols=id:bigint,name:text,"
                + "n:numeric(10,2),f:double precision,ok:boolean,ts:timestamp with time zone,b:bytea,"
                + "a:integer[],v:character varying(5),j:jsonb | ";
        String row1 = "(Long:1,String:x'y\\z,String:1.50,Double:0.25,Boolean:t,OffsetDateTime:2026-01-02 03:04:05+00,"
                + "byte[]:\\x00ff,Integer[]:{1,NULL,3},String:vv,String:{\"k\": [1, 2]})";
        String row2 = "(Long:2,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL)";
        String row2u = "(Long:2,String:ü,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL)";
        assertEquals(List.of(
                String.format(head, "INSERT") + "old=- | new=" + row1,
                String.format(head, "INSERT") + "old=- | new=" + row2,
                String.format(head, "UPDATE") + "old=" + row2 + " | new=" + row2u,
                String.format(head, "DELETE") + "old=" + row1 + " | new=-"), log(c));
    }

    @Test
    void statementAndTruncateTriggersHaveNoRows(Connection c) throws SQLException {
        logTable(c);
        fn(c, "tdescribe", "describe");
        exec(c, "create table tr2(id int8)");
        exec(c, "create trigger s_before before insert on tr2 for each statement execute function tdescribe()");
        exec(c, "create trigger s_trunc after truncate on tr2 for each statement execute function tdescribe('q')");
        exec(c, "insert into tr2 select generate_series(1, 3)");
        exec(c, "truncate tr2");
        assertEquals(List.of(
                "s_before BEFORE INSERT STATEMENT | public.tr2 | args=[] | cols=id:bigint | old=- | new=-",
                "s_trunc AFTER TRUNCATE STATEMENT | public.tr2 | args=[q] | cols=id:bigint | old=- | new=-"), log(c));
        assertEquals(0L, rows(c, "select * from tr2").size());
    }

    @Test
    void aBeforeTriggerChangesSkipsOrKeepsTheRow(Connection c) throws SQLException {
        fn(c, "tupper", "upper");
        fn(c, "tskip", "skipNegative");
        fn(c, "tkeep", "keepOld");
        exec(c, "create table tr3(id int8, name text, note text)");
        exec(c, "create trigger a_upper before insert or update on tr3 for each row execute function tupper('name', 'note')");
        exec(c, "create trigger b_skip before insert or update or delete on tr3 for each row execute function tskip()");
        exec(c, "insert into tr3 values (1, 'abc', 'n1'), (-1, 'neg', 'n2'), (2, null, 'n3')");
        assertEquals(List.of(List.of(1L, "ABC"), List.of(2L)), names(c, "tr3"));
        assertEquals(List.of(), rows(c, "select * from tr3 where note is not null"), "note set to NULL");
        exec(c, "update tr3 set name = 'def', id = -id where id = 2");     // skipped: the new id is negative
        exec(c, "update tr3 set name = 'ghi' where id = 1");
        assertEquals(List.of(List.of(1L, "GHI"), List.of(2L)), names(c, "tr3"));
        exec(c, "drop trigger a_upper on tr3");
        exec(c, "create trigger c_keep before update on tr3 for each row execute function tkeep()");
        exec(c, "update tr3 set name = 'lost'");
        assertEquals(List.of(List.of(1L, "GHI"), List.of(2L)), names(c, "tr3"), "the old row was written back");
        exec(c, "delete from tr3");
        assertEquals(0L, rows(c, "select * from tr3").size(), "a void-free DELETE trigger returned the old row");
    }

    private static List<List<Object>> names(Connection c, String table) throws SQLException {
        List<List<Object>> r = rows(c, "select id, name from " + table + " order by id");
        r.replaceAll(l -> l.get(1) == null ? List.of(l.get(0)) : l);
        return r;
    }

    @Test
    void changedColumnsOfAnUpdate(Connection c) throws SQLException {
        logTable(c);
        fn(c, "tchanges", "changes");
        exec(c, "create table tr4(id int8, a text, b int4, gone text, c text)");
        exec(c, "alter table tr4 drop column gone");
        exec(c, "create trigger t after update on tr4 for each row execute function tchanges()");
        exec(c, "insert into tr4 values (1, 'x', 1, null)");
        exec(c, "update tr4 set a = 'x', b = 2");
        exec(c, "update tr4 set c = 'now'");
        exec(c, "update tr4 set c = null, a = 'y'");
        exec(c, "update tr4 set id = id");
        assertEquals(List.of("changed=b", "changed=c", "changed=a,c", "changed="), log(c));
    }

    @Test
    void valueChangesFollowTheTypesEqualityAndArraysTheirText(Connection c) throws SQLException {
        logTable(c);
        fn(c, "tvchanges", "valueChanges");
        exec(c, "create table tr7(id int, n numeric, t text collate \"C\", a numeric[], j json, z float8)");
        exec(c, "create trigger t after update on tr7 for each row execute function tvchanges()");
        exec(c, "insert into tr7 values (1, 1.50, 'x', '{1.5}', '{\"a\":1}', 0)");
        exec(c, "update tr7 set n = 1.5");                  // equal by numeric's =, not by bytes
        exec(c, "update tr7 set a = '{1.50}'");             // arrays by text: a change
        exec(c, "update tr7 set j = '{\"a\":1}', z = '-0'"); // json has no =: same text; -0 = 0
        exec(c, "update tr7 set t = null, n = 2");
        exec(c, "update tr7 set t = null");
        assertEquals(List.of("value= bytes=n", "value=a bytes=a", "value= bytes=z", "value=n,t bytes=n,t",
                "value= bytes="), log(c));
    }

    @Test
    void jsonTextsWriteDatesAndTimesAsToJsonDoesWhateverTheDateStyle(Connection c) throws SQLException {
        logTable(c);
        fn(c, "tjson", "jsonTexts");
        exec(c, "create table tr8(d date, ts timestamp, tz timestamptz, n numeric, s text)");
        exec(c, "create trigger t after insert on tr8 for each row execute function tjson()");
        // pgjdbc refuses a session DateStyle other than ISO: set it for the inserting function only
        exec(c, "create function tr8_insert() returns void language sql set datestyle = 'SQL, DMY'"
                + " set timezone = 'Asia/Kolkata' as $$ insert into tr8 values ('2020-01-02', '2020-01-02 03:04:05.5',"
                + " '2009-09-19 11:59:48.599+00', 1.50, 'x'), ('infinity', '-infinity', 'infinity', null, null) $$");
        exec(c, "select tr8_insert()");
        exec(c, "set session_replication_role = replica");
        exec(c, "alter table tr8 enable always trigger t");
        exec(c, "insert into tr8 values ('1999-12-31', null, null, 0, '')");
        exec(c, "reset session_replication_role");
        List<String> want = List.of(
                "2020-01-02|2020-01-02T03:04:05.5|2009-09-19T17:29:48.599+05:30|1.50|x role=origin",
                "infinity|-infinity|infinity|null|null role=origin",
                "1999-12-31|null|null|0| role=replica");
        List<String> got = log(c);
        assertEquals(want, got);
        // what to_json says, where the text output is another
        exec(c, "create function tr8_texts() returns text language sql set datestyle = 'SQL, DMY'"
                + " set timezone = 'Asia/Kolkata' as $$ select to_json('2009-09-19 11:59:48.599+00'::timestamptz)::text"
                + " || ' ' || '2009-09-19 11:59:48.599+00'::timestamptz::text $$");
        assertEquals(List.of("\"2009-09-19T17:29:48.599+05:30\" 19/09/2009 17:29:48.599 IST"),
                lines(c, "select tr8_texts()"));
    }

    @Test
    void aTextBlockHoldsEveryTextWithItsBoundsInUtf16Units(Connection c) throws SQLException {
        logTable(c);
        fn(c, "tblock", "textBlock");
        exec(c, "create table tr11(a text, b int, gone text, c text, d date)");
        exec(c, "alter table tr11 drop column gone");
        exec(c, "create trigger t after insert on tr11 for each row execute function tblock()");
        exec(c, "insert into tr11 values ('é😀x', 42, '', '2020-01-02'), (null, null, 'ü', null)");
        assertEquals(List.of("same 0-4:é😀x|4-6:42|6-6:|6-16:2020-01-02", "same null|null|0-1:ü|null"), log(c));
    }

    @Test
    void stateIsKeptPerTriggerUntilTheTableChanges(Connection c) throws SQLException {
        logTable(c);
        fn(c, "tcount", "counted");
        exec(c, "create table tr9(id int)");
        exec(c, "create table tr10(id int)");
        exec(c, "create trigger t after insert on tr9 for each row execute function tcount()");
        exec(c, "create trigger t2 after insert on tr9 for each row execute function tcount()");
        exec(c, "create trigger t after insert on tr10 for each row execute function tcount()");
        exec(c, "insert into tr9 values (1), (2)");     // t, t2, t, t2
        exec(c, "insert into tr10 values (1)");
        exec(c, "alter table tr9 add column v text");
        exec(c, "insert into tr9 values (3)");
        exec(c, "begin");
        exec(c, "create index on tr10(id)");
        exec(c, "insert into tr10 values (2)");
        exec(c, "rollback");
        exec(c, "insert into tr10 values (3)");
        // after ALTER TABLE both triggers of tr9 start again; the line of the rolled-back insert is
        // gone with it, and after the rollback the state is new again
        assertEquals(List.of("new 1", "new 1", "kept 2", "kept 2", "new 1", "new 1", "new 1", "new 1"), log(c));
    }

    @Test
    void columnsFollowAlterTableAndGeneratedColumnsAreAsPostgresqlShowsThem(Connection c) throws SQLException {
        logTable(c);
        fn(c, "tdescribe", "describe");
        exec(c, "create table tr5(id int8, g int8 generated always as (id * 10) stored)");
        exec(c, "create trigger b before insert on tr5 for each row execute function tdescribe()");
        exec(c, "create trigger a after insert on tr5 for each row execute function tdescribe()");
        exec(c, "insert into tr5(id) values (1)");
        exec(c, "alter table tr5 add column t text default 'd'");
        exec(c, "insert into tr5(id) values (2)");
        exec(c, "alter table tr5 drop column g");
        exec(c, "insert into tr5(id) values (3)");
        assertEquals(List.of(
                "b BEFORE INSERT ROW | public.tr5 | args=[] | cols=id:bigint,g:bigint:gen | old=- | new=(Long:1,NULL)",
                "a AFTER INSERT ROW | public.tr5 | args=[] | cols=id:bigint,g:bigint:gen | old=- | new=(Long:1,Long:10)",
                "b BEFORE INSERT ROW | public.tr5 | args=[] | cols=id:bigint,g:bigint:gen,t:text | old=- | new=(Long:2,NULL,String:d)",
                "a AFTER INSERT ROW | public.tr5 | args=[] | cols=id:bigint,g:bigint:gen,t:text | old=- | new=(Long:2,Long:20,String:d)",
                "b BEFORE INSERT ROW | public.tr5 | args=[] | cols=id:bigint,t:text | old=- | new=(Long:3,String:d)",
                "a AFTER INSERT ROW | public.tr5 | args=[] | cols=id:bigint,t:text | old=- | new=(Long:3,String:d)"),
                log(c));
    }

    @Test
    void anInsteadOfTriggerOnAView(Connection c) throws SQLException {
        logTable(c);
        fn(c, "tdescribe", "describe");
        exec(c, "create view tv as select 1::int8 as id, 'x'::text as name");
        exec(c, "create trigger i instead of insert on tv for each row execute function tdescribe()");
        exec(c, "insert into tv values (7, 'seven')");
        assertEquals(List.of("i INSTEAD_OF INSERT ROW | public.tv | args=[] | cols=id:bigint,name:text | old=-"
                + " | new=(Long:7,String:seven)"), log(c));
    }

    @Test
    void wrongUseIsAClearError(Connection c) throws SQLException {
        logTable(c);
        exec(c, "create table tr6(id int8, name text)");

        ServerErrorMessage e = error(c, "create function targs(int) returns trigger language pljvm as '" + TRIG + "describe'");
        assertEquals("42P13", e.getSQLState(), describe(e));
        assertEquals("trigger functions cannot have declared arguments", e.getMessage());

        e = error(c, "create function tnot() returns trigger language pljvm as '" + TRIG + "notATrigger'");
        assertEquals("42883", e.getSQLState(), describe(e));
        assertTrue(e.getMessage().contains("fits a trigger function"), describe(e));
        assertTrue(e.getHint().contains("TriggerData"), describe(e));

        fn(c, "tdescribe", "describe");
        e = error(c, "select tdescribe()");
        assertEquals("0A000", e.getSQLState(), describe(e));

        fn(c, "tset", "setTo");
        exec(c, "create trigger s before insert on tr6 for each row execute function tset('id', 'abc')");
        e = error(c, "insert into tr6 values (1, 'a')");
        assertEquals("22P02", e.getSQLState(), "a String for an int8 column is read by its input function: " + describe(e));
        assertEquals("invalid input syntax for type bigint: \"abc\"", e.getMessage());
        exec(c, "drop trigger s on tr6");
        exec(c, "create trigger s before insert on tr6 for each row execute function tset('nosuch', 'abc')");
        e = error(c, "insert into tr6 values (1, 'a')");
        assertEquals("42703", e.getSQLState(), describe(e));
        exec(c, "drop trigger s on tr6");

        fn(c, "tkept", "returnKept");
        fn(c, "tread", "readKept");
        exec(c, "create trigger k before insert on tr6 for each row execute function tkept()");
        exec(c, "insert into tr6 values (1, 'first')");
        e = error(c, "insert into tr6 values (2, 'second')");
        assertEquals("39P01", e.getSQLState(), describe(e));
        assertTrue(e.getMessage().contains("returned a row of another trigger call"), describe(e));
        exec(c, "drop trigger k on tr6");
        exec(c, "create trigger r after insert on tr6 for each row execute function tread()");
        e = error(c, "insert into tr6 values (3, 'third')");
        assertTrue(e != null, "reading a row of a call that has returned");
        assertEquals("55000", e.getSQLState(), describe(e));
        assertEquals(List.of(List.of(1L, "first")), rows(c, "select * from tr6"), "the failed inserts changed nothing");
    }
}
