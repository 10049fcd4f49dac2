package org.pgqjava.launcher;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What {@code /metrics} shows, read from the workers at each scrape: nothing is kept twice.
 * launcher/README.md ("Metrics and health") lists the names. Figures of queues and consumers
 * come from each database's last {@link MetricsSample} (every {@code metrics_period}); a
 * database not sampled yet shows none of them.
 */
final class PgqadmMetrics implements MultiCollector {

    private final Supplier<Config> config;
    private final Supplier<Collection<DatabaseWorker>> workers;
    private final LongSupplier nanoClock;

    PgqadmMetrics(Supplier<Config> config, Supplier<Collection<DatabaseWorker>> workers, LongSupplier nanoClock) {
        this.config = config;
        this.workers = workers;
        this.nanoClock = nanoClock;
    }

    @Override
    public MetricSnapshots collect() {
        Collection<DatabaseWorker> ws = workers.get();
        long now = nanoClock.getAsLong();
        List<MetricSnapshot> out = new ArrayList<>();
        Gauges g = new Gauges();
        Counters k = new Counters();
        for (DatabaseWorker w : ws) {
            Labels db = Labels.of("database", w.dbname);
            long[] opened = w.connectionsOpened();
            long[] failed = w.failedRounds();
            String[] loops = {"ticker", "maintenance"};
            Health[] health = {w.tickerHealth(), w.maintHealth()};
            for (int i = 0; i < 2; i++) {
                Labels l = Labels.of("database", w.dbname, "loop", loops[i]);
                g.add("pgqadm_database_up", "1 when the loop's last round on the database succeeded", l,
                        health[i].state() == Health.State.OK ? 1 : 0);
                k.add("pgqadm_connections_opened", "connections the loop opened (reconnects are the ones after the first)", l, opened[i]);
                k.add("pgqadm_failed_rounds", "rounds of the loop that failed (it retries after a back-off)", l, failed[i]);
            }
            k.add("pgqadm_ticker_calls", "successful pgq.ticker() calls (each ticks the queues that are due)", db, w.tickerCallsTotal.get());
            long last = w.lastTickerCallNanos;
            if (last != 0) {
                g.add("pgqadm_ticker_last_call_age_seconds", "time since the last successful pgq.ticker() call", db, (now - last) / 1e9);
            }
            k.add("pgqadm_maintenance_rounds", "maintenance rounds done", db, w.maintRoundsTotal.get());
            if (!Double.isNaN(w.maintLastSeconds)) {
                g.add("pgqadm_maintenance_last_duration_seconds", "how long the last maintenance round took", db, w.maintLastSeconds);
            }
            k.add("pgqadm_retry_events_moved", "retry events moved back into their queues (pgq.maint_retry_events)", db, w.retriedTotal.get());
            java.util.Set<String> stuck = w.stuckConsumers.stuck();
            g.add("pgqadm_stuck_consumers", "consumers past their queue's stuck_consumer_warn", db, stuck.size());
            for (String qc : stuck) {
                int slash = qc.indexOf('/');
                g.add("pgqadm_consumer_stuck", "1 for a consumer past its queue's stuck_consumer_warn (absent otherwise)",
                        Labels.of("database", w.dbname, "queue", qc.substring(0, slash), "consumer", qc.substring(slash + 1)), 1);
            }
            k.add("pgqadm_consumers_detached", "consumers unregistered past their queue's stuck_consumer_detach", db,
                    w.stuckConsumers.detached.get());
            MetricsSample s = w.sample;
            if (s == null) {
                continue;
            }
            g.add("pgqadm_sample_age_seconds", "age of the queue and consumer figures below (read every metrics_period)", db,
                    (now - s.takenNanos()) / 1e9);
            for (MetricsSample.Queue q : s.queues()) {
                Labels l = Labels.of("database", w.dbname, "queue", q.name());
                g.add("pgq_queue_ticker_lag_seconds", "time since the queue's last tick", l, q.tickerLag());
                g.add("pgq_queue_events_per_second", "events per second between the queue's last two ticks (pgq.get_queue_info)", l, q.eventsPerSecond());
                g.add("pgq_queue_pending_events", "events queued since the last tick, not in any batch yet", l, q.newEvents());
                g.add("pgq_queue_last_tick_id", "the queue's last tick", l, q.lastTickId());
                g.add("pgq_queue_current_table", "number of the event table new events go to (changes at each rotation)", l, q.currentTable());
                g.add("pgq_queue_last_rotation_timestamp_seconds", "when the event tables were last rotated (Unix time)", l, q.lastRotationEpoch());
                g.add("pgq_queue_ticker_paused", "1 when the queue's ticker is paused", l, q.paused() ? 1 : 0);
                g.add("pgq_queue_retry_events", "events of the queue waiting in pgq.retry_queue", l, q.retryEvents());
                g.add("pgq_queue_dead_letters", "events of the queue retried past its max_retries (pgq_java.dead_letter)", l,
                        q.deadLetters());
            }
            for (MetricsSample.Consumer c : s.consumers()) {
                Labels l = Labels.of("database", w.dbname, "queue", c.queue(), "consumer", c.name());
                g.add("pgq_consumer_lag_seconds", "age of the last tick the consumer finished: how far behind it is", l, c.lag());
                g.add("pgq_consumer_last_seen_seconds", "time since the consumer last took or finished a batch", l, c.lastSeen());
                g.add("pgq_consumer_pending_events", "events after the consumer's position (pgq.get_consumer_info)", l, c.pendingEvents());
            }
        }
        g.build(out);
        k.build(out);
        return new MetricSnapshots(out);
    }

    /** Gauge data points by metric name, in first-seen order; NaN values are left out. */
    private static final class Gauges {
        private final Map<String, GaugeSnapshot.Builder> byName = new LinkedHashMap<>();

        void add(String name, String help, Labels labels, double value) {
            if (Double.isNaN(value)) {
                return;
            }
            byName.computeIfAbsent(name, n -> GaugeSnapshot.builder().name(n).help(help))
                    .dataPoint(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        void build(List<MetricSnapshot> out) {
            byName.values().forEach(b -> out.add(b.build()));
        }
    }

    /** Counter data points by metric name (the exposition adds {@code _total}). */
    private static final class Counters {
        private final Map<String, CounterSnapshot.Builder> byName = new LinkedHashMap<>();

        void add(String name, String help, Labels labels, double value) {
            byName.computeIfAbsent(name, n -> CounterSnapshot.builder().name(n).help(help))
                    .dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        void build(List<MetricSnapshot> out) {
            byName.values().forEach(b -> out.add(b.build()));
        }
    }
}
