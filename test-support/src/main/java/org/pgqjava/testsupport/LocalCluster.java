package org.pgqjava.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One throwaway PostgreSQL cluster in a fresh temporary directory: initdb, start, stop, delete.
 *
 * <p>Layout of the directory ({@code /tmp/pgtest-*} when root, else under {@code java.io.tmpdir}):
 * {@code data/} the cluster, {@code sock/} the Unix socket, {@code server.log} the server's
 * stderr, {@code owner.pid} the pid of the JVM that made it (see {@link StaleClusters}),
 * {@code KEEP} present when {@code PGTEST_KEEP=1} asked to keep the directory.
 *
 * <p>What will bite: when the JVM runs as root everything that touches the cluster runs as the OS
 * user {@code postgres} through {@code runuser}, so the directory and every parent must be
 * traversable by that user (that is why it is made under {@code /tmp}), and every command runs
 * with the cluster directory as working directory (initdb fails on a working directory that
 * {@code postgres} may not read).
 */
final class LocalCluster {

    static final String DIR_PREFIX = "pgtest-";
    private static final Duration CMD_TIMEOUT = Duration.ofSeconds(120);
    private static final int START_ATTEMPTS = 3;

    final Path baseDir;
    final Path dataDir;
    final Path socketDir;
    final Path logFile;
    final Path binDir;
    final boolean keep;
    private volatile int port;

    private LocalCluster(Path baseDir, Path binDir, boolean keep) {
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.socketDir = baseDir.resolve("sock");
        this.logFile = baseDir.resolve("server.log");
        this.binDir = binDir;
        this.keep = keep;
    }

    /** The directory under which clusters are made: {@code /tmp} for root (see class comment). */
    static Path tempRoot() {
        return Exec.isRoot() ? Path.of("/tmp") : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Makes, configures and starts a cluster; {@code settings} go into postgresql.conf.
     *
     * @throws IllegalStateException with the server log tail when the server does not start
     */
    static LocalCluster start(Path binDir, Map<String, String> settings, boolean keep) throws IOException {
        return start(binDir, settings, null, keep);
    }

    /** As {@link #start(Path, Map, boolean)}; {@code hba}, when not null, replaces pg_hba.conf. */
    static LocalCluster start(Path binDir, Map<String, String> settings, String hba, boolean keep) throws IOException {
        StaleClusters.reap(binDir);
        Path base = Files.createTempDirectory(tempRoot(), DIR_PREFIX);
        LocalCluster c = new LocalCluster(base, binDir, keep);
        Files.writeString(base.resolve(StaleClusters.OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
        if (keep) {
            Files.writeString(base.resolve(StaleClusters.KEEP_FILE), "PGTEST_KEEP=1\n");
        }
        try {
            Files.createDirectory(c.socketDir);
            if (Exec.isRoot()) {
                c.check("chown", List.of("chown", "-R", Exec.POSTGRES_OS_USER + ":", base.toString()));
            }
            c.check("initdb", Exec.asServerUser(List.of(binDir.resolve("initdb").toString(),
                    "-D", c.dataDir.toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                    "--no-locale", "--no-sync")));
            c.configure(settings);
            if (hba != null) {
                // truncating keeps the file's owner (postgres) even when we write it as root
                Files.writeString(c.dataDir.resolve("pg_hba.conf"), hba, StandardOpenOption.TRUNCATE_EXISTING);
            }
            c.startServer();
            return c;
        } catch (IOException | RuntimeException e) {
            c.stop();
            throw e;
        }
    }

    int port() {
        return port;
    }

    /** Pid of the running postmaster, read from postmaster.pid; -1 when it is not running. */
    long pid() {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    boolean isRunning() {
        long pid = pid();
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Stops the server ({@code -m fast}, then {@code -m immediate}, then SIGKILL) and deletes the
     * directory unless it is to be kept. Never throws: it runs in shutdown hooks.
     */
    void stop() {
        try {
            stopServer(dataDir, binDir);
        } catch (RuntimeException e) {
            System.err.println("pgtest: stopping the server in " + baseDir + " failed: " + e);
        }
        if (keep) {
            System.err.println("pgtest: PGTEST_KEEP=1, kept " + baseDir + " (log: " + logFile + ")");
        } else {
            StaleClusters.deleteTree(baseDir);
        }
    }

    /** Stops whatever server runs on {@code dataDir}; shared with {@link StaleClusters}. */
    static void stopServer(Path dataDir, Path binDir) {
        if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
            return;
        }
        Path dir = dataDir.getParent();
        String pgCtl = binDir.resolve("pg_ctl").toString();
        for (String mode : List.of("fast", "immediate")) {
            ExecResult r = Exec.run(dir, CMD_TIMEOUT, Exec.asServerUser(
                    List.of(pgCtl, "-D", dataDir.toString(), "-m", mode, "-w", "-t", "60", "stop")));
            if (r.ok()) {
                return;
            }
            System.err.println("pgtest: pg_ctl stop -m " + mode + " failed: " + r.describe());
        }
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            // the pid file may be stale and its pid reused: kill only a postgres process
            ProcessHandle.of(pid)
                    .filter(h -> h.info().command().map(cmd -> cmd.endsWith("/postgres")).orElse(false))
                    .ifPresent(ProcessHandle::destroyForcibly);
        } catch (IOException | RuntimeException e) {
            System.err.println("pgtest: could not kill the postmaster of " + dataDir + ": " + e);
        }
    }

    /** The last {@code maxBytes} of the server log, for failure messages. */
    String logTail(int maxBytes) {
        try {
            byte[] all = Files.readAllBytes(logFile);
            int from = Math.max(0, all.length - maxBytes);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no server log at " + logFile + ": " + e + ")";
        }
    }

    /** Starts the stopped server again, on the port it had (clients keep their settings). */
    void restart() {
        ExecResult r = Exec.run(baseDir, CMD_TIMEOUT, Exec.asServerUser(List.of(binDir.resolve("pg_ctl").toString(),
                "-D", dataDir.toString(), "-l", logFile.toString(), "-o", "-p " + port, "-w", "-t", "60", "start")));
        if (!r.ok()) {
            throw new IllegalStateException("PostgreSQL did not start again in " + dataDir + " on port " + port + ": "
                    + r.describe() + "--- tail of " + logFile + " ---\n" + logTail(4000));
        }
    }

    private void configure(Map<String, String> settings) throws IOException {
        StringBuilder conf = new StringBuilder("\n# added by pgtest (org.pgqjava.testsupport)\n");
        conf.append("listen_addresses = '127.0.0.1'\n");
        conf.append("unix_socket_directories = ").append(quote(socketDir.toString())).append('\n');
        settings.forEach((k, v) -> conf.append(k).append(" = ").append(quote(v)).append('\n'));
        // appending keeps the file's owner (postgres) even when we write it as root
        Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
    }

    private void startServer() {
        String pgCtl = binDir.resolve("pg_ctl").toString();
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            // the port goes on the command line, so a retry does not have to rewrite the config
            ExecResult r = Exec.run(baseDir, CMD_TIMEOUT, Exec.asServerUser(List.of(pgCtl, "-D", dataDir.toString(),
                    "-l", logFile.toString(), "-o", "-p " + port, "-w", "-t", "60", "start")));
            if (r.ok()) {
                return;
            }
            String tail = logTail(4000);
            // another process may have taken the free port between our probe and the bind
            if (attempt < START_ATTEMPTS && tail.contains("could not bind")) {
                continue;
            }
            stopServer(dataDir, binDir);
            throw new IllegalStateException("PostgreSQL did not start in " + dataDir + " on port " + port
                    + " (attempt " + attempt + "): " + r.describe() + "--- tail of " + logFile + " ---\n" + tail);
        }
    }

    private void check(String what, List<String> cmd) {
        ExecResult r = Exec.run(baseDir, CMD_TIMEOUT, cmd);
        if (!r.ok()) {
            throw new IllegalStateException(what + " failed for " + baseDir + ": " + r.describe());
        }
    }

    private static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port on 127.0.0.1", e);
        }
    }
}
