package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.liquibase.Db.FUNCTIONS_DIR;
import static org.pgqjava.liquibase.Db.filesIn;
import static org.pgqjava.liquibase.Db.functionFiles;
import static org.pgqjava.liquibase.Db.resource;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.lines;
import static org.pgqjava.testsupport.Sql.one;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import liquibase.resource.DirectoryResourceAccessor;

import org.junit.jupiter.api.Test;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.util.PSQLException;

/**
 * Upgrade from the frozen changelog state of test resource upgrade/0.1.0-rc1 to the current one:
 * events queued, a batch open and consumers at different positions before the upgrade are all
 * delivered after it, exactly once, and the upgraded code is in use.
 */
@PgTest
class UpgradeIT {
    private static final String PREVIOUS = "/upgrade/0.1.0-rc1";

    @Test
    void upgradeKeepsQueuedEventsAndConsumerPositions(Connection c) throws Exception {
        PgqInstaller.install(c, new DirectoryResourceAccessor(Path.of(UpgradeIT.class.getResource(PREVIOUS).toURI())));
        String jarBefore = (String) one(c, "select jar_sha256 from pljvm.jar where jar_name = 'pgq'");
        // the old code: an unknown batch in event_retry said "batch not found"
        assertEquals("batch not found", errorText(c, "select pgq.event_retry(999, 1::int8, 0)"));

        exec(c, "select pgq.create_queue('orders')");
        exec(c, "select pgq.register_consumer('orders', 'billing')");
        exec(c, "select pgq.register_consumer('orders', 'mailer')");
        List<Long> first = insert(c, "before-1-", 5);
        tick(c);
        List<Long> second = insert(c, "before-2-", 7);
        tick(c);
        // billing: finishes the first batch and holds the second open; mailer: has read nothing
        Long b1 = (Long) one(c, "select pgq.next_batch('orders', 'billing')");
        assertEquals(first, ids(c, b1));
        exec(c, "select pgq.finish_batch(" + b1 + ")");
        Long open = (Long) one(c, "select pgq.next_batch('orders', 'billing')");
        assertEquals(second, ids(c, open));
        List<Long> pending = insert(c, "before-3-", 3); // committed, not yet ticked
        Map<String, String> before = changesetRows(c);

        PgqInstaller.install(c);

        changesetsRanOnlyWhereTheirFileChanged(before, changesetRows(c));

        assertNotEquals(jarBefore, one(c, "select jar_sha256 from pljvm.jar where jar_name = 'pgq'"));
        assertEquals(true, one(c, "select prosecdef from pg_proc where oid = 'pgq.current_event_table(text)'::regprocedure"));
        assertEquals("event not found", errorText(c, "select pgq.event_retry(999, 1::int8, 0)"));
        List<String> reran = lines(c, "select id from databasechangelog where exectype = 'RERAN' order by 1");
        assertTrue(reran.contains("jar:pgq"), String.valueOf(reran));

        List<Long> after = insert(c, "after-", 4);
        tick(c);
        // billing: its open batch is still the same batch, then the rest
        assertEquals(open, one(c, "select pgq.next_batch('orders', 'billing')"));
        assertEquals(second, ids(c, open));
        exec(c, "select pgq.finish_batch(" + open + ")");
        List<Long> billing = drain(c, "billing");
        List<Long> expectedBilling = new ArrayList<>(pending);
        expectedBilling.addAll(after);
        assertEquals(expectedBilling, billing);
        // mailer: everything since its registration, each once
        List<Long> expectedMailer = new ArrayList<>(first);
        expectedMailer.addAll(second);
        expectedMailer.addAll(pending);
        expectedMailer.addAll(after);
        assertEquals(expectedMailer, drain(c, "mailer"));
    }

    /**
     * The function changesets, now generated, are those the old changelog had (same id, author,
     * logical path, checksum): a function whose file is as it was did not run again, a changed
     * one re-ran, a new one ran once; nothing was recorded under another id or path.
     */
    private static void changesetsRanOnlyWhereTheirFileChanged(Map<String, String> before, Map<String, String> after) {
        String code = "db/pgq/code/changelog.xml|";
        Set<String> oldFiles = new TreeSet<>(filesIn(PREVIOUS.substring(1) + "/" + FUNCTIONS_DIR));
        assertTrue(oldFiles.size() > 30 && before.containsKey("function:pgq.next_batch"), "the old state: " + before);
        Set<String> ids = new TreeSet<>(before.keySet());
        List<String> wrong = new ArrayList<>();
        for (String file : functionFiles()) {
            String id = "function:" + file.substring(0, file.length() - ".sql".length());
            ids.add(id);
            String row = String.valueOf(after.get(id));
            boolean ok;
            if (!oldFiles.contains(file)) {
                ok = row.startsWith(code) && row.endsWith("|EXECUTED");
            } else if (resource(PREVIOUS.substring(1) + "/" + FUNCTIONS_DIR + "/" + file).equals(resource(FUNCTIONS_DIR + "/" + file))) {
                ok = row.equals(before.get(id));
            } else {
                ok = row.startsWith(code) && row.endsWith("|RERAN");
            }
            if (!ok) {
                wrong.add(id + (oldFiles.contains(file) ? "" : " (new)") + ": " + before.get(id) + " -> " + row);
            }
        }
        // the release changelogs that came after the old state ran once, under their own path
        for (String release : Db.RELEASES) {
            if (!resourceExists(PREVIOUS.substring(1) + "/" + release)) {
                for (String id : Db.changesetIds(release)) {
                    ids.add(id);
                    String row = String.valueOf(after.get(id));
                    if (!(row.startsWith(release + "|") && row.endsWith("|EXECUTED"))) {
                        wrong.add(id + " (new release " + release + "): " + row);
                    }
                }
            }
        }
        assertEquals(List.of(), wrong, "function changesets after the upgrade (filename|orderexecuted|md5sum|exectype)");
        assertEquals(ids, after.keySet(), "no changeset recorded under a new id");
    }

    private static boolean resourceExists(String path) {
        return UpgradeIT.class.getClassLoader().getResource(path) != null;
    }

    /** DATABASECHANGELOG: id to filename|orderexecuted|md5sum|exectype; an id recorded twice fails. */
    private static Map<String, String> changesetRows(Connection c) throws SQLException {
        Map<String, String> rows = new TreeMap<>();
        for (String l : lines(c, "select id, filename, orderexecuted, md5sum, exectype from databasechangelog")) {
            String[] f = l.split("\\|", 2);
            assertNull(rows.put(f[0], f[1]), "changeset id " + f[0] + " recorded twice (under another author or path)");
        }
        return rows;
    }

    private static List<Long> insert(Connection c, String prefix, int n) throws SQLException {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add((Long) one(c, "select pgq.insert_event('orders', 'e', ?)", prefix + i));
        }
        return ids;
    }

    /** A tick now, whatever the thresholds say. */
    private static void tick(Connection c) throws SQLException {
        Long last = (Long) one(c, "select pgq.force_tick('orders')");
        assertNotNull(one(c, "select pgq.ticker('orders')"), "no tick after force_tick " + last);
    }

    private static List<Long> ids(Connection c, Long batch) throws SQLException {
        List<Long> ids = new ArrayList<>();
        for (String s : lines(c, "select ev_id from pgq.get_batch_events(?)", batch)) {
            ids.add(Long.valueOf(s));
        }
        return ids;
    }

    /** Reads and finishes batches until there is none; returns the event ids in order. */
    private static List<Long> drain(Connection c, String consumer) throws SQLException {
        List<Long> all = new ArrayList<>();
        for (Long b; (b = (Long) one(c, "select pgq.next_batch('orders', ?)", consumer)) != null;) {
            all.addAll(ids(c, b));
            exec(c, "select pgq.finish_batch(?)", b);
        }
        return all;
    }

    private static String errorText(Connection c, String sql) {
        PSQLException e = assertThrows(PSQLException.class, () -> exec(c, sql));
        return e.getServerErrorMessage().getMessage();
    }
}
