package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;
import org.pgqjava.testsupport.Await;
import org.pgqjava.pgq.PgqTemplate;

/** The ticker as a daemon: pidfile, signals, -d, reload, log rotation; run as a user runs it. */
@PgTest(setup = PgqTemplate.class)
class DaemonIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Path pidfile;
    private Path logfile;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        started.forEach(Pgqadm::killQuietly);
        if (pidfile != null) {
            Pgqadm.killQuietly(Pgqadm.pid(pidfile));
        }
    }

    private Path conf(PgDatabase db, String... more) {
        pidfile = dir.resolve("run/ticker.pid");
        logfile = dir.resolve("log/ticker.log");
        List<String> lines = new ArrayList<>(List.of(Pgqadm.dbLine(db), "loop_delay = 0.1", "maint_delay = 1",
                "pidfile = " + pidfile, "logfile = " + logfile));
        lines.addAll(List.of(more));
        return Pgqadm.config(dir, "ticker.ini", lines.toArray(String[]::new));
    }

    private Process startTicker(Path conf) {
        Process p = Pgqadm.start(dir.resolve("console.txt"), conf.toString(), "ticker");
        started.add(p);
        Await.until("pidfile with the ticker's pid", WAIT, () -> Pgqadm.pid(pidfile).equals(OptionalLong.of(p.pid())));
        awaitLog("pgq version ok");
        return p;
    }

    private void awaitLog(String text) {
        Await.until("log line '" + text + "' in " + logfile, WAIT, () -> Pgqadm.read(logfile).contains(text));
    }

    static long lastTick(Connection c, String queue) throws SQLException {
        return Sql.oneLong(c, "select coalesce(max(t.tick_id), 0) from pgq.tick t join pgq.queue q on q.queue_id = t.tick_queue"
                + " where q.queue_name = ?", queue);
    }

    /** Inserts an event into {@code queue} and waits until a tick newer than the current one exists. */
    static void awaitTickAfterEvent(Connection c, String queue) throws SQLException {
        long before = lastTick(c, queue);
        Sql.exec(c, "select pgq.insert_event(?, 't', 'd')", queue);
        Await.until("a tick of " + queue + " after " + before, WAIT, () -> {
            try {
                return lastTick(c, queue) > before;
            } catch (SQLException e) {
                return false;
            }
        });
    }

    static void createQueue(Connection c, String queue) throws SQLException {
        Sql.exec(c, "select pgq.create_queue(?)", queue);
        Sql.exec(c, "select pgq.set_queue_config(?, 'ticker_max_lag', '0.2')", queue);
    }

    private static boolean exitsWithin(Process p, Duration d) throws InterruptedException {
        return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void ticksReloadsAndStopsSafely(PgDatabase db, Connection c) throws Exception {
        createQueue(c, "dq");
        Path conf = conf(db);
        Process p = startTicker(conf);
        awaitTickAfterEvent(c, "dq");

        Pgqadm.Result second = Pgqadm.run(conf.toString(), "ticker");
        assertEquals(1, second.exit(), second.describe());
        assertTrue(second.err().contains("Pidfile exists, another process running?"), second.describe());

        Files.writeString(conf, Files.readString(conf).replace("loop_delay = 0.1", "loop_delay = 0.3"));
        Pgqadm.Result reload = Pgqadm.run(conf.toString(), "-r");
        assertEquals(0, reload.exit(), reload.describe());
        awaitLog("config reloaded: database " + db.name());
        assertTrue(Pgqadm.read(logfile).contains("Got SIGHUP, reloading config"));
        assertTrue(Pgqadm.read(logfile).contains("loop_delay 0.3 s"));

        Files.writeString(conf, Files.readString(conf).replace("loop_delay = 0.3", "loop_delay = soon"));
        Pgqadm.Result refused = Pgqadm.run(conf.toString(), "-r"); // pgqadm -r reads the file too, and says so
        assertEquals(Main.EXIT_CONFIG, refused.exit(), refused.describe());
        assertTrue(refused.err().contains("loop_delay: not a number: 'soon'"), refused.describe());
        assertTrue(Signals.send("HUP", p.pid()));
        awaitLog("config not reloaded, the old one stays in force: " + conf + ":3: loop_delay: not a number");
        awaitTickAfterEvent(c, "dq");

        Files.writeString(conf, Files.readString(conf).replace("loop_delay = soon", "loop_delay = 0.3"));
        Pgqadm.Result stop = Pgqadm.run(conf.toString(), "-s");
        assertEquals(0, stop.exit(), stop.describe());
        assertTrue(exitsWithin(p, WAIT), "stopped by SIGINT");
        assertEquals(0, p.exitValue());
        assertTrue(Files.notExists(pidfile), "pidfile removed");
        assertTrue(Pgqadm.read(logfile).contains("Got SIGINT, shutting down"));
    }

    @Test
    void killStopsPromptly(PgDatabase db) throws Exception {
        Path conf = conf(db, "maint_delay = 600");
        Process p = startTicker(conf);
        long t0 = System.nanoTime();
        assertEquals(0, Pgqadm.run(conf.toString(), "-k").exit());
        assertTrue(exitsWithin(p, Duration.ofSeconds(20)), "stopped by SIGTERM");
        assertEquals(0, p.exitValue());
        assertTrue(Files.notExists(pidfile), "pidfile removed");
        assertTrue(Pgqadm.read(logfile).contains("Got SIGTERM, fast exit"));
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos());
    }

    @Test
    void daemonDetachesIntoItsOwnSession(PgDatabase db, Connection c) throws Exception {
        createQueue(c, "bg");
        Path conf = conf(db);
        Pgqadm.Result r = Pgqadm.run("-d", conf.toString(), "ticker");
        assertEquals(0, r.exit(), r.describe());
        long pid = Pgqadm.pid(pidfile).orElseThrow();
        assertTrue(Pgqadm.alive(pid));
        String[] stat = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceFirst("^.*\\) ", "").split(" ");
        assertEquals(Long.toString(pid), stat[3], "session id = own pid: setsid");
        assertEquals(Path.of("/dev/null"), Path.of("/proc/" + pid + "/fd/0").toRealPath());
        awaitLog("pgq version ok");
        awaitTickAfterEvent(c, "bg");
        Pgqadm.Result again = Pgqadm.run("-d", conf.toString(), "ticker");
        assertEquals(1, again.exit(), again.describe());
        assertTrue(again.err().contains("Pidfile exists, another process running?"));
        assertEquals(0, Pgqadm.run(conf.toString(), "-s").exit());
        Await.until("daemon gone", WAIT, () -> !Pgqadm.alive(pid));
        Await.until("pidfile removed", WAIT, () -> Files.notExists(pidfile));
    }

    @Test
    void daemonNeedsPidfile(PgDatabase db) {
        Path conf = Pgqadm.config(dir, "nopid.ini", Pgqadm.dbLine(db));
        Pgqadm.Result r = Pgqadm.run("-d", conf.toString(), "ticker");
        assertEquals(1, r.exit(), r.describe());
        assertTrue(r.err().contains("Daemon needs pidfile"), r.describe());
        Pgqadm.Result s = Pgqadm.run(conf.toString(), "-s");
        assertEquals(0, s.exit());
        assertTrue(s.err().contains("No pidfile in config, nothing todo"), s.describe());
    }

    @Test
    void stalePidfileIsIgnored(PgDatabase db) throws Exception {
        Path conf = conf(db);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.createDirectories(pidfile.getParent());
        Files.writeString(pidfile, gone.pid() + "\n");
        Pgqadm.Result s = Pgqadm.run(conf.toString(), "-s");
        assertTrue(s.err().contains("pidfile exist, but process not running"), s.describe());
        Process p = startTicker(conf);
        assertTrue(Pgqadm.read(dir.resolve("console.txt")).contains("Ignoring stale pidfile"));
        assertNotEquals(gone.pid(), p.pid());
        assertEquals(0, Pgqadm.run(conf.toString(), "-k").exit());
        assertTrue(exitsWithin(p, WAIT));
    }

    @Test
    void signalWithoutRunningProcess(PgDatabase db) throws IOException {
        Path conf = conf(db);
        Pgqadm.Result none = Pgqadm.run(conf.toString(), "-r");
        assertEquals(0, none.exit());
        assertTrue(none.err().contains("No pidfile, process not running"), none.describe());
        Files.createDirectories(pidfile.getParent());
        Files.writeString(pidfile, "not a pid\n");
        Pgqadm.Result corrupt = Pgqadm.run(conf.toString(), "-k");
        assertEquals(1, corrupt.exit());
        assertTrue(corrupt.err().contains("Corrupt pidfile: " + pidfile), corrupt.describe());
        Files.delete(pidfile);
    }

    @Test
    void launcherScriptRunsTheTicker(PgDatabase db) throws Exception {
        Path conf = conf(db);
        Process p = Pgqadm.command("launcher", java.util.Map.of(), conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("launcher.txt").toFile()).start();
        started.add(p);
        Await.until("pidfile of bin/launcher", WAIT, () -> Pgqadm.pid(pidfile).equals(OptionalLong.of(p.pid())));
        awaitLog("pgq version ok");
        assertEquals(0, Pgqadm.run(conf.toString(), "-s").exit());
        assertTrue(exitsWithin(p, WAIT));
        assertEquals(0, p.exitValue());
    }

    @Test
    void logfileRotatesBySize(PgDatabase db) throws Exception {
        Path conf = conf(db, "ticker_log_delay = 0.05", "log_size = 2000", "log_count = 2");
        startTicker(conf);
        Path second = Path.of(logfile + ".2");
        Await.until("two rotated log files", WAIT, () -> Files.exists(second));
        assertEquals(0, Pgqadm.run(conf.toString(), "-k").exit());
        Await.until("pidfile removed", WAIT, () -> Files.notExists(pidfile));
        assertTrue(Files.notExists(Path.of(logfile + ".3")), "log_count = 2 keeps two");
        assertTrue(Files.size(Path.of(logfile + ".1")) < 2000 + 4096, "rotated near log_size");
        assertTrue(Pgqadm.read(Path.of(logfile + ".1")).contains("{ticks: "));
    }
}
