package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Liquibase's java.util.logging levels as SLF4J levels. */
class Slf4jLogServiceTest {

    @Test
    void levelsMapAndOffLogsNothing() {
        Logger target = (Logger) LoggerFactory.getLogger(Slf4jLogServiceTest.class);
        ch.qos.logback.classic.Level before = target.getLevel();
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        target.addAppender(events);
        target.setLevel(ch.qos.logback.classic.Level.TRACE);
        liquibase.logging.Logger log = new Slf4jLogService().getLog(Slf4jLogServiceTest.class);
        try {
            for (Level l : List.of(Level.OFF, Level.SEVERE, Level.WARNING, Level.INFO, Level.CONFIG, Level.FINE,
                    Level.FINER, Level.FINEST)) {
                log.log(l, l.getName(), null);
            }
        } finally {
            target.detachAppender(events);
            target.setLevel(before);
        }
        assertEquals(List.of("ERROR SEVERE", "WARN WARNING", "INFO INFO", "DEBUG CONFIG", "DEBUG FINE", "TRACE FINER",
                        "TRACE FINEST"),
                events.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).collect(Collectors.toList()));
    }
}
