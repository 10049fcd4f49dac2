package org.pgqjava.launcher;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ticks and maintains one database: a ticker thread calls {@code select pgq.ticker()} every
 * {@code loop_delay}, a maintenance thread runs a {@link Maintenance} round every
 * {@code maint_delay}, each on its own connection, so a long VACUUM never delays a tick and a
 * slow or failing database holds up no other. Both loops survive anything: a failure closes the
 * connection and the loop reconnects after a {@link Backoff}; a database without pgq is checked
 * again every {@code check_period}. Log lines start with the database name.
 */
final class DatabaseWorker {

    private static final Logger log = LoggerFactory.getLogger(DatabaseWorker.class);
    /** A pgq.ticker() call that gets no answer for this long fails: the network is gone. */
    private static final int TICKER_READ_TIMEOUT_S = 120;

    final String dbname;
    private final Supplier<Config> config;
    private final LongSupplier nanoClock;
    private final Object lock = new Object();
    private final TickerLoop ticker;
    private final Loop maint;
    private final Thread tickerThread;
    private final Thread maintThread;
    private volatile boolean stopping;
    private volatile int generation;
    /** A producer's commit notified pgq_push since the ticker's last push_ticker() call. */
    private volatile boolean pushSignal;
    private final PushListener listener = new PushListener();
    private final Thread listenerThread;
    final AtomicLong ticks = new AtomicLong();
    final AtomicLong maintRounds = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
    /** Totals since the start, for the metrics endpoint (the stats line's counters above are reset). */
    final AtomicLong tickerCallsTotal = new AtomicLong();
    final AtomicLong maintRoundsTotal = new AtomicLong();
    final AtomicLong retriedTotal = new AtomicLong();
    /** The last maintenance round's duration in seconds; NaN before the first. */
    volatile double maintLastSeconds = Double.NaN;
    /** nanoClock of the last successful pgq.ticker() call; 0 before the first. */
    volatile long lastTickerCallNanos;
    /** Stuck consumer thresholds, checked in every maintenance round. */
    final StuckConsumers stuckConsumers = new StuckConsumers();
    /** The queue and consumer figures read last (every metrics_period while the endpoint is on); null before. */
    volatile MetricsSample sample;

    DatabaseWorker(String dbname, Supplier<Config> config, LongSupplier nanoClock) {
        this.dbname = dbname;
        this.config = config;
        this.nanoClock = nanoClock;
        this.ticker = new TickerLoop();
        this.maint = new MaintLoop();
        this.tickerThread = new Thread(ticker, "ticker-" + dbname);
        this.maintThread = new Thread(maint, "maint-" + dbname);
        this.listenerThread = new Thread(listener, "push-" + dbname);
        this.listenerThread.setDaemon(true);
    }

    void start() {
        tickerThread.start();
        maintThread.start();
        listenerThread.start();
    }

    /** Graceful stop: each loop finishes what it is doing, then ends. */
    void stop() {
        stopping = true;
        nudge();
    }

    /** Prompt stop: also closes the connections under the loops, failing what runs on them. */
    void abort() {
        stop();
        ticker.abortConnection();
        maint.abortConnection();
        listener.close();
    }

    /** Waits until both loops ended; false if they did not within {@code timeout}. */
    boolean join(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : new Thread[]{tickerThread, maintThread, listenerThread}) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Math.max(1, left / 1_000_000));
            }
        }
        return !tickerThread.isAlive() && !maintThread.isAlive() && !listenerThread.isAlive();
    }

    /** The connection string changed: both loops reconnect before their next call. */
    void reconnect() {
        generation++;
        nudge();
    }

    /** Wakes sleeping loops so they see a new config (shorter delays) or a stop at once. */
    void nudge() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /**
     * Waits until {@code deadline} (nanoClock, read again after every wake-up: a reload may
     * change it), a stop, or {@code wake} (looked at after every {@link #nudge}).
     */
    private void await(LongSupplier deadline, BooleanSupplier wake) {
        synchronized (lock) {
            while (!stopping && !wake.getAsBoolean()) {
                long left = deadline.getAsLong() - nanoClock.getAsLong();
                if (left <= 0) {
                    return;
                }
                try {
                    lock.wait((left + 999_999) / 1_000_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return; // only abort() interrupts; the loop sees stopping
                }
            }
        }
    }

    /** Closes {@code c} (if any); a failure to close is only logged. */
    private static void closeQuietly(Connection c, String what) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException e) {
                log.debug("{}: closing the connection: {}", what, e.toString());
            }
        }
    }

    /** The ticker loop's health (STARTING, OK, NO_PGQ, FAILING). */
    Health tickerHealth() {
        return ticker.health;
    }

    Health maintHealth() {
        return maint.health;
    }

    /** Connections the ticker and the maintenance loop opened: [ticker, maintenance]. */
    long[] connectionsOpened() {
        return new long[] {ticker.opened.get(), maint.opened.get()};
    }

    /** How long the ticker loop has been inside its current round (0 between rounds): a hung call shows here. */
    long tickerRoundAgeNanos(long now) {
        long started = ticker.roundStarted;
        return started == 0 ? 0 : now - started;
    }

    /** Failed rounds of the ticker and the maintenance loop: [ticker, maintenance]. */
    long[] failedRounds() {
        return new long[] {ticker.failedRounds.get(), maint.failedRounds.get()};
    }

    /** One loop (ticker or maintenance): its connection, its health, its schedule. */
    private abstract class Loop implements Runnable {
        final String prefix;
        final Health health;
        final AtomicLong opened = new AtomicLong();
        final AtomicLong failedRounds = new AtomicLong();
        /** nanoClock when the current round began; 0 between rounds. */
        volatile long roundStarted;
        final Backoff backoff = new Backoff();
        private volatile Connection conn;
        private long connectedAt;
        private int connGeneration;
        private boolean fresh; // the current round opened the connection

        Loop(String what) {
            this.prefix = dbname + ": " + what;
            this.health = new Health(log, prefix, nanoClock);
        }

        /** Does one round on {@code c}. */
        abstract void work(Connection c, Config cfg) throws SQLException;

        /** The wait after a successful round, read again while sleeping (a reload may change it). */
        abstract Duration period(Config cfg);

        /** Called after each connect once pgq checked out. */
        void connected(String version, boolean recovering) {
        }

        @Override
        public void run() {
            try {
                while (!stopping) {
                    long roundStart = nanoClock.getAsLong();
                    roundStarted = roundStart == 0 ? 1 : roundStart;
                    Duration fixedWait;
                    try {
                        fixedWait = round();
                    } finally {
                        roundStarted = 0;
                    }
                    pause(roundStart, fixedWait);
                }
            } finally {
                closeConnection();
            }
        }

        /** One round; returns null after a success (wait {@link #period}), else the wait. */
        private Duration round() {
            Config cfg = config.get();
            try {
                Connection c = connection(cfg);
                work(c, cfg);
                health.ok();
                backoff.reset();
                return null;
            } catch (PgqCheck.NoPgqException e) {
                closeConnection();
                if (this == ticker) {
                    health.noPgq(e.getMessage(), cfg.checkPeriod());
                } else {
                    log.debug("{}: {}", prefix, e.getMessage()); // the ticker says it already
                }
                return cfg.checkPeriod();
            } catch (SQLException e) {
                boolean reused = !fresh;
                closeConnection();
                if (stopping) {
                    return Duration.ZERO;
                }
                if (reused && Sql.isConnectionLost(e) && health.state() == Health.State.OK) {
                    // an idle connection died (server restart, network): try a new one at once
                    // before calling it a failure; the maintenance loop sees this after every restart
                    log.debug("{}: connection lost ({}); reconnecting", prefix, Sql.describe(e));
                    return Duration.ZERO;
                }
                failedRounds.incrementAndGet();
                Duration wait = backoff.next();
                health.failed(Sql.describe(e), wait);
                return wait;
            } catch (RuntimeException e) {
                closeConnection();
                failedRounds.incrementAndGet();
                Duration wait = backoff.next();
                if (health.failed("unexpected " + e, wait)) {
                    log.error("{}: stack trace of the unexpected error", prefix, e);
                }
                return wait;
            }
        }

        private Connection connection(Config cfg) throws SQLException, PgqCheck.NoPgqException {
            Connection c = conn;
            long now = nanoClock.getAsLong();
            fresh = false;
            if (c != null && (connGeneration != generation || now - connectedAt > cfg.connectionLifetime().toNanos())) {
                log.debug("{}: reconnecting ({})", prefix, connGeneration != generation ? "connection string changed" : "connection_lifetime reached");
                closeConnection();
                c = null;
            }
            if (c == null) {
                fresh = true;
                connGeneration = generation;
                c = Connector.open(cfg.db().withDbname(dbname), cfg.jobName(), readTimeout());
                opened.incrementAndGet();
                conn = c;
                connectedAt = now;
                if (stopping) {
                    closeConnection(); // abort() may have run while we connected
                    throw new SQLException("stopping");
                }
                String version = PgqCheck.check(c);
                connected(version, health.state() != Health.State.OK);
            }
            return c;
        }

        int readTimeout() {
            return 0;
        }

        /** Between two rounds: {@code fixedWait} after a failure, else {@link #period}. */
        void pause(long roundStart, Duration fixedWait) {
            sleepUntil(roundStart, fixedWait);
        }

        /** The loop's connection, or null. */
        Connection current() {
            return conn;
        }

        final void sleepUntil(long roundStart, Duration fixedWait) {
            await(() -> roundStart + (fixedWait != null ? fixedWait : period(config.get())).toNanos(), () -> false);
        }

        void abortConnection() {
            closeConnection();
        }

        private void closeConnection() {
            Connection c = conn;
            conn = null;
            closeQuietly(c, prefix);
        }
    }

    /**
     * The ticker: {@code pgq.ticker()} every loop_delay; in a pgq-java database also at once when
     * a producer's commit notifies {@code pgq_push} (push delivery, docs/push.md), through
     * {@code pgq_java.push_ticker()}, which decides as pgq.ticker() does and says how long to
     * wait before calling it again is useful (a push queue not due yet, or one just ticked that
     * may get more events). The notifications are read by {@link PushListener} on a connection
     * of its own, so that this loop never waits in the driver. A notification lost (reconnect,
     * restart) only leaves the tick to the next loop_delay round.
     */
    private final class TickerLoop extends Loop {
        private long lastStats;
        /** The database has pgq_java.push_ticker(): the listener runs, this loop waits on it. */
        private volatile boolean push;
        /** What the last push_ticker() said: ms until calling it again is useful, or null. */
        private Double pushWait;

        TickerLoop() {
            super("ticker");
            lastStats = nanoClock.getAsLong();
        }

        boolean pushOn() {
            return push;
        }

        @Override
        void connected(String version, boolean recovering) {
            if (recovering) {
                log.info("{}: pgq version ok: {}", dbname, version);
            }
            pushWait = null;
            try (Statement s = current().createStatement();
                    ResultSet rs = s.executeQuery("select pg_catalog.to_regprocedure('pgq_java.push_ticker()') is not null")) {
                boolean was = push;
                push = rs.next() && rs.getBoolean(1);
                if (push && !was) {
                    log.debug("{}: push delivery: listening on pgq_push", prefix);
                }
            } catch (SQLException e) {
                // the ticker still ticks every loop_delay; the next connection asks again
                log.warn("{}: push delivery off on this connection: {}", prefix, Sql.describe(e));
                push = false;
            }
            nudge();   // the listener starts or stops
        }

        @Override
        int readTimeout() {
            return TICKER_READ_TIMEOUT_S;
        }

        @Override
        void work(Connection c, Config cfg) throws SQLException {
            try (Statement s = c.createStatement()) {
                if (push) {
                    pushSignal = false;   // what committed until now, this call sees
                    try (ResultSet rs = s.executeQuery("select pgq_java.push_ticker()")) {
                        rs.next();
                        double ms = rs.getDouble(1);
                        pushWait = rs.wasNull() ? null : ms;
                    }
                } else {
                    s.execute("select pgq.ticker()");
                }
            }
            ticks.incrementAndGet();
            tickerCallsTotal.incrementAndGet();
            lastTickerCallNanos = nanoClock.getAsLong();
            if (cfg.metricsPort() > 0 && (sample == null
                    || nanoClock.getAsLong() - sample.takenNanos() >= cfg.metricsPeriod().toNanos())) {
                sample = MetricsSample.read(c, nanoClock.getAsLong());
            }
            logStats(cfg);
        }

        /**
         * After a failure or without push: as every loop. With push: until loop_delay passed, or
         * until calling push_ticker() again is useful (pushWait), or, when it said nothing, until
         * a producer's notification came.
         */
        @Override
        void pause(long roundStart, Duration fixedWait) {
            if (fixedWait != null || !push) {
                sleepUntil(roundStart, fixedWait);
                return;
            }
            Double due = pushWait;
            long deadline = roundStart + config.get().loopDelay().toNanos();
            if (due != null) {
                deadline = Math.min(deadline, nanoClock.getAsLong() + (long) Math.ceil(due * 1_000_000));
            }
            long until = deadline;
            // a producer committed into a push queue: tick now (unless a wait was asked for)
            await(() -> until, () -> due == null && pushSignal);
        }

        @Override
        Duration period(Config cfg) {
            return cfg.loopDelay();
        }

        /** Every ticker_log_delay: {ticks: N, maint: N, retry: N} since the last such line. */
        private void logStats(Config cfg) {
            long now = nanoClock.getAsLong();
            if (cfg.tickerLogDelay().isZero() || now - lastStats < cfg.tickerLogDelay().toNanos()) {
                return;
            }
            lastStats = now;
            log.info("{}: {ticks: {}, maint: {}, retry: {}}", dbname, ticks.getAndSet(0), maintRounds.getAndSet(0), retried.getAndSet(0));
        }
    }

    private final class MaintLoop extends Loop {
        MaintLoop() {
            super("maintenance");
        }

        @Override
        void work(Connection c, Config cfg) throws SQLException {
            long start = nanoClock.getAsLong();
            int calls = Maintenance.runOperations(c, prefix);
            long moved = Maintenance.retryEvents(c, prefix);
            maintRounds.incrementAndGet();
            retried.addAndGet(moved);
            stuckConsumers.check(c, prefix);
            maintRoundsTotal.incrementAndGet();
            retriedTotal.addAndGet(moved);
            maintLastSeconds = (nanoClock.getAsLong() - start) / 1e9;
            log.debug("{}: round done: {} calls, {} events moved back from retry", prefix, calls, moved);
        }

        @Override
        Duration period(Config cfg) {
            return cfg.maintDelay();
        }
    }

    /**
     * Reads the producers' notifications on pgq_push (push delivery) on a connection of its own
     * while the database has push (the ticker found pgq_java.push_ticker()), and wakes the
     * ticker. The driver may keep reading for as long as notifications keep coming; only this
     * thread waits then, while the ticker goes on ticking by push_ticker()'s waits.
     */
    private final class PushListener implements Runnable {
        private volatile Connection conn;
        private int connGeneration;

        @Override
        public void run() {
            try {
                while (!stopping) {
                    if (!ticker.pushOn()) {
                        close();
                        idle(ticker::pushOn);   // the ticker's next connection says
                        continue;
                    }
                    try {
                        Connection c = conn;
                        if (c != null && connGeneration != generation) {
                            close();
                            c = null;
                        }
                        if (c == null) {
                            Config cfg = config.get();
                            connGeneration = generation;
                            c = Connector.open(cfg.db().withDbname(dbname), cfg.jobName(), 0);
                            conn = c;
                            try (Statement s = c.createStatement()) {
                                s.execute("listen pgq_push");
                            }
                            signal();   // what committed while nobody listened
                        }
                        org.postgresql.PGNotification[] got = c.unwrap(org.postgresql.PGConnection.class).getNotifications(500);
                        if (got != null && got.length > 0) {
                            signal();
                        }
                    } catch (SQLException | RuntimeException e) {
                        close();
                        if (!stopping) {
                            log.debug("{}: push listener: {}; again in 1 s", dbname, e.getMessage());
                            idle(() -> false);
                        }
                    }
                }
            } finally {
                close();
            }
        }

        private void signal() {
            pushSignal = true;
            nudge();
        }

        /** A second at most, or until {@code wake}. */
        private void idle(BooleanSupplier wake) {
            long end = nanoClock.getAsLong() + 1_000_000_000L;
            await(() -> end, wake);
        }

        void close() {
            Connection c = conn;
            conn = null;
            closeQuietly(c, dbname + ": push listener");
        }
    }
}
