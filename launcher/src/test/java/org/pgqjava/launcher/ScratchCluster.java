package org.pgqjava.launcher;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of one test class's own, for what would disturb the run's shared server:
 * stopping and restarting it, listing all its databases, password authentication. Made as
 * test-support's LocalCluster makes its (that class is not public): in /tmp, as the OS user
 * postgres when we are root, listening on 127.0.0.1 and a Unix socket. Local connections and
 * TCP connections of postgres are trusted; other roles need a password over TCP.
 */
final class ScratchCluster {

    private static final Path BIN = Path.of(System.getenv().getOrDefault("PG_BINDIR", "/usr/lib/postgresql/15/bin"));
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    final Path base;
    final Path data;
    final Path sock;
    final int port;

    private ScratchCluster(Path base, int port) {
        this.base = base;
        this.data = base.resolve("data");
        this.sock = base.resolve("sock");
        this.port = port;
    }

    static ScratchCluster start() throws IOException, InterruptedException {
        Path base = Files.createTempDirectory(Path.of("/tmp"), "pgqadm-scratch-");
        ScratchCluster c = new ScratchCluster(base, freePort());
        Files.createDirectories(c.sock);
        if (ROOT) {
            run(base, List.of("chown", "-R", "postgres:", base.toString()));
        }
        run(base, asPostgres(List.of(BIN.resolve("initdb").toString(), "-D", c.data.toString(), "-U", "postgres",
                "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")));
        Files.writeString(c.data.resolve("postgresql.conf"), "\nlisten_addresses = '127.0.0.1'\nport = " + c.port
                + "\nunix_socket_directories = '" + c.sock + "'\nfsync = off\nsynchronous_commit = off\n"
                + "log_line_prefix = '%m [%p] '\n", StandardOpenOption.APPEND);
        Files.writeString(c.data.resolve("pg_hba.conf"), "local all all trust\nhost all postgres 127.0.0.1/32 trust\n"
                + "host all all 127.0.0.1/32 scram-sha-256\n", StandardOpenOption.TRUNCATE_EXISTING);
        c.pgCtl("start", "-l", base.resolve("server.log").toString());
        return c;
    }

    /** A connection as postgres over TCP. */
    Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db + "?user=postgres");
    }

    void execute(String db, String... sql) throws SQLException {
        try (Connection c = connect(db); var s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    void stop() throws IOException, InterruptedException {
        pgCtl("stop", "-m", "fast");
    }

    void startAgain() throws IOException, InterruptedException {
        pgCtl("start", "-l", base.resolve("server.log").toString());
    }

    private void pgCtl(String action, String... more) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60"));
        cmd.addAll(List.of(more));
        cmd.add(action);
        run(base, asPostgres(cmd));
    }

    /** Stops the server at once and deletes the directory. */
    void close() throws IOException, InterruptedException {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                pgCtl("stop", "-m", "immediate");
            }
        } finally {
            try (Stream<Path> all = Files.walk(base)) {
                all.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    private static List<String> asPostgres(List<String> cmd) {
        if (!ROOT) {
            return cmd;
        }
        List<String> all = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        all.addAll(cmd);
        return all;
    }

    private static void run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("scratch-", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(new File("/dev/null")).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd + ": no exit in 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(cmd + ": exit " + p.exitValue() + "\n" + Files.readString(out));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
