package org.pgqjava.launcher;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

import org.postgresql.Driver;

/**
 * Opens connections as a {@link ConnInfo} describes them. pgjdbc's driver is called directly,
 * not through DriverManager, so the shaded jar needs no driver registration to work.
 */
final class Connector {

    private static final Driver DRIVER = new Driver();

    private Connector() {
    }

    /**
     * A new connection to {@code info}'s database, autocommit on.
     *
     * @param appName      application_name, unless the connection string sets one
     * @param readTimeoutS pgjdbc's socketTimeout: a call that gets no answer for this long fails
     *                     (a dead network otherwise blocks until TCP gives up); 0: none
     */
    static Connection open(ConnInfo info, String appName, int readTimeoutS) throws SQLException {
        Properties p = info.jdbcProperties(appName);
        p.setProperty("tcpKeepAlive", p.getProperty("tcpKeepAlive", "true"));
        p.setProperty("connectTimeout", p.getProperty("connectTimeout", "10"));
        p.setProperty("socketTimeout", Integer.toString(readTimeoutS));
        if (info.passfile() != null) {
            // pgjdbc reads the password file only from this property or PGPASSFILE (one per JVM;
            // every connection of a pgqadm comes from the same connection string)
            System.setProperty("org.postgresql.pgpassfile", info.passfile());
        }
        Connection c;
        try {
            c = DRIVER.connect(info.jdbcUrl(), p);
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("08") && info.isUnixSocket()) {
                // pgjdbc names no socket ("The connection attempt failed"): say which, as libpq does
                SQLException named = new SQLException("connection to server on socket \"" + info.socketPath()
                        + "\" failed: " + Sql.describe(e).replaceAll(" \\[SQLSTATE [0-9A-Z]{5}\\]$", ""), e.getSQLState(), e);
                throw named;
            }
            throw e;
        }
        if (c == null) {
            throw new SQLException("pgjdbc does not take the URL " + info.jdbcUrl());
        }
        c.setAutoCommit(true);
        return c;
    }
}
