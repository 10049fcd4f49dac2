package org.pgqjava.launcher;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * One database's queue and consumer figures for the metrics endpoint, read with PgQ's public
 * status functions (and pgq.retry_queue, which pgqadm's role may read) on the ticker's
 * connection every {@code metrics_period} while the endpoint is on.
 *
 * @param takenNanos when it was read (the worker's nanoClock)
 */
record MetricsSample(long takenNanos, List<Queue> queues, List<Consumer> consumers) {

    /** A row of pgq.get_queue_info() and the queue's retry events; times in seconds, NaN for NULL. */
    record Queue(String name, double tickerLag, double eventsPerSecond, double newEvents, double lastTickId,
                 double currentTable, double lastRotationEpoch, boolean paused, double retryEvents, double deadLetters) {
    }

    /** A row of pgq.get_consumer_info(); times in seconds, NaN for NULL. */
    record Consumer(String queue, String name, double lag, double lastSeen, double pendingEvents) {
    }

    static MetricsSample read(Connection c, long nanos) throws SQLException {
        List<Queue> queues = new ArrayList<>();
        List<Consumer> consumers = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            boolean deadLetters = Sql.queryString(c, "select 1 where pg_catalog.to_regclass('pgq_java.dead_letter') is not null") != null;
            try (ResultSet rs = s.executeQuery("select i.queue_name, extract(epoch from i.ticker_lag)::float8,"
                    + " i.ev_per_sec::float8, i.ev_new::float8, i.last_tick_id::float8, i.queue_cur_table::float8,"
                    + " extract(epoch from i.queue_switch_time)::float8, i.queue_ticker_paused,"
                    + " (select count(*) from pgq.retry_queue r where r.ev_queue = q.queue_id)::float8,"
                    + (deadLetters ? " (select count(*) from pgq_java.dead_letter d where d.dl_queue = q.queue_id)::float8"
                            : " 'NaN'::float8")
                    + " from pgq.get_queue_info() i join pgq.queue q on q.queue_name = i.queue_name order by 1")) {
                while (rs.next()) {
                    queues.add(new Queue(rs.getString(1), num(rs, 2), num(rs, 3), num(rs, 4), num(rs, 5), num(rs, 6),
                            num(rs, 7), rs.getBoolean(8), num(rs, 9), num(rs, 10)));
                }
            }
            try (ResultSet rs = s.executeQuery("select queue_name, consumer_name, extract(epoch from lag)::float8,"
                    + " extract(epoch from last_seen)::float8, pending_events::float8 from pgq.get_consumer_info() order by 1, 2")) {
                while (rs.next()) {
                    consumers.add(new Consumer(rs.getString(1), rs.getString(2), num(rs, 3), num(rs, 4), num(rs, 5)));
                }
            }
        }
        return new MetricsSample(nanos, List.copyOf(queues), List.copyOf(consumers));
    }

    private static double num(ResultSet rs, int col) throws SQLException {
        double d = rs.getDouble(col);
        return rs.wasNull() ? Double.NaN : d;
    }
}
