package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.lines;
import static org.pgqjava.testsupport.Sql.one;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

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

        PgqInstaller.install(c);

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
