package org.pgqjava.client;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PgQ consumer: takes the queue's batches one after the other, gives their events to a handler
 * and finishes each batch in the same transaction as everything the handler wrote through the
 * batch's connection. Every event committed into the queue after the consumer's registration
 * reaches the handler at least once; a batch whose handling fails (handler exception, lost
 * connection, crash before the commit) comes again.
 *
 * <pre>{@code
 * try (Consumer consumer = Consumer.builder(dataSource, "orders", "mailer")
 *         .eventHandler((event, ctx) -> mailer.send(event.data()))
 *         .build()) {
 *     consumer.start();
 *     ... // the application runs; close() lets the current batch finish, then stops
 * }
 * }</pre>
 *
 * <p>The consumer holds one connection from the data source while it runs (autocommit off);
 * after a failure it rolls back, drops the connection if it is broken, and tries again after a
 * back-off that doubles up to its maximum. When the queue has no batch it waits {@code
 * pollInterval} (PgQ's loop_delay) before it asks again; {@link #stop()} ends that wait at once.
 */
public final class Consumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Consumer.class);

    private final Settings s;
    private final Object lock = new Object();
    private volatile boolean stopping;
    private volatile boolean abandoning;
    private boolean running;
    private Thread thread;
    private final HeldConnection queueConnection;
    /** The target's connection in exactly-once mode, else null. */
    private final HeldConnection targetConnection;
    private int failures;

    private Consumer(Settings s) {
        this.s = s;
        this.queueConnection = new HeldConnection(s.dataSource, "queue");
        this.targetConnection = s.target == null ? null : new HeldConnection(s.target, "target");
    }

    /** A consumer named {@code consumer} of {@code queue}, with connections from {@code dataSource}. */
    public static Builder builder(DataSource dataSource, String queue, String consumer) {
        return new Builder(dataSource, queue, consumer);
    }

    public String queue() {
        return s.queue;
    }

    public String name() {
        return s.consumer;
    }

    /** The consumer's name as PgQ lists it: {@code consumer.sub} for a cooperative sub-consumer. */
    public String fullName() {
        return s.subconsumer != null ? s.consumer + "." + s.subconsumer : s.consumer;
    }

    /**
     * Registers the consumer ({@code pgq.register_consumer}): from now on every event committed
     * into the queue waits for it. Returns false if it was registered already (its position then
     * stays where it is).
     */
    public boolean register() throws SQLException {
        return oneCall(s.subconsumer != null ? "select pgq_coop.register_subconsumer(?, ?, ?)"
                : "select pgq.register_consumer(?, ?)") == 1;
    }

    /**
     * Unregisters the consumer ({@code pgq.unregister_consumer}): the queue stops keeping events
     * for it, its unfinished batch and its retry events included. Returns false if it was not
     * registered.
     */
    public boolean unregister() throws SQLException {
        return oneCall(s.subconsumer != null ? "select pgq_coop.unregister_subconsumer(?, ?, ?, 0)"
                : "select pgq.unregister_consumer(?, ?)") > 0;
    }

    /**
     * Handles the consumer's next batch if there is one, in one transaction: returns whether
     * there was a batch. A failure rolls the batch back (it comes again) and is thrown. For
     * applications that drive the loop themselves; {@link #run()} is the usual way.
     */
    public boolean handleNextBatch() throws Exception {
        long start = System.nanoTime();
        try {
            Connection c = queueConnection.get();
            Connection t = targetConnection == null ? null : targetConnection.get();
            BatchRun run = new BatchRun(s, c, t, () -> stopping, () -> abandoning);
            Batch b = run.run();
            if (b == null) {
                return false;
            }
            Duration lag = b.tickTime() == null ? Duration.ZERO
                    : Duration.between(b.tickTime().toInstant(), java.time.Instant.now());
            s.metrics.batchDone(this, run.events(), run.retried(), Duration.ofNanos(System.nanoTime() - start),
                    lag.isNegative() ? Duration.ZERO : lag);
            return true;
        } catch (Exception | Error e) {
            if (targetConnection != null) {
                targetConnection.rollback(e);
            }
            queueConnection.rollback(e);
            if (!(e instanceof BatchEvents.Abandoned)) {
                s.metrics.batchFailed(this, e);
            }
            throw e;
        }
    }

    /**
     * Runs the consumer on this thread until {@link #stop()} or {@link #abandon()}: registers it
     * first unless built with {@code registerOnStart(false)}, then handles batch after batch.
     * Failures are logged and retried after the back-off; only an {@link Error} ends the loop
     * early (rethrown).
     */
    public void run() {
        synchronized (lock) {
            if (running) {
                throw new IllegalStateException(this + " is running already");
            }
            running = true;
        }
        try {
            if (s.registerOnStart) {
                registerWithRetries();
            }
            while (!stopping) {
                loopOnce();
            }
        } finally {
            closeConnections();
            synchronized (lock) {
                running = false;
                lock.notifyAll();
            }
            log.info("{}/{}: stopped", s.queue, s.consumer);
        }
    }

    /** Runs the consumer on a thread of its own (named after it); returns this consumer. */
    public Consumer start() {
        synchronized (lock) {
            if (thread != null) {
                throw new IllegalStateException(this + " was started already");
            }
            thread = new Thread(this::run, "pgq-consumer-" + s.queue + "-" + s.consumer);
            thread.start();
        }
        return this;
    }

    /** Asks the consumer to stop once the batch in hand is finished (or at once when idle). */
    public void stop() {
        stopping = true;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /**
     * Asks the consumer to stop without finishing the batch in hand: its transaction is rolled
     * back at the next event the handler asks for (or when the handler returns), so the batch
     * comes again to whoever consumes next.
     */
    public void abandon() {
        abandoning = true;
        stop();
    }

    /** Waits until the loop has ended; returns false if it still runs after {@code timeout}. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        Thread t;
        synchronized (lock) {
            t = thread;
        }
        if (t != null) {
            t.join(Math.max(1, timeout.toMillis()));
            return !t.isAlive();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (running) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    /**
     * Stops the consumer: lets the batch in hand finish for up to {@code stopTimeout}, then
     * abandons it, and waits for the loop to end.
     */
    @Override
    public void close() {
        stop();
        try {
            if (!awaitStopped(s.stopTimeout)) {
                log.warn("{}/{}: the batch in hand did not finish within {} ms of close(); abandoning it",
                        s.queue, s.consumer, s.stopTimeout.toMillis());
                abandon();
                awaitStopped(s.stopTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon();
        }
        synchronized (lock) {
            if (!running) {
                closeConnections();
            }
        }
    }

    private void loopOnce() {
        boolean hadBatch;
        try {
            hadBatch = handleNextBatch();
            failures = 0;
        } catch (BatchEvents.Abandoned e) {
            log.info("{}/{}: batch abandoned (it comes again)", s.queue, s.consumer);
            return;
        } catch (Exception e) {
            if (abandoning) {
                return;
            }
            failures++;
            Duration wait = backoff();
            log.warn("{}/{}: batch failed ({} in a row), trying again in {} ms: {}", s.queue, s.consumer, failures,
                    wait.toMillis(), describe(e));
            pause(wait);
            return;
        }
        if (!hadBatch) {
            pause(s.pollInterval);
        }
    }

    private void registerWithRetries() {
        while (!stopping) {
            try {
                if (register()) {
                    log.info("{}/{}: registered", s.queue, s.consumer);
                }
                failures = 0;
                return;
            } catch (SQLException e) {
                failures++;
                Duration wait = backoff();
                log.warn("{}/{}: registering failed ({} in a row), trying again in {} ms: {}", s.queue, s.consumer,
                        failures, wait.toMillis(), describe(e));
                pause(wait);
            }
        }
    }

    /** The back-off after the current run of failures: initial, doubled each time, at most max. */
    private Duration backoff() {
        Duration d = s.backoffInitial;
        for (int i = 1; i < failures && d.compareTo(s.backoffMax) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(s.backoffMax) > 0 ? s.backoffMax : d;
    }

    private void pause(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        synchronized (lock) {
            while (!stopping) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                }
            }
        }
    }

    private int oneCall(String sql) throws SQLException {
        Connection c = queueConnection.get();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, s.queue);
            ps.setString(2, s.consumer);
            if (s.subconsumer != null) {
                ps.setString(3, s.subconsumer);
            }
            int r;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                r = rs.getInt(1);
            }
            c.commit();
            return r;
        } catch (SQLException | RuntimeException e) {
            queueConnection.rollback(e);
            throw e;
        }
    }

    private void closeConnections() {
        queueConnection.close();
        if (targetConnection != null) {
            targetConnection.close();
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e instanceof BatchEvents.BatchReadException ? e.getCause() : e;
        if (t instanceof SQLException) {
            SQLException q = (SQLException) t;
            return q.getMessage() + " [SQLSTATE " + q.getSQLState() + "]";
        }
        return t.toString();
    }

    @Override
    public String toString() {
        return "Consumer[" + s.queue + "/" + s.consumer + (s.subconsumer != null ? "." + s.subconsumer : "") + "]";
    }

    /** Named points of a batch's handling, for tests that inject a failure at each. */
    @FunctionalInterface
    interface Steps {
        void reached(String step) throws Exception;
    }

    /** What the builder sets; read-only once built. */
    static final class Settings {
        DataSource dataSource;
        /** Exactly-once mode: where the handler writes and the batches are tracked; else null. */
        DataSource target;
        /** Cooperative mode: this process's sub-consumer name; else null. */
        String subconsumer;
        /** Cooperative mode: inactivity after which another sub-consumer's batch is taken over; null: never. */
        Duration takeOverAfter;
        ConsumerMetrics metrics = ConsumerMetrics.NONE;
        /** Test hook: called at the steps of a batch (fault injection); does nothing otherwise. */
        Steps steps = step -> { };
        String queue;
        String consumer;
        BatchHandler batchHandler;
        EventHandler eventHandler;
        Duration failedEventDelay;
        Duration pollInterval = Duration.ofSeconds(1);
        int fetchSize = 1000;
        Duration backoffInitial = Duration.ofSeconds(1);
        Duration backoffMax = Duration.ofSeconds(60);
        Duration stopTimeout = Duration.ofSeconds(30);
        boolean registerOnStart = true;

        /** A copy, so that a builder used again does not change a consumer it built. */
        Settings copy() {
            Settings c = new Settings();
            c.dataSource = dataSource;
            c.target = target;
            c.subconsumer = subconsumer;
            c.takeOverAfter = takeOverAfter;
            c.steps = steps;
            c.metrics = metrics;
            c.queue = queue;
            c.consumer = consumer;
            c.batchHandler = batchHandler;
            c.eventHandler = eventHandler;
            c.failedEventDelay = failedEventDelay;
            c.pollInterval = pollInterval;
            c.fetchSize = fetchSize;
            c.backoffInitial = backoffInitial;
            c.backoffMax = backoffMax;
            c.stopTimeout = stopTimeout;
            c.registerOnStart = registerOnStart;
            return c;
        }
    }

    /** Builds a {@link Consumer}; every setting is checked here, naming it. */
    public static final class Builder {
        private final Settings s = new Settings();

        private Builder(DataSource dataSource, String queue, String consumer) {
            s.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            s.queue = Objects.requireNonNull(queue, "queue");
            s.consumer = Objects.requireNonNull(consumer, "consumer");
        }

        /**
         * Exactly-once mode: the handler writes into {@code target} (through
         * {@link BatchContext#connection()}), and each batch is recorded there in the same
         * transaction as the handler's writes, before it is finished in the queue. A batch is so
         * applied to the target once, whatever fails when. The target needs the tables of
         * {@code db/pgq-client/changelog.xml} (in this jar; run it with Liquibase). Not needed
         * when the handler writes into the queue's own database: its writes commit with
         * finish_batch anyway.
         */
        public Builder exactlyOnceInto(DataSource target) {
            s.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * Cooperative mode (pgq_coop): this process is sub-consumer {@code subconsumer} of the
         * consumer; the consumer's batches are shared out among its sub-consumers, each batch to
         * one of them. Registering registers the sub-consumer (and the consumer if needed).
         * Every sub-consumer process uses the same queue and consumer name and a name of its own
         * here. Handler writes through {@link BatchContext#connection()} commit with the batch's
         * finish, as in the plain mode; {@link #exactlyOnceInto} is not available here.
         */
        public Builder cooperative(String subconsumer) {
            s.subconsumer = Objects.requireNonNull(subconsumer, "subconsumer");
            return this;
        }

        /**
         * Cooperative mode: a sub-consumer that has neither taken nor finished a batch for this
         * long counts as dead, and the next sub-consumer looking for work unregisters it and
         * takes over its batch. Make it well longer than any batch takes to handle: a live
         * sub-consumer whose batch is taken over would handle it together with the one that
         * took it. Default: never.
         */
        public Builder takeOverAfter(Duration inactivity) {
            s.takeOverAfter = positive("takeOverAfter", inactivity);
            return this;
        }

        /** Where the consumer reports its batches: {@code MicrometerConsumerMetrics.of(registry)}, say. */
        public Builder metrics(ConsumerMetrics metrics) {
            s.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** Test hook: {@code steps} is called at each named step of a batch. */
        Builder steps(Steps steps) {
            s.steps = Objects.requireNonNull(steps, "steps");
            return this;
        }

        /** The handler of whole batches (exactly one of batchHandler and eventHandler). */
        public Builder batchHandler(BatchHandler handler) {
            s.batchHandler = Objects.requireNonNull(handler, "batchHandler");
            return this;
        }

        /** The handler of single events (exactly one of batchHandler and eventHandler). */
        public Builder eventHandler(EventHandler handler) {
            s.eventHandler = Objects.requireNonNull(handler, "eventHandler");
            return this;
        }

        /**
         * With an event handler: an event whose handler throws is retried after {@code delay}
         * (rounded up to whole seconds), and the rest of the batch goes on. Without this the
         * whole batch fails and comes again.
         */
        public Builder retryFailedEvents(Duration delay) {
            s.failedEventDelay = positiveOrZero("retryFailedEvents", delay);
            return this;
        }

        /** How long to wait before asking again when the queue had no batch (default 1 s). */
        public Builder pollInterval(Duration interval) {
            s.pollInterval = positive("pollInterval", interval);
            return this;
        }

        /** Events read from the server at a time, the memory bound of a batch (default 1000). */
        public Builder fetchSize(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("fetchSize must be at least 1, not " + rows);
            }
            s.fetchSize = rows;
            return this;
        }

        /** The wait after a failure: {@code initial}, doubled per failure in a row up to {@code max} (1 s, 60 s). */
        public Builder backoff(Duration initial, Duration max) {
            s.backoffInitial = positive("backoff initial", initial);
            s.backoffMax = positive("backoff max", max);
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff max (" + max + ") is below initial (" + initial + ")");
            }
            return this;
        }

        /** How long {@link Consumer#close()} lets the batch in hand finish before it abandons it (30 s). */
        public Builder stopTimeout(Duration timeout) {
            s.stopTimeout = positive("stopTimeout", timeout);
            return this;
        }

        /** Whether {@link Consumer#run()} registers the consumer first (default true; registering twice is harmless). */
        public Builder registerOnStart(boolean register) {
            s.registerOnStart = register;
            return this;
        }

        public Consumer build() {
            if ((s.batchHandler == null) == (s.eventHandler == null)) {
                throw new IllegalStateException("set exactly one of batchHandler and eventHandler");
            }
            if (s.takeOverAfter != null && s.subconsumer == null) {
                throw new IllegalStateException("takeOverAfter needs cooperative(subconsumer)");
            }
            if (s.target != null && s.subconsumer != null) {
                throw new IllegalStateException("exactlyOnceInto is not available with cooperative consumers"
                        + " (their batches are applied out of order); write into the queue's database through"
                        + " BatchContext.connection() instead, which is exactly once there");
            }
            if (s.failedEventDelay != null && s.eventHandler == null) {
                throw new IllegalStateException("retryFailedEvents needs an eventHandler"
                        + " (a batch handler retries events itself with BatchContext.retry)");
            }
            return new Consumer(s.copy());
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, not " + d);
            }
            return d;
        }

        private static Duration positiveOrZero(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, not " + d);
            }
            return d;
        }
    }
}
