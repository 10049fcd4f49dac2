package org.pgqjava.launcher;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ticker command: one {@link DatabaseWorker} per served database, started, re-configured and
 * stopped from the main thread, which otherwise waits for signals. Which databases: the one of
 * {@code db}; or those of {@code database_list}; or, with {@code database_list = *}, every
 * database of the server, listed every {@code check_period} through {@code db}'s database as
 * pgqd does (each worker then finds out itself whether its database has pgq).
 *
 * <p>Signals: SIGHUP re-reads the config file (a bad file is logged and the old config kept);
 * SIGINT lets every loop finish its round, then exits 0; SIGTERM closes the connections under
 * the loops and exits 0 at once.
 */
final class TickerDaemon {

    private static final Logger log = LoggerFactory.getLogger(TickerDaemon.class);
    /** After SIGTERM, loops get this long to notice their connections are gone. */
    private static final Duration ABORT_WAIT = Duration.ofSeconds(2);

    /** What the main thread is asked to do. */
    private enum Event {
        RELOAD, STOP, KILL, DISCOVER
    }

    /** Re-reads the config file on SIGHUP; throws when the new file is unusable. */
    interface Reloader {
        Config reload() throws ConfigException;
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Map<String, DatabaseWorker> workers = new LinkedHashMap<>();
    /** The workers as the metrics endpoint's threads see them: a copy made at each change. */
    private volatile List<DatabaseWorker> served = List.of();
    private MetricsEndpoint metrics;
    private final Reloader reloader;
    private volatile Config config;
    private volatile Set<String> discovered = Set.of();
    private Thread discovery;

    /** systemd's notification socket (Type=notify), or null. */
    private final SdNotify notify;

    TickerDaemon(Config config, Reloader reloader) {
        this(config, reloader, null);
    }

    TickerDaemon(Config config, Reloader reloader, SdNotify notify) {
        this.config = config;
        this.reloader = reloader;
        this.notify = notify;
    }

    private void notifySystemd(String state) {
        if (notify != null) {
            notify.send(state);
        }
    }

    /**
     * Pings systemd's watchdog at half its timeout while no database's ticker is stuck inside one
     * round for longer than the timeout (a hung call; rounds that fail and wait are fine), so
     * that systemd restarts a hung daemon (WatchdogSec) but not one whose database is down.
     */
    private void startWatchdog() {
        if (notify == null || notify.watchdog() == null) {
            return;
        }
        long timeout = notify.watchdog().toNanos();
        Thread t = new Thread(() -> {
            String warned = null;
            while (true) {
                long now = System.nanoTime();
                String stuck = null;
                for (DatabaseWorker w : served) {
                    if (w.tickerRoundAgeNanos(now) > timeout) {
                        stuck = w.dbname;
                    }
                }
                if (stuck == null) {
                    notify.send("WATCHDOG=1");
                } else if (!stuck.equals(warned)) {
                    log.warn("{}: ticker stuck in one round for over {} s: not pinging systemd's watchdog", stuck,
                            Durations.seconds(notify.watchdog()));
                }
                warned = stuck;
                try {
                    Thread.sleep(Math.max(1, timeout / 2_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "sd-watchdog");
        t.setDaemon(true);
        t.start();
    }

    /** Installs the signal handlers, serves until SIGINT or SIGTERM; returns the exit code. */
    int run() throws InterruptedException {
        for (String sig : new String[]{"HUP", "INT", "TERM"}) {
            boolean installed = Signals.handle(sig, () -> events.add(
                    "HUP".equals(sig) ? Event.RELOAD : "INT".equals(sig) ? Event.STOP : Event.KILL));
            if (!installed) {
                log.warn("SIG{} was ignored when this process started, so it stays ignored: pgqadm {} will not reach it"
                        + " (start it through bin/pgqadm, which resets the signals)", sig,
                        "HUP".equals(sig) ? "-r" : "INT".equals(sig) ? "-s" : "-k");
            }
        }
        Config cfg = config;
        log.info("Starting pgqadm {} (pgq-java): {}; loop_delay {} s, maint_delay {} s", Version.get(), describeDatabases(cfg),
                Durations.seconds(cfg.loopDelay()), Durations.seconds(cfg.maintDelay()));
        startDiscovery(cfg);
        applyDatabases(cfg);
        startMetrics(cfg);
        notifySystemd("READY=1\nSTATUS=serving " + describeDatabases(cfg) + "\nMAINPID=" + ProcessHandle.current().pid());
        startWatchdog();
        while (true) {
            Event e = events.take();
            switch (e) {
                case RELOAD:
                    log.info("Got SIGHUP, reloading config");
                    notifySystemd("RELOADING=1");
                    reload();
                    notifySystemd("READY=1\nSTATUS=serving " + describeDatabases(config));
                    break;
                case DISCOVER:
                    applyDatabases(config);
                    break;
                case STOP:
                    notifySystemd("STOPPING=1");
                    log.info("Got SIGINT, shutting down");
                    stopAll(false);
                    log.info("Stopped");
                    return 0;
                case KILL:
                    notifySystemd("STOPPING=1");
                    log.info("Got SIGTERM, fast exit");
                    stopAll(true);
                    return 0;
                default:
                    throw new IllegalStateException("unknown event " + e);
            }
        }
    }

    private void reload() {
        Config old = config;
        Config fresh;
        try {
            fresh = reloader.reload();
        } catch (ConfigException e) {
            log.error("config not reloaded, the old one stays in force: {}", e.getMessage());
            return;
        }
        fresh.warnings().forEach(log::warn);
        if (!java.util.Objects.equals(old.pidfile(), fresh.pidfile())) {
            log.warn("pidfile changed to {}: takes effect at the next start; {} stays", fresh.pidfile(), old.pidfile());
        }
        config = fresh;
        boolean connChanged = !old.db().equals(fresh.db()) || !old.jobName().equals(fresh.jobName());
        if (!old.databases().equals(fresh.databases()) || !old.db().equals(fresh.db())) {
            stopDiscovery();
            discovered = Set.of();
            startDiscovery(fresh);
        }
        applyDatabases(fresh);
        if (!old.metricsHost().equals(fresh.metricsHost()) || old.metricsPort() != fresh.metricsPort()
                || (metrics == null && fresh.metricsPort() != 0)) { // also: the port could not be bound before
            stopMetrics();
            startMetrics(fresh);
        }
        for (DatabaseWorker w : workers.values()) {
            if (connChanged) {
                w.reconnect();
            } else {
                w.nudge(); // new delays take effect in the current wait
            }
        }
        log.info("config reloaded: {}; loop_delay {} s, maint_delay {} s", describeDatabases(fresh),
                Durations.seconds(fresh.loopDelay()), Durations.seconds(fresh.maintDelay()));
    }

    /** Starts workers for databases now served, stops those no longer served. */
    private void applyDatabases(Config cfg) {
        Set<String> want = new LinkedHashSet<>();
        switch (cfg.databases().mode()) {
            case SINGLE:
                want.add(cfg.db().dbname());
                break;
            case LIST:
                want.addAll(cfg.databases().names());
                break;
            case ALL:
                want.addAll(discovered);
                break;
            default:
                throw new IllegalStateException("unknown mode " + cfg.databases().mode());
        }
        for (var it = workers.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!want.contains(e.getKey())) {
                log.info("Unregister database: {}", e.getKey());
                e.getValue().stop();
                it.remove();
            }
        }
        for (String db : want) {
            if (!workers.containsKey(db)) {
                log.info("Register database: {}", db);
                DatabaseWorker w = new DatabaseWorker(db, () -> config, System::nanoTime);
                workers.put(db, w);
                w.start();
            }
        }
        served = List.copyOf(workers.values());
        // the loops of removed databases end by themselves after their current round
    }

    /**
     * Starts the metrics endpoint when metrics_port is set. A port that cannot be bound is an
     * error in the log, not the end of the daemon: ticking matters more than its metrics.
     */
    private void startMetrics(Config cfg) {
        if (cfg.metricsPort() == 0) {
            return;
        }
        try {
            metrics = MetricsEndpoint.start(cfg, () -> config, () -> served, System::nanoTime);
        } catch (java.io.IOException | RuntimeException e) {
            log.error("metrics endpoint not started: cannot listen on {}:{}: {} (fix metrics_host or metrics_port and"
                    + " reload with pgqadm -r)", cfg.metricsHost(), cfg.metricsPort(), e.toString());
        }
    }

    private void stopMetrics() {
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
    }

    private void stopAll(boolean prompt) throws InterruptedException {
        stopDiscovery();
        stopMetrics();
        for (DatabaseWorker w : workers.values()) {
            if (prompt) {
                w.abort();
            } else {
                w.stop();
            }
        }
        if (prompt) {
            for (DatabaseWorker w : workers.values()) {
                w.join(ABORT_WAIT);
            }
            return;
        }
        long start = System.nanoTime();
        long nextNote = start + Duration.ofSeconds(30).toNanos();
        while (workers.values().stream().anyMatch(w -> !joined(w))) {
            Event e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e == Event.KILL) {
                log.info("Got SIGTERM, fast exit");
                stopAll(true);
                return;
            }
            if (System.nanoTime() > nextNote) {
                log.info("waiting {} s for the current rounds to finish (pgqadm -k, SIGTERM, stops at once)",
                        (System.nanoTime() - start) / 1_000_000_000L);
                nextNote += Duration.ofSeconds(30).toNanos();
            }
        }
    }

    private static boolean joined(DatabaseWorker w) {
        try {
            return w.join(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void startDiscovery(Config cfg) {
        if (cfg.databases().mode() != Config.Databases.Mode.ALL) {
            return;
        }
        discovery = new Thread(this::discoveryLoop, "discovery");
        discovery.setDaemon(true);
        discovery.start();
    }

    private void stopDiscovery() {
        if (discovery != null) {
            discovery.interrupt();
            discovery = null;
        }
    }

    /** Lists the server's databases every check_period; a change goes to the main thread. */
    private void discoveryLoop() {
        Health health = new Health(log, config.db().dbname() + ": database list", System::nanoTime);
        Backoff backoff = new Backoff();
        while (!Thread.currentThread().isInterrupted()) {
            Config cfg = config;
            Duration wait;
            try (Connection c = Connector.open(cfg.db(), cfg.jobName(), 60)) {
                Set<String> names = new LinkedHashSet<>(Discovery.listDatabases(c));
                health.ok();
                backoff.reset();
                if (!names.equals(discovered)) {
                    log.debug("databases of the server: {}", names);
                    discovered = Set.copyOf(names);
                    events.add(Event.DISCOVER);
                }
                wait = cfg.checkPeriod();
            } catch (SQLException e) {
                wait = backoff.next();
                health.failed(Sql.describe(e), wait);
            }
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static String describeDatabases(Config cfg) {
        switch (cfg.databases().mode()) {
            case SINGLE:
                return "database " + cfg.db().dbname() + " (" + cfg.db().describe() + ")";
            case LIST:
                return "databases " + String.join(", ", cfg.databases().names()) + " (" + cfg.db().describe() + ")";
            default:
                return "every database with pgq (listed through " + cfg.db().describe() + " every "
                        + Durations.seconds(cfg.checkPeriod()) + " s)";
        }
    }
}
