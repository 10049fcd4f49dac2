package org.pgqjava.launcher;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pgqadm status}: queues and consumers of one database, read with the public PgQ
 * functions and printed in pgqadm's layout (reference §4.4), or as JSON for scripts. Intervals
 * are kept as seconds (exact, from {@code extract(epoch ...)}); the text rounds them to whole
 * seconds as pgqadm's {@code to_char(..., 'FM9999999')} does.
 */
final class Status {

    static final String DASHES = "-".repeat(78);

    /**
     * One queue: pgq.get_queue_info(), and its events waiting in pgq.retry_queue. Interval
     * columns are seconds, queue_switch_time (the last rotation) Unix seconds; null where NULL.
     */
    record Queue(String name, int ntables, BigDecimal rotationPeriod, int tickerMaxCount, BigDecimal tickerMaxLag,
                 BigDecimal tickerIdlePeriod, BigDecimal tickerLag, boolean tickerPaused, boolean externalTicker,
                 Double evPerSec, Long evNew, Long lastTickId, int curTable, BigDecimal switchTime, long retryEvents) {
    }

    /** One subscription: pgq.get_consumer_info(). */
    record Consumer(String queue, String consumer, BigDecimal lag, BigDecimal lastSeen, Long lastTick,
                    Long currentBatch, Long nextTick, Long pendingEvents) {
    }

    /** Everything status shows of one database. */
    record Report(String database, String serverVersion, String pgqVersion, List<Queue> queues, List<Consumer> consumers) {
    }

    private Status() {
    }

    static Report read(Connection c, String database) throws SQLException {
        String server = Sql.queryString(c, "show server_version");
        String pgq = Sql.queryString(c, "select pgq.version()");
        List<Queue> queues = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select queue_name, queue_ntables, extract(epoch from queue_rotation_period), queue_ticker_max_count,"
                        + " extract(epoch from queue_ticker_max_lag), extract(epoch from queue_ticker_idle_period),"
                        + " extract(epoch from ticker_lag), queue_ticker_paused, queue_external_ticker,"
                        + " ev_per_sec, ev_new, last_tick_id, queue_cur_table, extract(epoch from queue_switch_time),"
                        + " (select count(*) from pgq.retry_queue r join pgq.queue q on q.queue_id = r.ev_queue"
                        + " where q.queue_name = i.queue_name)"
                        + " from pgq.get_queue_info() i")) {
            while (rs.next()) {
                queues.add(new Queue(rs.getString(1), rs.getInt(2), rs.getBigDecimal(3), rs.getInt(4), rs.getBigDecimal(5),
                        rs.getBigDecimal(6), rs.getBigDecimal(7), rs.getBoolean(8), rs.getBoolean(9),
                        (Double) rs.getObject(10), nullableLong(rs, 11), nullableLong(rs, 12), rs.getInt(13),
                        rs.getBigDecimal(14), rs.getLong(15)));
            }
        }
        List<Consumer> consumers = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select queue_name, consumer_name, extract(epoch from lag), extract(epoch from last_seen),"
                        + " last_tick, current_batch, next_tick, pending_events from pgq.get_consumer_info()")) {
            while (rs.next()) {
                consumers.add(new Consumer(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getBigDecimal(4),
                        nullableLong(rs, 5), nullableLong(rs, 6), nullableLong(rs, 7), nullableLong(rs, 8)));
            }
        }
        return new Report(database, server, pgq, queues, consumers);
    }

    private static Long nullableLong(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    /** pgqadm's text layout. */
    static String text(Report r) {
        StringBuilder b = new StringBuilder();
        b.append("Postgres version: ").append(r.serverVersion()).append("   PgQ version: ")
                .append(r.pgqVersion() == null ? "None" : r.pgqVersion()).append('\n');
        b.append('\n');
        b.append(String.format("%-45s %9s %13s %6s%n", "Event queue", "Rotation", "Ticker", "TLag"));
        b.append(DASHES).append('\n');
        for (Queue q : r.queues()) {
            String rot = q.ntables() + "/" + secs(q.rotationPeriod());
            String tck = q.tickerMaxCount() + "/" + secs(q.tickerMaxLag()) + "/" + secs(q.tickerIdlePeriod());
            b.append(String.format("%-45s %9s %13s %6s%n", q.name(), rot, tck, secs(q.tickerLag())));
        }
        b.append(DASHES).append('\n');
        b.append('\n');
        b.append(String.format("%-56s %9s %9s%n", "Consumer", "Lag", "LastSeen"));
        b.append(DASHES).append('\n');
        Map<String, List<Consumer>> byQueue = new LinkedHashMap<>();
        for (Consumer c : r.consumers()) {
            byQueue.computeIfAbsent(c.queue(), k -> new ArrayList<>()).add(c);
        }
        for (Map.Entry<String, List<Consumer>> e : byQueue.entrySet()) {
            b.append(e.getKey()).append(":\n");
            for (Consumer c : e.getValue()) {
                b.append(String.format("  %-54s %9s %9s%n", c.consumer(), secs(c.lag()), secs(c.lastSeen())));
            }
        }
        b.append(DASHES).append('\n');
        return b.toString().replace(System.lineSeparator(), "\n");
    }

    /**
     * Whole seconds and "s", as {@code to_char(x, 'FM9999999') || 's'}: rounded half away from
     * zero; more than 7 digits print as '#'s, NULL as "NULL".
     */
    static String secs(BigDecimal s) {
        if (s == null) {
            return "NULL";
        }
        BigDecimal whole = s.setScale(0, RoundingMode.HALF_UP);
        if (whole.abs().compareTo(BigDecimal.valueOf(9_999_999)) > 0) {
            return "#".repeat(7) + "s";
        }
        return whole.toPlainString() + "s";
    }

    /** The same facts as JSON: seconds as numbers, NULL as null. */
    static Map<String, Object> json(Report r) {
        Map<String, Object> db = new LinkedHashMap<>();
        db.put("database", r.database());
        db.put("postgres_version", r.serverVersion());
        db.put("pgq_version", r.pgqVersion());
        List<Object> queues = new ArrayList<>();
        for (Queue q : r.queues()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("queue_name", q.name());
            m.put("queue_ntables", q.ntables());
            m.put("queue_rotation_period", q.rotationPeriod());
            m.put("queue_ticker_max_count", q.tickerMaxCount());
            m.put("queue_ticker_max_lag", q.tickerMaxLag());
            m.put("queue_ticker_idle_period", q.tickerIdlePeriod());
            m.put("queue_ticker_paused", q.tickerPaused());
            m.put("queue_external_ticker", q.externalTicker());
            m.put("ticker_lag", q.tickerLag());
            m.put("ev_per_sec", q.evPerSec());
            m.put("ev_new", q.evNew());
            m.put("last_tick_id", q.lastTickId());
            m.put("queue_cur_table", q.curTable());
            m.put("queue_switch_time", q.switchTime());
            m.put("retry_events", q.retryEvents());
            queues.add(m);
        }
        db.put("queues", queues);
        List<Object> consumers = new ArrayList<>();
        for (Consumer c : r.consumers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("queue_name", c.queue());
            m.put("consumer_name", c.consumer());
            m.put("lag", c.lag());
            m.put("last_seen", c.lastSeen());
            m.put("last_tick", c.lastTick());
            m.put("current_batch", c.currentBatch());
            m.put("next_tick", c.nextTick());
            m.put("pending_events", c.pendingEvents());
            consumers.add(m);
        }
        db.put("consumers", consumers);
        return db;
    }
}
