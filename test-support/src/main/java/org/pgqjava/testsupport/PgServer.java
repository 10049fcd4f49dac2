package org.pgqjava.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The PostgreSQL 15 server of this test run: one per JVM, started on first use by {@link #get()}.
 *
 * <p>By default it is a throwaway cluster (see {@link LocalCluster}) on a free port of 127.0.0.1,
 * run as the OS user {@code postgres} when the JVM is root, with settings for speed
 * ({@code fsync=off} and friends) and superuser {@code postgres} (trust authentication). A JVM
 * shutdown hook stops it (also on SIGTERM); so does {@link PgExtension} when the JUnit run ends.
 * A JVM killed with SIGKILL leaves it running; the next run stops it (see {@link StaleClusters}).
 *
 * <p>Environment:
 * <ul>
 * <li>{@code PG_BINDIR}: where initdb, pg_ctl and psql are; default {@value #DEFAULT_BINDIR}.</li>
 * <li>{@code PGTEST_URL}: a JDBC URL of an existing server (superuser in {@code user=}); then
 *     nothing is started or stopped, {@link #setting} is ignored with a warning, and the server
 *     log is only known if {@code PGTEST_LOG} names its file.</li>
 * <li>{@code PGTEST_KEEP=1}: keep the cluster directory (and the test databases) after the run.</li>
 * </ul>
 * Extra server settings: {@link #setting(String, String)} before first use, or the system
 * property {@code pgtest.settings}, e.g. {@code -Dpgtest.settings="work_mem=64MB;jit=off"}.
 */
public final class PgServer {

    public static final String DEFAULT_BINDIR = "/usr/lib/postgresql/15/bin";

    /** Settings every managed test server gets; {@link #setting} can override them. */
    private static final Map<String, String> BASE_SETTINGS = Map.of(
            "fsync", "off", "synchronous_commit", "off", "full_page_writes", "off",
            "max_connections", "100", "shared_buffers", "128MB",
            "log_min_messages", "warning", "log_line_prefix", "%m [%p] ",
            // as docs/pljvm.md recommends: backends inherit libjvm loaded (PreloadIT)
            "shared_preload_libraries", "pljvm");

    private static final Pattern SETTING_NAME = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");
    private static final Map<String, String> extraSettings = new LinkedHashMap<>();
    private static PgServer current;
    private static RuntimeException startFailure;
    private static boolean hookInstalled;

    private final LocalCluster cluster; // null: PGTEST_URL
    private final String urlPrefix;     // jdbc:postgresql://host:port/
    private final String urlQuery;      // ?user=... (never empty)
    private final String host;
    private final int port;
    private final String user;
    private final String password;      // null: none
    private final Path binDir;

    private PgServer(LocalCluster cluster, String host, int port, String user, String password, String query, Path binDir) {
        this.cluster = cluster;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.urlPrefix = "jdbc:postgresql://" + host + ":" + port + "/";
        this.urlQuery = query;
        this.binDir = binDir;
    }

    /**
     * The server of this run, started (or attached to {@code PGTEST_URL}) on the first call.
     * A failed start is remembered: later calls fail at once with the same cause, instead of
     * running initdb again for every test class.
     */
    public static synchronized PgServer get() {
        if (current != null) {
            return current;
        }
        if (startFailure != null) {
            throw new IllegalStateException("the test server failed to start earlier in this run", startFailure);
        }
        String url = System.getenv("PGTEST_URL");
        if (url != null && !url.isBlank()) {
            if (!extraSettings.isEmpty() || System.getProperty("pgtest.settings") != null) {
                System.err.println("pgtest: PGTEST_URL is set, server settings ignored: " + settings());
            }
            current = external(url);
            return current;
        }
        if (!hookInstalled) {
            // before the start: a SIGTERM during it waits for our lock, then finds the server
            Runtime.getRuntime().addShutdownHook(new Thread(PgServer::stopCurrent, "pgtest-server-stop"));
            hookInstalled = true;
        }
        try {
            LocalCluster c = LocalCluster.start(configuredBinDir(), settings(), "1".equals(System.getenv("PGTEST_KEEP")));
            current = new PgServer(c, "127.0.0.1", c.port(), "postgres", null, "?user=postgres", c.binDir);
        } catch (IOException e) {
            startFailure = new UncheckedIOException(e);
            throw startFailure;
        } catch (RuntimeException e) {
            startFailure = e;
            throw e;
        }
        return current;
    }

    /**
     * Adds or overrides a postgresql.conf setting of the managed server. Only before the server
     * starts: a later call fails, naming the key, rather than being silently ignored.
     */
    public static synchronized void setting(String key, String value) {
        if (!SETTING_NAME.matcher(key).matches()) {
            throw new IllegalArgumentException("not a server setting name: '" + key + "'");
        }
        if (current != null) {
            throw new IllegalStateException("setting '" + key + "' comes too late: the test server already runs");
        }
        extraSettings.put(key, value);
    }

    /** A server reached through {@code jdbcUrl}, not managed by us (as with PGTEST_URL). */
    static PgServer external(String jdbcUrl) {
        Properties p = org.postgresql.Driver.parseURL(jdbcUrl, new Properties());
        if (p == null) {
            throw new IllegalArgumentException("PGTEST_URL is not a PostgreSQL JDBC URL: " + jdbcUrl);
        }
        String user = p.getProperty("user", System.getProperty("user.name"));
        int q = jdbcUrl.indexOf('?');
        String query = q < 0 ? "?user=" + user : jdbcUrl.substring(q);
        if (!query.contains("user=")) {
            query += "&user=" + user;
        }
        return new PgServer(null, p.getProperty("PGHOST", "localhost"), Integer.parseInt(p.getProperty("PGPORT", "5432")),
                user, p.getProperty("password"), query, configuredBinDir());
    }

    /** False when attached to an existing server ({@code PGTEST_URL}). */
    public boolean isManaged() {
        return cluster != null;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The superuser the tests connect as: {@code postgres} for a managed server. */
    public String superuser() {
        return user;
    }

    /** Password from PGTEST_URL, if any (a managed server uses trust authentication). */
    Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** Directory of the Unix socket; empty for PGTEST_URL (then use host and port). */
    public Optional<Path> socketDir() {
        return cluster == null ? Optional.empty() : Optional.of(cluster.socketDir);
    }

    /** Data directory of a managed server. */
    public Optional<Path> dataDir() {
        return cluster == null ? Optional.empty() : Optional.of(cluster.dataDir);
    }

    /** Where initdb, pg_ctl, psql are. */
    public Path binDir() {
        return binDir;
    }

    /** JDBC URL of {@code database} (a plain identifier), as the superuser. */
    public String jdbcUrl(String database) {
        return urlPrefix + database + urlQuery;
    }

    /** A new connection to {@code database} as the superuser; autocommit on. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database));
    }

    /** Pid of the postmaster; for PGTEST_URL read through {@code pg_read_file} (superuser needed). */
    public long serverPid() {
        if (cluster != null) {
            return cluster.pid();
        }
        try (Connection c = connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT split_part(pg_read_file('postmaster.pid'), E'\\n', 1)")) {
            rs.next();
            return Long.parseLong(rs.getString(1).trim());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the postmaster pid of " + jdbcUrl("postgres"), e);
        }
    }

    /** Whether the postmaster runs (managed) or accepts a connection (PGTEST_URL). */
    public boolean isRunning() {
        if (cluster != null) {
            return cluster.isRunning();
        }
        try (Connection c = connect("postgres")) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Size in bytes of the server log now: pass it to {@link #serverLogSince} later. */
    public long serverLogSize() {
        try {
            return Files.size(logFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the server log " + logFile(), e);
        }
    }

    /** The whole server log (stderr of the postmaster and its backends). */
    public String serverLog() {
        return serverLogSince(0);
    }

    /**
     * The server log from byte {@code offset} on. What will bite: a backend writes its log line
     * when it reports, not when your statement returns an error to you; a crash report from the
     * postmaster ("terminated by signal") may come a few milliseconds after the client saw the
     * connection drop, so poll with a deadline.
     */
    public String serverLogSince(long offset) {
        Path log = logFile();
        try (SeekableByteChannel ch = Files.newByteChannel(log)) {
            long size = ch.size();
            if (offset >= size) {
                return "";
            }
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size - offset));
            ch.position(offset);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read until the size seen above; lines written meanwhile wait for the next call
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the server log " + log, e);
        }
    }

    @Override
    public String toString() {
        return (cluster != null ? "PostgreSQL in " + cluster.baseDir : "PostgreSQL (PGTEST_URL)") + " at " + host + ":" + port;
    }

    /** Stops a managed server (nothing for PGTEST_URL); idempotent; never throws. */
    void stop() {
        if (cluster != null) {
            cluster.stop();
        }
    }

    /** Stops the server of this run if one runs; a later {@link #get()} starts a new one. */
    static synchronized void stopCurrent() {
        if (current != null) {
            current.stop();
            current = null;
        }
    }

    /** The server of this run if it has been started and not stopped, without starting one. */
    static synchronized Optional<PgServer> running() {
        return Optional.ofNullable(current);
    }

    private Path logFile() {
        if (cluster != null) {
            return cluster.logFile;
        }
        String log = System.getenv("PGTEST_LOG");
        if (log == null || log.isBlank()) {
            throw new IllegalStateException("server log unknown: PGTEST_URL is set; set PGTEST_LOG to the server's log file");
        }
        return Path.of(log);
    }

    static Path configuredBinDir() {
        String dir = System.getenv("PG_BINDIR");
        return Path.of(dir == null || dir.isBlank() ? DEFAULT_BINDIR : dir);
    }

    /** Base settings, then pgtest.settings, then {@link #setting} calls; later ones win. */
    private static Map<String, String> settings() {
        Map<String, String> all = new LinkedHashMap<>(new TreeMap<>(BASE_SETTINGS));
        String prop = System.getProperty("pgtest.settings", "");
        for (String kv : prop.split(";")) {
            if (kv.isBlank()) {
                continue;
            }
            int eq = kv.indexOf('=');
            String key = eq < 0 ? kv.trim() : kv.substring(0, eq).trim();
            if (eq < 0 || !SETTING_NAME.matcher(key).matches()) {
                throw new IllegalArgumentException("pgtest.settings: '" + kv.trim() + "' is not key=value");
            }
            all.put(key, kv.substring(eq + 1).trim());
        }
        all.putAll(extraSettings);
        return Collections.unmodifiableMap(all);
    }
}
