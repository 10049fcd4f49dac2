package org.pgqjava.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One database on the test {@link PgServer}: the per-class database that {@link PgExtension}
 * creates, or any database you name. Connections are made as the server's superuser.
 */
public final class PgDatabase {

    private static final Duration PSQL_TIMEOUT = Duration.ofMinutes(5);

    private final PgServer server;
    private final String name;

    public PgDatabase(PgServer server, String name) {
        this.server = server;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public PgServer server() {
        return server;
    }

    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    /** A new connection, autocommit on; the caller closes it. */
    public Connection connect() throws SQLException {
        return server.connect(name);
    }

    /**
     * Runs {@code sql} as a psql script (statements one by one, each in its own transaction
     * unless the script says BEGIN) with {@code -X -q -A -t -v ON_ERROR_STOP=1} and returns
     * exit code and output: exit code 3 and the server's message on stderr for an SQL error.
     * Waits at most 5 minutes, then kills psql.
     */
    public ExecResult psql(String sql) {
        Path script = null;
        try {
            script = Files.createTempFile("pgtest-psql-", ".sql");
            Files.writeString(script, sql, StandardCharsets.UTF_8);
            return Exec.run(psqlCommand(), script, PSQL_TIMEOUT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a psql script", e);
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException ignored) {
                    // only a leftover temp file
                }
            }
        }
    }

    /**
     * A psql command line for this database, not yet started, for tests that need the process
     * itself (send it SIGINT to cancel, feed it input slowly). Connects over the Unix socket of
     * a managed server, else over TCP; {@code extraArgs} come last (e.g. {@code "-c", "SELECT 1"}).
     * Without {@code -c} or {@code -f} psql reads standard input, which a ProcessBuilder
     * connects to a pipe: close it, or psql waits forever.
     */
    public ProcessBuilder psqlCommand(String... extraArgs) {
        List<String> cmd = new ArrayList<>(List.of(server.binDir().resolve("psql").toString(),
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", server.socketDir().map(Path::toString).orElse(server.host()),
                "-p", Integer.toString(server.port()), "-U", server.superuser(), "-d", name));
        cmd.addAll(List.of(extraArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        server.password().ifPresent(pw -> pb.environment().put("PGPASSWORD", pw));
        return pb;
    }

    @Override
    public String toString() {
        return "database " + name + " on " + server;
    }
}
