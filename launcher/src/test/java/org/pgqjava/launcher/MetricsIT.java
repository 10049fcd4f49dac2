package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.Await;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;
import org.pgqjava.testsupport.Sql;

/** The daemon's metrics endpoint: /metrics with the database's, queues' and consumers' figures, /health, /ready. */
@PgTest(setup = PgqTemplate.class)
class MetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        started.forEach(Pgqadm::killQuietly);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process start(Path conf, Path pidfile) {
        Process p = Pgqadm.start(dir.resolve("console.txt"), conf.toString(), "ticker");
        started.add(p);
        Await.until("pidfile with the ticker's pid", WAIT, () -> Pgqadm.pid(pidfile).equals(OptionalLong.of(p.pid())));
        return p;
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET's body, or "" while the endpoint does not answer yet (it starts after the pidfile is written). */
    private static String bodyOrEmpty(int port, String path) throws Exception {
        try {
            return get(port, path).body();
        } catch (java.net.ConnectException e) {
            return "";
        }
    }

    /** The value of the sample {@code name{labels}} (labels in name order, as exposed) in a text exposition, or null. */
    private static Double value(String body, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$").matcher(body);
        return m.find() ? Double.valueOf(m.group(1)) : null;
    }

    @Test
    void metricsHealthAndReadyOfAServedDatabase(PgDatabase db, Connection c) throws Exception {
        DaemonIT.createQueue(c, "mq");
        Sql.exec(c, "select pgq.register_consumer('mq', 'mc')");
        int port = freePort();
        Path pidfile = dir.resolve("m.pid");
        Path conf = Pgqadm.config(dir, "m.ini", Pgqadm.dbLine(db), "loop_delay = 0.1", "maint_delay = 0.5",
                "metrics_port = " + port, "metrics_period = 0.2", "pidfile = " + pidfile, "logfile = " + dir.resolve("m.log"));
        start(conf, pidfile);
        String d = "database=\"" + db.name() + "\"";
        Await.until("the database's queue figures on /metrics", WAIT,
                () -> value(bodyOrEmpty(port, "/metrics"), "pgq_consumer_pending_events", "consumer=\"mc\"," + d + ",queue=\"mq\"") != null);
        // a dead letter: max_retries 0 and one retry
        Sql.exec(c, "select pgq.register_consumer('mq', 'failing')");
        Sql.exec(c, "select pgq.set_queue_config('mq', 'max_retries', '0')");
        DaemonIT.awaitTickAfterEvent(c, "mq"); // an event, ticked: the consumers have it pending
        c.setAutoCommit(false);
        long failing = Sql.oneLong(c, "select pgq.next_batch('mq', 'failing')");
        Sql.exec(c, "select pgq.batch_retry(?, 0)", failing);
        Sql.exec(c, "select pgq.finish_batch(?)", failing);
        c.commit();
        c.setAutoCommit(true);
        Sql.exec(c, "select pgq.insert_event('mq', 't', 'not ticked yet')");
        Await.until("pending figures of the newer sample", WAIT, () -> {
            String b = get(port, "/metrics").body();
            Double pending = value(b, "pgq_consumer_pending_events", "consumer=\"mc\"," + d + ",queue=\"mq\"");
            return pending != null && pending >= 1;
        });
        Await.until("a maintenance round counted", WAIT,
                () -> value(get(port, "/metrics").body(), "pgqadm_maintenance_rounds_total", d) >= 1);

        HttpResponse<String> r = get(port, "/metrics");
        assertEquals(200, r.statusCode());
        String body = r.body();
        assertEquals(1.0, value(body, "pgqadm_database_up", d + ",loop=\"ticker\""), body);
        assertEquals(1.0, value(body, "pgqadm_database_up", d + ",loop=\"maintenance\""), body);
        assertTrue(value(body, "pgqadm_ticker_calls_total", d) > 1, body);
        assertTrue(value(body, "pgqadm_connections_opened_total", d + ",loop=\"ticker\"") >= 1, body);
        assertEquals(0.0, value(body, "pgqadm_failed_rounds_total", d + ",loop=\"ticker\""), body);
        assertTrue(value(body, "pgqadm_ticker_last_call_age_seconds", d) < 30, body);
        assertTrue(value(body, "pgq_queue_last_tick_id", d + ",queue=\"mq\"") >= 2, body);
        assertEquals(0.0, value(body, "pgq_queue_retry_events", d + ",queue=\"mq\""), body);
        assertEquals(1.0, value(body, "pgq_queue_dead_letters", d + ",queue=\"mq\""), body);
        assertEquals(0.0, value(body, "pgq_queue_ticker_paused", d + ",queue=\"mq\""), body);
        assertTrue(value(body, "pgq_consumer_lag_seconds", "consumer=\"mc\"," + d + ",queue=\"mq\"") >= 0, body);
        assertTrue(body.contains("# HELP pgq_queue_pending_events "), body);
        assertTrue(body.contains("# TYPE pgqadm_ticker_calls_total counter"), body);

        HttpResponse<String> health = get(port, "/health");
        assertEquals(200, health.statusCode());
        assertEquals("ok\n", health.body());
        HttpResponse<String> ready = get(port, "/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("ready " + db.name() + "\n", ready.body());
        assertEquals(404, get(port, "/nothing").statusCode());
        assertEquals(0, Pgqadm.run(conf.toString(), "-k").exit());
    }

    @Test
    void notReadyWhileADatabaseCannotBeServed(PgDatabase db) throws Exception {
        int port = freePort();
        Path pidfile = dir.resolve("n.pid");
        Path conf = Pgqadm.config(dir, "n.ini", Pgqadm.dbLine(db), "database_list = " + db.name() + ", pgtest_no_such_db",
                "loop_delay = 0.1", "metrics_port = " + port, "pidfile = " + pidfile, "logfile = " + dir.resolve("n.log"));
        start(conf, pidfile);
        Await.until("the served database ready, the missing one reported", WAIT, () -> {
            String b = bodyOrEmpty(port, "/ready");
            return b.contains("ready " + db.name() + "\n") && b.contains("not ready pgtest_no_such_db");
        });
        HttpResponse<String> ready = get(port, "/ready");
        assertEquals(503, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("ready " + db.name() + "\n"), ready.body());
        assertTrue(ready.body().contains("not ready pgtest_no_such_db: ticker failing: "), ready.body());
        String body = get(port, "/metrics").body();
        assertEquals(0.0, value(body, "pgqadm_database_up", "database=\"pgtest_no_such_db\",loop=\"ticker\""), body);
        assertTrue(value(body, "pgqadm_failed_rounds_total", "database=\"pgtest_no_such_db\",loop=\"ticker\"") >= 1, body);
        assertEquals(200, get(port, "/health").statusCode(), "the process runs");
        assertEquals(0, Pgqadm.run(conf.toString(), "-k").exit());
    }
}
