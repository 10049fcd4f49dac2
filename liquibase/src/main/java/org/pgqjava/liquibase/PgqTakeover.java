package org.pgqjava.liquibase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a database where PgQ 3.5 is installed as an extension ({@code CREATE EXTENSION pgq},
 * Debian's postgresql-15-pgq3), with or without the extensions pgq_node and londiste, to
 * pgq-java in place: every table, sequence, queue, event table, tick, subscription (open
 * batches too) and retry event stays as it is, and so do the triggers on users' tables; only the
 * functions change, to pgq-java's, under the same names and signatures (the C trigger functions
 * become Java ones with the same OIDs, so the triggers keep firing).
 *
 * <p>Steps: (1) in one transaction, with PgQ's tables locked (producers, consumers and the ticker
 * wait), every object of the extensions londiste, pgq_node and pgq is released from its
 * extension ({@code ALTER EXTENSION ... DROP}) and the then empty extensions are dropped; the
 * objects themselves stay. (2) Liquibase's changelog is recorded as run, and the records of
 * everything but the schema, sequence and tables PgQ already has are taken back, so that (3) the
 * usual install runs the rest: pljvm, roles, pgq-java's own schema, the Java code, every
 * function ({@code CREATE OR REPLACE}), the grants. (4) pgq_node and londiste are recorded as
 * loaded (pgq_java.cascade_component), so that install-cascade upgrades them later. A takeover
 * that stopped after (1) goes on when run again; one that stopped in (3) is finished by the
 * install: the old functions still there work on the same tables meanwhile.
 *
 * <p>Refused, with SQLSTATE 55000 and nothing changed: a PgQ version other than 3.5, another
 * extension that requires pgq, pgq_node or londiste in versions other than Debian's (3.5, 3.8),
 * and a database without PgQ as an extension.
 */
public final class PgqTakeover {

    /** The PgQ, pgq_node and londiste versions this takeover knows the objects of. */
    static final Map<String, String> KNOWN = Map.of("pgq", "3.5", "pgq_node", "3.5", "londiste", "3.8");

    private static final Logger log = LoggerFactory.getLogger(PgqTakeover.class);
    /** PgQ's own tables and sequence, which the 0.1 changesets would create and PgQ has. */
    private static final String KEEP_RECORDED = "filename = 'db/pgq/0.1/changelog.xml'"
            + " and (id like 'schema:%' or id like 'sequence:%' or id like 'table:%')";

    private PgqTakeover() {
    }

    /**
     * Takes the database of {@code c} over (superuser connection); returns the extensions taken
     * over with their versions, pgq first.
     */
    public static Map<String, String> takeOver(Connection c) throws SQLException {
        String db = c.getCatalog();
        Map<String, String> exts = extensions(c);
        if (!exts.containsKey("pgq") && released(c)) {
            // an earlier takeover stopped after step 1: its check passed, so the versions were these
            exts.put("pgq", KNOWN.get("pgq"));
            for (String ext : List.of("pgq_node", "londiste")) {
                if (exists(c, "select 1 from pg_catalog.pg_namespace where nspname = '" + ext + "'")) {
                    exts.put(ext, KNOWN.get(ext));
                }
            }
            log.info("{}: PgQ was released from its extension by an earlier takeover; going on from there", db);
        } else {
            check(c, exts);
            release(c, exts);
        }
        log.info("{}: PgQ {} released from its extension{}; installing pgq-java over it", db, exts.get("pgq"),
                exts.size() > 1 ? " (and " + String.join(", ", exts.keySet()).replace("pgq, ", "") + ")" : "");
        PgqInstaller.syncChangelog(c);
        try (Statement s = c.createStatement()) {
            s.executeUpdate("delete from databasechangelog where filename like 'db/pgq/%' and not (" + KEEP_RECORDED + ")");
        }
        PgqInstaller.install(c);
        try (PreparedStatement ps = c.prepareStatement("insert into pgq_java.cascade_component (name, version, script)"
                + " values (?, ?, ?)")) {
            for (String ext : List.of("pgq_node", "londiste")) {
                if (exts.containsKey(ext)) {
                    ps.setString(1, ext);
                    ps.setString(2, exts.get(ext));
                    ps.setString(3, "extension " + ext + " " + exts.get(ext) + ", taken over");
                    ps.executeUpdate();
                }
            }
        }
        log.info("{}: taken over: pgq-java now serves what PgQ {} held", db, exts.get("pgq"));
        return exts;
    }

    /**
     * PgQ's schema without its extension and without pgq-java's records: what step 1 of a takeover
     * leaves when it stops before Liquibase's records are written.
     */
    private static boolean released(Connection c) throws SQLException {
        // PgQ's own functions still there: its C producer function from pgq_lowlevel (PgQ's
        // version() reads pg_extension and says nothing any more)
        return exists(c, "select 1 from pg_catalog.pg_proc p join pg_catalog.pg_language l on l.oid = p.prolang"
                        + " where p.oid = pg_catalog.to_regprocedure('pgq.insert_event_raw(text, bigint, timestamptz,"
                        + " integer, integer, text, text, text, text, text, text)') and l.lanname = 'c'"
                        + " and p.probin like '%pgq_lowlevel'")
                && !(exists(c, "select 1 where pg_catalog.to_regclass('databasechangelog') is not null")
                        && exists(c, "select 1 from databasechangelog where filename = 'db/pgq/0.1/changelog.xml'"));
    }

    private static boolean exists(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next();
        }
    }

    /** pgq and the extensions that require it, with their versions; pgq first. */
    private static Map<String, String> extensions(Connection c) throws SQLException {
        Map<String, String> exts = new LinkedHashMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select e.extname::text, e.extversion from pg_catalog.pg_extension e"
                     + " where e.extname = 'pgq' or e.oid in (select d.objid from pg_catalog.pg_depend d"
                     + " where d.classid = 'pg_catalog.pg_extension'::pg_catalog.regclass and d.deptype = 'n'"
                     + " and d.refobjid in (select oid from pg_catalog.pg_extension where extname in ('pgq', 'pgq_node'))"
                     + " ) order by e.extname <> 'pgq', e.extname")) {
            while (rs.next()) {
                exts.put(rs.getString(1), rs.getString(2));
            }
        }
        return exts;
    }

    private static void check(Connection c, Map<String, String> exts) throws SQLException {
        if (!exts.containsKey("pgq")) {
            boolean pgqJava;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select pg_catalog.to_regclass('pgq.queue') is not null")) {
                rs.next();
                pgqJava = rs.getBoolean(1);
            }
            throw refused(pgqJava ? "this database has no PgQ extension: it has pgq-java (or another pgq schema) already"
                    : "this database has no PgQ extension", pgqJava ? "Nothing to take over; pgqadm install upgrades pgq-java."
                    : "Install pgq-java with pgqadm install.");
        }
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> e : exts.entrySet()) {
            String known = KNOWN.get(e.getKey());
            if (known == null) {
                wrong.add("extension " + e.getKey() + " " + e.getValue() + " requires pgq and is unknown to pgq-java");
            } else if (!known.equals(e.getValue())) {
                wrong.add(e.getKey() + " " + e.getValue() + " (pgq-java takes over " + e.getKey() + " " + known + ")");
            }
        }
        if (!wrong.isEmpty()) {
            throw refused("cannot take over: " + String.join("; ", wrong),
                    "Upgrade to PgQ 3.5 (ALTER EXTENSION pgq UPDATE; pgq_node 3.5, londiste 3.8) first, or drop the"
                            + " unknown extension; nothing was changed.");
        }
    }

    /**
     * Step 1: every object of londiste, pgq_node and pgq released from its extension and the empty
     * extensions dropped, in one transaction with PgQ's tables locked (EXCLUSIVE: consumers and
     * the ticker wait, producers go on writing into the event tables).
     */
    private static void release(Connection c, Map<String, String> exts) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("set local lock_timeout = '60s'");
            s.execute("lock table pgq.queue, pgq.consumer, pgq.subscription, pgq.tick, pgq.retry_queue"
                    + " in exclusive mode");
            for (String ext : List.of("londiste", "pgq_node", "pgq")) {
                if (exts.containsKey(ext)) {
                    releaseMembers(c, ext);
                    s.execute("drop extension " + ext);
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** Releases every object of extension {@code ext} from it (ALTER EXTENSION ... DROP); the objects stay. */
    private static void releaseMembers(Connection c, String ext) throws SQLException {
        List<String> members = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select i.type, i.identity from pg_catalog.pg_depend d,"
                + " pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid) i"
                + " where d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass and d.deptype = 'e'"
                + " and d.refobjid = (select oid from pg_catalog.pg_extension where extname = ?)")) {
            ps.setString(1, ext);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    members.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
        }
        try (Statement s = c.createStatement()) {
            for (String m : members) {
                s.execute("alter extension " + ext + " drop " + m);
            }
        }
        log.info("{}: {} object(s) released from extension {}", c.getCatalog(), members.size(), ext);
    }

    private static SQLException refused(String message, String hint) {
        return new SQLException(message + "\n  Hint: " + hint, "55000");
    }
}
