package org.pgqjava.launcher;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP endpoint ({@code metrics_port}, off by default; {@code metrics_host},
 * 127.0.0.1 by default): {@code /metrics} in the Prometheus text format (OpenMetrics when the
 * scraper asks for it; {@link PgqadmMetrics} says what), {@code /health} (200 while the process
 * runs) and {@code /ready} (200 when every served database is connected and its pgq.ticker()
 * call succeeded within 2 x loop_delay; 503 with the reason per database otherwise). Served by
 * the JDK's HTTP server through Prometheus' exporter.
 */
final class MetricsEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final HTTPServer server;
    final String host;
    final int port;

    private MetricsEndpoint(HTTPServer server, String host, int port) {
        this.server = server;
        this.host = host;
        this.port = port;
    }

    /** Listens on the config's metrics_host:metrics_port. */
    static MetricsEndpoint start(Config cfg, Supplier<Config> config, Supplier<Collection<DatabaseWorker>> workers,
            LongSupplier nanoClock) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new PgqadmMetrics(config, workers, nanoClock));
        HTTPServer server = HTTPServer.builder()
                .inetAddress(InetAddress.getByName(cfg.metricsHost()))
                .port(cfg.metricsPort())
                .registry(registry)
                .defaultHandler(exchange -> route(exchange, config, workers, nanoClock))
                .buildAndStart();
        log.info("metrics endpoint on http://{}:{}/metrics (and /health, /ready)", cfg.metricsHost(), server.getPort());
        return new MetricsEndpoint(server, cfg.metricsHost(), server.getPort());
    }

    private static void route(HttpExchange exchange, Supplier<Config> config, Supplier<Collection<DatabaseWorker>> workers,
            LongSupplier nanoClock) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/health")) {
                respond(exchange, 200, "ok\n");
            } else if (path.equals("/ready")) {
                StringBuilder why = new StringBuilder();
                boolean ready = ready(config.get(), workers.get(), nanoClock.getAsLong(), why);
                respond(exchange, ready ? 200 : 503, why.toString());
            } else {
                respond(exchange, 404, "not found: try /metrics, /health or /ready\n");
            }
        }
    }

    /**
     * Whether every served database is ready: its ticker connected and pgq.ticker() done within
     * 2 x loop_delay. Appends a line per database (and one if none is served) to {@code why}.
     */
    static boolean ready(Config cfg, Collection<DatabaseWorker> workers, long now, StringBuilder why) {
        if (workers.isEmpty()) {
            why.append("not ready: no database served yet\n");
            return false;
        }
        boolean all = true;
        long limit = 2 * cfg.loopDelay().toNanos();
        for (DatabaseWorker w : workers) {
            Health h = w.tickerHealth();
            long last = w.lastTickerCallNanos;
            String problem = h.problem();
            if (h.state() != Health.State.OK) {
                all = false;
                why.append("not ready ").append(w.dbname).append(": ticker ").append(h.state().name().toLowerCase(java.util.Locale.ROOT))
                        .append(problem != null ? ": " + problem : "").append('\n');
            } else if (last == 0 || now - last > limit) {
                all = false;
                why.append("not ready ").append(w.dbname).append(": no pgq.ticker() call for ")
                        .append(last == 0 ? "ever" : Durations.seconds(java.time.Duration.ofNanos(now - last)) + " s")
                        .append(" (2 x loop_delay = ").append(Durations.seconds(java.time.Duration.ofNanos(limit))).append(" s)\n");
            } else {
                why.append("ready ").append(w.dbname).append('\n');
            }
        }
        return all;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
