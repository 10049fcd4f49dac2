package org.pgqjava.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicLong;
import org.pgqjava.client.Consumer;
import org.pgqjava.client.Event;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * client-bench.sh's JDBC consumers: {@code lib} is pgq-client's Consumer with an empty event
 * handler, {@code hand} the same loop written by hand over JDBC (next_batch_info,
 * get_batch_events with every column read into an Event, finish_batch, commit). Each consumes
 * until it has seen N events and prints {@code events=<n> secs=<s>}: the events after the first
 * WARM and the time they took, up to the last commit (the first WARM events warm the JIT up, and
 * the JVM's start is not in it either). Arguments: lib|hand jdbc-url queue consumer N WARM.
 */
public final class ClientBench {

    private ClientBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String url = args[1];
        String queue = args[2];
        String consumer = args[3];
        long n = Long.parseLong(args[4]);
        warm = Long.parseLong(args[5]);
        long seen = mode.equals("lib") ? library(url, queue, consumer, n) : byHand(url, queue, consumer, n);
        double secs = (System.nanoTime() - warmedAt) / 1e9;
        System.out.printf("events=%d secs=%.4f%n", seen - warm, secs);
    }

    private static long warm;
    private static long warmedAt;

    /** Notes the time when the WARM-th event has been seen. */
    private static void seen(long count) {
        if (count == warm) {
            warmedAt = System.nanoTime();
        }
    }

    private static long library(String url, String queue, String consumer, long n) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        AtomicLong count = new AtomicLong();
        Consumer[] self = new Consumer[1];
        self[0] = Consumer.builder(ds, queue, consumer).registerOnStart(false).pollInterval(Duration.ofMillis(10))
                .eventHandler((e, ctx) -> {
                    long k = count.incrementAndGet();
                    seen(k);
                    if (k == n) {
                        self[0].stop();
                    }
                }).build();
        self[0].run();
        return count.get();
    }

    private static long byHand(String url, String queue, String consumer, long n) throws Exception {
        long count = 0;
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            try (PreparedStatement next = c.prepareStatement("select batch_id, cur_tick_id, prev_tick_id, cur_tick_time,"
                    + " prev_tick_time, cur_tick_event_seq, prev_tick_event_seq from pgq.next_batch_info(?, ?)");
                 PreparedStatement events = c.prepareStatement("select ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data,"
                         + " ev_extra1, ev_extra2, ev_extra3, ev_extra4 from pgq.get_batch_events(?)");
                 PreparedStatement finish = c.prepareStatement("select pgq.finish_batch(?)")) {
                next.setString(1, queue);
                next.setString(2, consumer);
                while (count < n) {
                    long batch;
                    try (ResultSet rs = next.executeQuery()) {
                        rs.next();
                        batch = rs.getLong(1);
                        if (rs.wasNull()) {
                            c.commit();
                            Thread.sleep(10);
                            continue;
                        }
                    }
                    events.setLong(1, batch);
                    try (ResultSet rs = events.executeQuery()) {
                        while (rs.next()) {
                            Event e = new Event(rs.getLong(1), rs.getObject(2, OffsetDateTime.class), rs.getLong(3),
                                    rs.getObject(4, Integer.class), rs.getString(5), rs.getString(6), rs.getString(7),
                                    rs.getString(8), rs.getString(9), rs.getString(10));
                            if (e.id() != 0) {
                                seen(++count);
                            }
                        }
                    }
                    finish.setLong(1, batch);
                    finish.executeQuery().close();
                    c.commit();
                }
            }
        }
        return count;
    }
}
