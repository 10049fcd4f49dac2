package org.pgqjava.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.pgqjava.testsupport.Sql;
import org.postgresql.ds.PGSimpleDataSource;

/** Helpers of the client's tests: a data source, queues that tick on demand. */
final class ClientTests {

    static final Duration WAIT = Duration.ofSeconds(60);

    private ClientTests() {
    }

    static DataSource dataSource(String jdbcUrl) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl);
        return ds;
    }

    /** Creates {@code queue}; pgq.ticker(queue) then ticks on every call (ticker_max_lag and idle period 0). */
    static void createTickingQueue(Connection c, String queue) throws SQLException {
        assertEquals(1L, Sql.oneLong(c, "select pgq.create_queue(?)", queue), "create_queue " + queue);
        Sql.exec(c, "select pgq.set_queue_config(?, 'ticker_max_lag', '0')", queue);
        Sql.exec(c, "select pgq.set_queue_config(?, 'ticker_idle_period', '0')", queue);
    }

    /** pgq.ticker(queue), which must tick; returns the new tick id. */
    static long tick(Connection c, String queue) throws SQLException {
        Long id = Sql.longOrNull(c, "select pgq.ticker(?)", queue);
        assertNotNull(id, () -> "ticker(" + queue + ") did not tick");
        return id;
    }

    /** Moves due retry events back into their queues (what pgqadm's maintenance does). */
    static void moveRetries(Connection c) throws SQLException {
        Sql.exec(c, "select pgq.maint_retry_events()");
    }

    /** {@code n} events of type {@code type} with payloads prefix1..prefixN, in one statement (autocommit). */
    static void insertMany(Connection c, String queue, String type, String prefix, int n) throws SQLException {
        Sql.exec(c, "select pgq.insert_events(?, array(select ?::text from generate_series(1, ?)),"
                + " array(select ? || i from generate_series(1, ?) i))", queue, type, n, prefix, n);
    }
}
