package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The log tells each change of state once; the clock is a counter, nothing sleeps. */
class HealthTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Health health;

    @BeforeEach
    void setUp() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger log = ctx.getLogger("HealthTest." + System.nanoTime());
        log.setLevel(Level.DEBUG);
        log.setAdditive(false);
        lines.setContext(ctx);
        lines.start();
        log.addAppender(lines);
        health = new Health(log, "db1: ticker", nanos::get);
    }

    private List<String> logged(Level atLeast) {
        return lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(atLeast)).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void firstFailureLoggedRepeatsNotRecoveryWithCountAndTime() {
        health.ok();
        assertTrue(health.failed("connection refused", Duration.ofSeconds(1)));
        nanos.addAndGet(1_000_000_000L);
        assertFalse(health.failed("connection refused", Duration.ofSeconds(2)));
        nanos.addAndGet(2_000_000_000L);
        assertFalse(health.failed("connection refused", Duration.ofSeconds(4)));
        nanos.addAndGet(4_500_000_000L);
        health.ok();
        health.ok();
        assertEquals(List.of(
                "db1: ticker: connection refused (retrying in 1 s, then every 30 s at most; repeats are not logged)",
                "db1: ticker: working again after 3 failed attempt(s) in 7.5 s"), logged(Level.INFO));
        assertEquals(2, logged(Level.DEBUG).size() - 2);
    }

    @Test
    void aDifferentFailureIsLoggedAgain() {
        assertTrue(health.failed("connection refused", Duration.ofSeconds(1)));
        assertTrue(health.failed("the database system is starting up", Duration.ofSeconds(2)));
        assertTrue(health.noPgq("no pgq installed", Duration.ofSeconds(60)));
        assertFalse(health.noPgq("no pgq installed", Duration.ofSeconds(60)));
        assertEquals(Health.State.NO_PGQ, health.state());
        assertEquals(4, health.failures());
        assertEquals(3, logged(Level.WARN).size());
        assertEquals("db1: ticker: no pgq installed (checking again every 60 s)", logged(Level.WARN).get(2));
    }

    @Test
    void startingOkLogsNothing() {
        health.ok();
        assertEquals(List.of(), logged(Level.TRACE));
    }

    @Test
    void backoffDoublesToThirtySecondsAndResets() {
        Backoff b = new Backoff();
        List<Long> waits = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            waits.add(b.next().toSeconds());
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L), waits);
        b.reset();
        assertEquals(Duration.ofSeconds(1), b.next());
    }
}
