package org.pgqjava.launcher;

import java.io.IOException;
import java.nio.file.Path;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.net.SyslogAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import org.slf4j.LoggerFactory;

/**
 * Logback, set up in code (the jar has no logback.xml): lines as Skytools writes them,
 * {@code <date time,ms> <pid> <LEVEL> <message>}, to standard error and, when {@code logfile} is
 * set, to that file, rotated by size as Python's RotatingFileHandler does: at {@code log_size}
 * bytes the file becomes {@code <logfile>.1}, the older ones move up to {@code .<log_count>}.
 * Called again on reload (SIGHUP): the appenders are replaced.
 */
final class Logs {

    /** -q: warnings and errors; default: info; -v: debug. */
    enum Verbosity {
        QUIET, NORMAL, VERBOSE
    }

    private Logs() {
    }

    /**
     * (Re)configures all logging.
     *
     * @param console write to standard error too (not when detached: stderr is the log file)
     * @param logfile null: no file
     * @throws IOException when the log file's directory cannot be made
     */
    static void configure(Verbosity v, boolean console, Path logfile, long logSize, int logCount) throws IOException {
        configure(v, console, logfile, logSize, logCount, Config.LogOptions.DEFAULT);
    }

    /** As above, with the config's log_format and syslog settings. */
    static void configure(Verbosity v, boolean console, Config cfg) throws IOException {
        configure(v, console, cfg.logfile(), cfg.logSize(), cfg.logCount(), cfg.log());
    }

    /**
     * (Re)configures all logging, lines as {@code opts} says: text or JSON, and to syslog too.
     *
     * @throws IOException when the log file's directory cannot be made
     */
    static void configure(Verbosity v, boolean console, Path logfile, long logSize, int logCount, Config.LogOptions opts)
            throws IOException {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(v == Verbosity.QUIET ? Level.WARN : v == Verbosity.VERBOSE ? Level.DEBUG : Level.INFO);
        // Liquibase (pgqadm install) tells every changeset at INFO; that is -v material
        ctx.getLogger("liquibase").setLevel(v == Verbosity.VERBOSE ? Level.INFO : Level.WARN);
        // says "User has disabled analytics." at SEVERE when PgqInstaller turns analytics off
        ctx.getLogger("liquibase.analytics").setLevel(Level.OFF);
        String pattern = "%d{ISO8601} " + ProcessHandle.current().pid() + " %level %msg%n";
        if (console) {
            ConsoleAppender<ILoggingEvent> con = new ConsoleAppender<>();
            con.setContext(ctx);
            con.setName("stderr");
            con.setTarget("System.err");
            con.setEncoder(encoder(ctx, pattern, opts.json()));
            con.start();
            root.addAppender(con);
        }
        if (logfile != null) {
            Config.createParent(logfile);
            String file = logfile.toAbsolutePath().toString();
            FileAppender<ILoggingEvent> out;
            if (logCount == 0) {
                out = new FileAppender<>(); // Python's handler never rotates without backups
                out.setFile(file);
            } else {
                RollingFileAppender<ILoggingEvent> rolling = new RollingFileAppender<>();
                rolling.setContext(ctx);
                rolling.setFile(file); // before the policies: they read it, and a later setFile disables them
                FixedWindowRollingPolicy window = new FixedWindowRollingPolicy();
                window.setContext(ctx);
                window.setParent(rolling);
                window.setFileNamePattern(file.replace("%", "\\%") + ".%i");
                window.setMinIndex(1);
                window.setMaxIndex(logCount);
                window.start();
                SizeBasedTriggeringPolicy<ILoggingEvent> size = new SizeBasedTriggeringPolicy<>();
                size.setContext(ctx);
                size.setMaxFileSize(new FileSize(logSize));
                // logback looks at the size once a minute by default; Python at every record
                size.setCheckIncrement(ch.qos.logback.core.util.Duration.buildByMilliseconds(0));
                size.start();
                rolling.setRollingPolicy(window);
                rolling.setTriggeringPolicy(size);
                out = rolling;
            }
            out.setContext(ctx);
            out.setName("logfile");
            out.setAppend(true);
            out.setEncoder(encoder(ctx, pattern, opts.json()));
            out.start();
            if (!out.isStarted()) {
                throw new IOException("cannot write the log file " + file);
            }
            root.addAppender(out);
        }
        if (opts.syslog()) {
            SyslogAppender sys = new SyslogAppender();
            sys.setContext(ctx);
            sys.setName("syslog");
            sys.setSyslogHost(opts.syslogHost());
            sys.setPort(opts.syslogPort());
            sys.setFacility(opts.syslogFacility());
            // RFC 3164's TAG[pid]: then the level and the message
            sys.setSuffixPattern("pgqadm[" + ProcessHandle.current().pid() + "]: %level %msg");
            sys.start();
            if (!sys.isStarted()) {
                throw new IOException("cannot log to syslog at " + opts.syslogHost() + ":" + opts.syslogPort());
            }
            root.addAppender(sys);
        }
    }

    /** Flushes and closes the appenders: at exit, so the last lines are on disk. */
    static void close() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }

    private static ch.qos.logback.core.encoder.Encoder<ILoggingEvent> encoder(LoggerContext ctx, String pattern, boolean json) {
        if (json) {
            // one object per line: timestamp, level, loggerName, message, throwable, ...
            JsonEncoder enc = new JsonEncoder();
            enc.setContext(ctx);
            enc.setWithSequenceNumber(false);
            enc.setWithContext(false);
            enc.start();
            return enc;
        }
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern(pattern);
        enc.start();
        return enc;
    }
}
