package org.pgqjava.pgq;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.PGConnection;
import org.postgresql.util.PSQLException;

/**
 * PgQ's table triggers, pgq-java's (Java) against Debian's PgQ 3.5 (C) on the same server: the same
 * statements on tables with pgq.logutriga, pgq.sqltriga and pgq.jsontriga, and after each group
 * every event field of the events they queued (taken out of the queue's tables, in id order),
 * every error's SQLSTATE and text, and the tables' rows (BEFORE triggers that pass, change or skip
 * a row). Covered: 40 column types with ordinary, NULL and edge values in three time zones, every
 * trigger argument and their combinations, the magic columns, primary keys of several columns and
 * not first, ALTER TABLE between events, BEFORE with SKIP, CREATE TRIGGER's WHEN, COPY, TRUNCATE,
 * INSERT ... ON CONFLICT, a partitioned table, session_replication_role, the queue's
 * per-transaction limit and disable_insert, every error text, and a replaced pgq.insert_event
 * capturing the triggers' output. Where pgq-java deliberately differs (docs/triggers.md), the
 * scenario stays out; TriggersIT tests those.
 */
@PgTest(setup = PgqTemplate.class)
@Timeout(value = 300, threadMode = ThreadMode.SEPARATE_THREAD)
class TriggerDifferentialIT {

    /** Takes the queued events out of the queue and shows them, in the order they were queued. */
    private static final String EVENTS = "with d as (delete from pgq.event_template returning *)"
            + " select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4 from d order by ev_id";

    private static final String ALL3 = "logutriga jsontriga sqltriga";

    private final List<String> s = new ArrayList<>();

    private void add(String... steps) {
        s.addAll(List.of(steps));
    }

    private void events() {
        s.add(EVENTS);
    }

    /** One AFTER row trigger per kind (and per options) on the table, named after the kind. */
    private void triggers(String table, String when, String kinds, String args) {
        for (String k : kinds.split(" ")) {
            s.add("create trigger " + k + " " + when + " on " + table + " for each row execute procedure pgq." + k
                    + "('tq'" + (args.isEmpty() ? "" : ", " + args) + ")");
        }
    }

    List<String> scenario() {
        add("select pgq.create_queue('tq')",
            "set timezone = 'UTC'",
            "set datestyle = 'ISO, YMD'",
            "set intervalstyle = 'postgres'");

        // ---- types: ordinary, NULL and edge values; in three time zones
        add("create type mood as enum ('sad', 'ok', 'happy')",
            "create domain posint as int4 check (value > 0)",
            "create type pair as (a int, b text)",
            "create table ty (id int primary key, i2 int2, i4 int4, i8 int8, nu numeric, n2 numeric(10,2), f4 float4,"
                + " f8 float8, bo bool, tx text, vc varchar(10), ch char(5), by bytea, ia int[], ta text[], js json,"
                + " jb jsonb, tz timestamptz, ts timestamp, d date, ti time, ttz timetz, iv interval, uu uuid,"
                + " ip inet, ci cidr, mc macaddr, mo money, bi bit(3), vb varbit, pt point, en mood, dm posint,"
                + " co pair, rg int4range, oi oid, tv tsvector, \"Mixed Case\" text, \"select\" text, \"é\" text)");
        triggers("ty", "after insert or update or delete", ALL3, "");
        add("insert into ty values (1, 7, -8, 9000000000, 1.50, 12.3, 0.1, 0.1, true, 'plain text', 'vc', 'ab',"
                + " '\\x00ff10', '{1,2,NULL}', '{\"a b\",\"c\\\"d\",NULL,\"\"}', '{\"a\": [1, \"x\\ny\"]}',"
                + " '{\"b\": 2, \"a\": null}', '2009-09-19 11:59:48.599+00', '2020-01-02 03:04:05.123456',"
                + " '2020-01-02', '03:04:05', '03:04:05+02', '1 day 02:03:04', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
                + " '10.0.0.1', '10.0.0.0/8', '08:00:2b:01:02:03', '12.34', '101', '1101', '(1.5,2)', 'ok', 5,"
                + " '(1,\"a b\")', '[1,5)', 42, 'a:1 b:2', 'MC', 'kw', 'ü')",
            "insert into ty (id) values (2)",
            "insert into ty values (3, -32768, 2147483647, -9223372036854775808, 'NaN', -0.00, 'Infinity',"
                + " '-Infinity', false, E'q''uote \\\\ back\"dq& eq= pct% plus+ sp é 😀 \\x01\\t\\n\\r\\b\\f', '',"
                + " '', '', '{}', '{}', '\"\"', '[]', 'infinity', '-infinity', '0044-03-15 BC',"
                + " '24:00:00', '00:00:00-14:59', '-1 mons +2 days -03:04:05.5', '00000000-0000-0000-0000-000000000000',"
                + " '::1', '::/0', 'ff:ff:ff:ff:ff:ff', '-0.01', '000', '', '(-0,1e10)', 'sad', 1, '(,)', 'empty', 0,"
                + " '', '', '', '')",
            "insert into ty (id, f8, f4, tz, ts, d) values (4, 'NaN', -0, '2000-02-29 23:59:59.999999+05:30',"
                + " '1999-12-31 23:59:59.999999', 'infinity')");
        events();
        add("set timezone = 'Asia/Kathmandu'",
            "update ty set tz = tz, ts = ts + interval '1 microsecond' where id in (1, 4)",
            "set timezone = 'America/St_Johns'",
            "update ty set tz = '2021-06-01 12:00:00+00' where id = 1",
            "set timezone = 'UTC'");
        events();
        // what counts as a change: the type's equality, arrays by their text, NULLs
        add("update ty set nu = 1.5 where id = 1",                    // equal: no SET column in sqltriga
            "update ty set ia = '{1,2,NULL}', ta = ta, js = js where id = 1",
            "update ty set n2 = 12.30, f8 = '0.10', f4 = -0.0 where id = 1",
            "update ty set ia = '{01,2,NULL}' where id = 1",
            "update ty set tx = null, vc = null where id = 3",
            "update ty set tx = 'back' where id = 2",
            "update ty set ch = 'ab   ' where id = 1",                 // char(5) pads: the same
            "update ty set jb = '{\"a\": null, \"b\": 2}', js = '{\"a\":[1,\"x\\ny\"]}' where id = 1",
            "update ty set \"Mixed Case\" = 'mc2', \"select\" = 'sel', \"é\" = 'e' where id = 1",
            "update ty set id = id where id = 2");
        events();
        add("delete from ty where id in (2, 3)",
            "update ty set id = 10 where id = 1",
            "delete from ty");
        events();

        // ---- keys: none, several, not first, overridden
        add("create table nokey (a int, b text)");
        triggers("nokey", "after insert or update or delete", ALL3, "");
        add("insert into nokey values (1, 'x')",
            "update nokey set b = 'y'",
            "delete from nokey");
        events();
        add("create table k2 (a int, b text, c text, primary key (c, a))");
        triggers("k2", "after insert or update or delete", ALL3, "");
        add("insert into k2 values (1, 'x', 'k'), (2, null, 'k')",
            "update k2 set b = 'y' where a = 1",
            "update k2 set b = b",
            "update k2 set a = 3 where a = 1",
            "update k2 set c = 'kk' where a = 2",
            "delete from k2 where a = 2");
        events();
        add("create table pk (v text, w int, x text)");
        triggers("pk", "after insert or update or delete", ALL3, "'pkey=v,w'");
        add("insert into pk values ('a', 1, 'x'), (null, 2, 'y')",
            "update pk set x = 'z' where w = 1",
            "update pk set x = 'z' where w = 2",                   // a NULL key value: sqltriga refuses
            "update pk set x = x where w = 1",
            "delete from pk where w = 1",
            "update pk set v = 'b' where w = 2");
        events();
        add("create table pk2 (id int primary key, v text)");
        triggers("pk2", "after insert or update or delete", ALL3, "'pkey=nosuch'");
        add("insert into pk2 values (1, 'a')",
            "update pk2 set v = 'b'",
            "update pk2 set v = v",
            "delete from pk2");
        events();
        add("create table pk3 (id int primary key, v text)");
        triggers("pk3", "after insert or update or delete", ALL3, "'pkey=v, id'");
        add("insert into pk3 values (1, 'a')",
            "update pk3 set v = 'b'",
            "update pk3 set id = 2");
        events();

        // ---- options
        add("create table ig (id int primary key, v text, w text, x int)");
        triggers("ig", "after insert or update or delete", ALL3, "'ignore=w,x', 'backup'");
        add("insert into ig values (1, 'a', 'b', 1)",
            "update ig set w = 'c'",                              // only ignored: no event
            "update ig set x = 2, w = 'd'",
            "update ig set v = 'e', w = 'f'",
            "update ig set v = v",                                // nothing changed: an event
            "update ig set id = 2, w = 'g'",
            "delete from ig");
        events();
        add("create table ig2 (v text, id int primary key, w text)");
        triggers("ig2", "after insert or update or delete", ALL3, "'ignore=w'");
        add("insert into ig2 values ('a', 1, 'b')",
            "update ig2 set v = 'x', id = 2",                     // PgQ stops at the first change that counts
            "update ig2 set w = 'z', id = 3");
        events();
        add("create table bk (id int primary key, v text, d date)");
        triggers("bk", "after insert or update or delete", ALL3, "'backup'");
        add("insert into bk values (1, 'a b', '1999-02-03')",
            "update bk set v = 'c&d'",
            "delete from bk");
        events();
        add("create table ex (id int primary key, v text, w int, \"Q\" text)");
        triggers("ex", "after insert or update or delete", ALL3,
                "'ev_extra4=v || ''!''', 'ev_extra1=w + 1', 'when=w is distinct from 0', 'ev_type=''T:'' || id',"
                + " 'ev_extra4=''second is ignored''', 'ev_extra2=null', 'ev_extra3=w::bool'");
        add("insert into ex values (1, 'k', 1, 'q')",
            "insert into ex values (2, 'k', 0, 'q')",                // when= false: no event
            "insert into ex values (3, null, null, null)",
            "update ex set v = 'u' where id = 1",
            "delete from ex where id = 1");
        events();
        add("create table ex2 (id int primary key, v text)");
        triggers("ex2", "after insert or update or delete", ALL3, "'ev_data=upper(v)', 'ev_type=', 'ev_extra1=now() is not null'");
        add("insert into ex2 values (1, 'low')",
            "update ex2 set v = 'again'");
        events();
        add("create table sk (id int primary key, v text)");
        triggers("sk", "before insert or update or delete", "logutriga", "'SKIP'");
        triggers("sk", "before insert or update or delete", "sqltriga", "'SKIP', 'when=id > 1'");
        add("insert into sk values (1, 'a'), (2, 'b')",
            "select * from sk");
        events();
        add("create table bf (id int primary key, v text)",
            "create trigger b1 before insert or update or delete on bf for each row execute procedure pgq.logutriga('tq')",
            "create trigger b2 before insert or update or delete on bf for each row execute procedure pgq.jsontriga('tq')",
            "create trigger b3 before insert or update or delete on bf for each row execute procedure pgq.sqltriga('tq')",
            "insert into bf values (1, 'a'), (2, 'b')",
            "update bf set v = 'c' where id = 1",
            "delete from bf where id = 2",
            "select * from bf order by id");
        events();
        add("create table dn (id int primary key, v text)");
        triggers("dn", "before insert or update or delete", "logutriga", "'deny'");
        add("insert into dn values (1, 'a')",
            "alter table dn disable trigger logutriga",
            "insert into dn values (1, 'a')",
            "alter table dn enable trigger logutriga",
            "update dn set v = 'b'",
            "delete from dn",
            "create trigger tr after truncate on dn for each statement execute procedure pgq.sqltriga('tq', 'deny')",
            "truncate dn",
            "set session_replication_role = replica",
            "insert into dn values (2, 'replica')",
            "truncate dn",
            "reset session_replication_role");
        events();
        // CREATE TRIGGER's own WHEN, and a trigger on some columns only
        add("create table wh (id int primary key, v text, w text)",
            "create trigger l after update on wh for each row when (old.v is distinct from new.v)"
                + " execute procedure pgq.logutriga('tq')",
            "create trigger j after update of w on wh for each row execute procedure pgq.jsontriga('tq')",
            "insert into wh values (1, 'a', 'b')",
            "update wh set w = 'c'",
            "update wh set v = 'd'",
            "update wh set v = 'e', w = 'f'");
        events();

        // ---- magic columns
        add("create table mg (id int primary key, v text, _pgq_ev_type text, _pgq_ev_data text,"
                + " _pgq_ev_extra1 text, _pgq_ev_extra2 text, _pgq_ev_extra3 text, _pgq_ev_extra4 int)");
        triggers("mg", "after insert or update or delete", ALL3, "");
        add("insert into mg values (1, 'a', 'mytype', 'mydata', 'e1', null, 'e3', 4)",
            "insert into mg (id, v) values (2, 'b')",
            "update mg set v = 'c' where id = 1",
            "update mg set _pgq_ev_type = 'other' where id = 1",
            "delete from mg where id = 1");
        events();
        add("create table mg2 (id int primary key, v text, _pgq_ev_extra1 text)");
        triggers("mg2", "after insert or update or delete", "logutriga", "'ev_extra1=v', 'ignore=v'");
        add("insert into mg2 values (1, 'expr wins', 'magic')",
            "update mg2 set _pgq_ev_extra1 = 'only magic changed'",
            "update mg2 set v = 'only ignored changed'");
        events();
        add("create table mg3 (id int primary key, _pgq_ev_foo text)");
        triggers("mg3", "after insert", "logutriga", "");
        add("insert into mg3 values (1, 'x')");
        events();

        // ---- ALTER TABLE between events
        add("create table al (id int primary key, a text, b text, c text)");
        triggers("al", "after insert or update or delete", ALL3, "'ignore=b'");
        add("insert into al values (1, 'a', 'b', 'c')",
            "alter table al drop column a",
            "insert into al values (2, 'b2', 'c2')",
            "alter table al add column a text default 'new a'",
            "insert into al (id) values (3)",
            "alter table al rename column c to \"C c\"",
            "update al set \"C c\" = 'cc' where id = 1",
            "alter table al alter column b type int using length(b)",
            "update al set b = 5 where id = 2",
            "alter table al drop constraint al_pkey",
            "update al set a = 'no key' where id = 3",
            "alter table al add primary key (a, id)",
            "update al set b = 7 where id = 3",
            "delete from al");
        events();

        // ---- TRUNCATE, COPY, ON CONFLICT, a partitioned table
        add("create table tt (id int primary key, v text)");
        for (String k : ALL3.split(" ")) {
            add("create trigger " + k + "_r after truncate on tt for each statement execute procedure pgq." + k + "('tq')");
        }
        triggers("tt", "after insert or update or delete", "logutriga", "");
        add("copy tt from stdin\n1\tcopied\n2\t\\N\n3\twith space\n",
            "insert into tt values (3, 'conflict') on conflict (id) do update set v = excluded.v",
            "insert into tt values (4, 'new') on conflict (id) do nothing",
            "insert into tt values (4, 'again') on conflict (id) do nothing",
            "truncate tt",
            "create trigger bad after truncate on tt for each statement execute procedure pgq.logutriga('tq', 'pkey=id')",
            "truncate tt",
            "drop trigger bad on tt",
            "create trigger bad after truncate on tt for each statement execute procedure pgq.logutriga('tq', 'backup')",
            "truncate tt",
            "drop trigger bad on tt",
            "create trigger bad after truncate on tt for each statement execute procedure pgq.jsontriga('tq', 'when=true')",
            "truncate tt",
            "drop trigger bad on tt",
            "create trigger bad after truncate on tt for each statement execute procedure pgq.sqltriga('tq', 'ignore=v')",
            "truncate tt",
            "drop trigger bad on tt");
        events();
        add("create table pt (id int, region text, v text, primary key (id, region)) partition by list (region)",
            "create table pt_eu partition of pt for values in ('eu')",
            "create table pt_us partition of pt for values in ('us')");
        triggers("pt", "after insert or update or delete", ALL3, "");
        add("insert into pt values (1, 'eu', 'a'), (2, 'us', 'b')",
            "update pt set v = 'c'",
            "update pt set region = 'us' where id = 1",
            "delete from pt");
        events();

        // ---- session_replication_role
        add("create table rr (id int primary key, v text)");
        triggers("rr", "after insert or update or delete", "logutriga sqltriga", "");
        add("set session_replication_role = local",
            "insert into rr values (1, 'local')",
            "set session_replication_role = replica",
            "insert into rr values (2, 'replica')",
            "alter table rr enable always trigger logutriga",
            "insert into rr values (3, 'replica, always')",
            "set session_replication_role = local",
            "insert into rr values (4, 'local, always')",
            "reset session_replication_role",
            "insert into rr values (5, 'origin')");
        events();

        // ---- the queue's rules apply to trigger events
        add("create table ql (id int primary key)");
        triggers("ql", "after insert", "logutriga", "");
        add("update pgq.queue set queue_per_tx_limit = 2 where queue_name = 'tq'",
            "insert into ql values (1), (2)",
            "insert into ql values (3), (4), (5)",
            "update pgq.queue set queue_per_tx_limit = null, queue_disable_insert = true where queue_name = 'tq'",
            "insert into ql values (6)",
            "set session_replication_role = replica",
            "alter table ql enable always trigger logutriga",
            "insert into ql values (7)",
            "reset session_replication_role",
            "update pgq.queue set queue_disable_insert = false where queue_name = 'tq'",
            "select id from ql order by id");
        events();

        // ---- calling-convention and argument errors
        add("create table er (id int primary key, v text, b bool)");
        String[][] bad = {
            {"after insert", "row", "'tq', 'nosuch'"},
            {"after insert", "row", "'tq', 'skip'"},
            {"after insert", "row", "'tq', 'ignore'"},
            {"after insert", "row", ""},
            {"after insert", "statement", "'tq'"},
            {"after insert", "row", "'tq', 'SKIP'"},
            {"after insert", "row", "'nosuchqueue'"},
            {"after insert", "row", "'tq', 'when=v'"},
            {"after insert", "row", "'tq', 'when=b'"},
            {"after insert", "row", "'tq', 'when='"},
            {"after insert", "row", "'tq', 'ev_extra1=nosuchcolumn'"},
            {"after insert", "row", "'tq', 'ev_extra1=1/0'"},
            {"after insert", "row", "'tq', 'ev_type=(select 1 union select 2)'"},
        };
        for (String k : ALL3.split(" ")) {
            for (String[] b : bad) {
                add("create trigger bad " + b[0] + " on er for each " + b[1] + " execute procedure pgq." + k + "("
                        + b[2] + ")",
                    "insert into er values (1, 'x', null)",
                    "drop trigger bad on er");
            }
        }
        events();

        // ---- a replaced insert_event sees the triggers' output (PgQ's own way of testing them)
        add("create or replace function pgq.insert_event(queue_name text, ev_type text, ev_data text, ev_extra1 text,"
                + " ev_extra2 text, ev_extra3 text, ev_extra4 text) returns bigint language plpgsql as $$"
                + " begin raise warning 'insert_event(q=[%], t=[%], d=[%], 1=[%], 2=[%], 3=[%], 4=[%])',"
                + " queue_name, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4; return 1; end $$",
            "insert into bk values (5, 'captured', '2001-01-01')",
            "update bk set v = 'captured too'",
            "delete from bk");
        events();
        return s;
    }

    private static List<String> run(Connection c, List<String> steps) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String sql : steps) {
            out.add(sql.startsWith("copy ") ? copy(c, sql) : NullMatrix.outcome(c, sql));
        }
        return out;
    }

    /** {@code copy t from stdin} and its data after the first newline. */
    private static String copy(Connection c, String step) throws SQLException {
        int nl = step.indexOf('\n');
        try {
            long n = c.unwrap(PGConnection.class).getCopyAPI().copyIn(step.substring(0, nl),
                    new StringReader(step.substring(nl + 1)));
            return "copied " + n;
        } catch (PSQLException e) {
            return "ERROR " + e.getSQLState() + " " + e.getServerErrorMessage().getMessage();
        } catch (java.io.IOException e) {
            throw new SQLException(e);
        }
    }

    @Test
    void theSameStatementsQueueTheSameEventsAsPgqsCTriggers(Connection c, PgServer server) throws SQLException {
        List<String> steps = scenario();
        List<String> ours = run(c, steps);
        List<String> oracle;
        try (OraclePgq o = OraclePgq.create(server, "trig"); Connection oc = o.connect()) {
            oracle = run(oc, steps);
        }
        DifferentialIT.assertSame(steps, ours, oracle);
    }
}
