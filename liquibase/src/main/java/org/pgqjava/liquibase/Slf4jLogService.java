package org.pgqjava.liquibase;

import java.util.logging.Level;

import liquibase.logging.core.AbstractLogService;
import liquibase.logging.core.AbstractLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends Liquibase's log to SLF4J, for {@link PgqInstaller} only: it is set in the Liquibase scope
 * of an install, not registered as a service, so Liquibase's own command line and Maven plugin
 * keep their logging. Levels: SEVERE → error, WARNING → warn, INFO → info, CONFIG and FINE →
 * debug, finer → trace; OFF (JUL's "never") → nothing.
 */
final class Slf4jLogService extends AbstractLogService {

    @Override
    public int getPriority() {
        return PRIORITY_SPECIALIZED;
    }

    @Override
    @SuppressWarnings("rawtypes") // the interface declares a raw Class
    public liquibase.logging.Logger getLog(Class clazz) {
        return new Slf4jLogger(LoggerFactory.getLogger(clazz));
    }

    private static final class Slf4jLogger extends AbstractLogger {
        private final Logger log;

        Slf4jLogger(Logger log) {
            this.log = log;
        }

        @Override
        public void close() {
            // nothing to release; declared so the inherited close() no longer throws Exception
        }

        @Override
        public void log(Level level, String message, Throwable e) {
            int v = level.intValue();
            if (v == Level.OFF.intValue()) {
                // "do not log": Liquibase logs e.g. "User has disabled analytics." at OFF
                return;
            } else if (v >= Level.SEVERE.intValue()) {
                log.error(message, e);
            } else if (v >= Level.WARNING.intValue()) {
                log.warn(message, e);
            } else if (v >= Level.INFO.intValue()) {
                log.info(message, e);
            } else if (v >= Level.FINE.intValue()) {
                log.debug(message, e);
            } else {
                log.trace(message, e);
            }
        }
    }
}
