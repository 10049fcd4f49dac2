package org.pgqjava.client;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection a consumer keeps between batches (autocommit off), taken from its data source
 * when first needed and again after it broke.
 */
final class HeldConnection {

    private static final Logger log = LoggerFactory.getLogger(Consumer.class);

    private final DataSource dataSource;
    private final String what;
    private Connection connection;

    HeldConnection(DataSource dataSource, String what) {
        this.dataSource = dataSource;
        this.what = what;
    }

    synchronized Connection get() throws SQLException {
        if (connection == null) {
            Connection c = dataSource.getConnection();
            try {
                c.setAutoCommit(false);
            } catch (SQLException e) {
                try {
                    c.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    /** Rolls back after {@code failure} (a rollback's own error is added to it); drops a broken connection. */
    synchronized void rollback(Throwable failure) {
        Connection c = connection;
        if (c == null) {
            return;
        }
        try {
            c.rollback();
            if (c.isValid(5)) {
                return;
            }
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
        close();
    }

    synchronized void close() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("closing the {} connection failed: {}", what, e.toString());
            }
        }
    }
}
