package org.pgqjava.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * A PostgreSQL cluster of one test class's own, for what would disturb the run's shared
 * {@link PgServer}: stopping and restarting it, listing all its databases, password
 * authentication. Made as the shared one is (a fresh directory under /tmp, as the OS user
 * postgres when we are root, 127.0.0.1 and a Unix socket; see LocalCluster), with the test's own
 * pg_hba.conf. Close it: that stops the server and deletes the directory (PGTEST_KEEP=1 keeps it).
 */
public final class ScratchCluster implements AutoCloseable {

    private final LocalCluster cluster;

    private ScratchCluster(LocalCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Makes and starts a cluster; {@code settings} go into postgresql.conf, {@code hba} replaces
     * pg_hba.conf (null: initdb's, which trusts local and loopback connections).
     */
    public static ScratchCluster start(Map<String, String> settings, String hba) throws IOException {
        return new ScratchCluster(LocalCluster.start(PgServer.configuredBinDir(), settings, hba, PgExtension.KEEP));
    }

    public int port() {
        return cluster.port();
    }

    /** The directory of the server's Unix socket. */
    public Path socketDir() {
        return cluster.socketDir;
    }

    public Path logFile() {
        return cluster.logFile;
    }

    /** A connection over TCP as the superuser postgres, autocommit on; the caller closes it. */
    public Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port() + "/" + db + "?user=postgres");
    }

    /** Runs each of {@code sql} in database {@code db} (its own transaction each). */
    public void execute(String db, String... sql) throws SQLException {
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /** Stops the server (clients see it go away); {@link #startAgain} brings it back. */
    public void stop() {
        LocalCluster.stopServer(cluster.dataDir, cluster.binDir);
    }

    /** Starts the stopped server again on the same port. */
    public void startAgain() {
        cluster.restart();
    }

    /** Stops the server and deletes its directory. */
    @Override
    public void close() {
        cluster.stop();
    }
}
