package org.pgqjava.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code [pgqadm]} section of the config file, checked: every value parsed and in range, the
 * connection string understood. Anything wrong is a {@link ConfigException} naming the key; keys
 * we do not know, and values that work but are unwise, are {@link #warnings()}.
 *
 * @param file               the config file
 * @param jobName            {@code job_name}: log identity, application_name of the connections
 * @param db                 {@code db}: the connection string (its database is the one served,
 *                           the admin commands' database, and where discovery looks)
 * @param databases          {@code database_list}: which databases the ticker serves
 * @param checkPeriod        {@code check_period}: re-check for pgq and for new databases
 * @param loopDelay          {@code loop_delay}: time between {@code pgq.ticker()} calls
 * @param maintDelay         {@code maint_delay} (or {@code maint_delay_min}): time between
 *                           maintenance rounds
 * @param tickerLogDelay     {@code ticker_log_delay}: time between stats lines; zero: none
 * @param connectionLifetime {@code connection_lifetime}: reconnect when a connection is older
 * @param logfile            {@code logfile}, {@code ~} expanded; null: none
 * @param pidfile            {@code pidfile}, {@code ~} expanded; null: none
 * @param logSize            {@code log_size}: bytes before the log file is rotated
 * @param logCount           {@code log_count}: rotated files kept
 * @param metricsHost        {@code metrics_host}: the address the metrics endpoint listens on
 * @param metricsPort        {@code metrics_port}: its port; 0: no endpoint
 * @param metricsPeriod      {@code metrics_period}: how often each database's queue and
 *                           consumer figures are read for it
 * @param log                {@code log_format}, {@code syslog} and its keys
 * @param warnings           unknown keys and unwise values, to log once logging is up
 */
record Config(Path file, String jobName, ConnInfo db, Databases databases, Duration checkPeriod,
              Duration loopDelay, Duration maintDelay, Duration tickerLogDelay, Duration connectionLifetime,
              Path logfile, Path pidfile, long logSize, int logCount, String metricsHost, int metricsPort,
              Duration metricsPeriod, LogOptions log, List<String> warnings) {

    /**
     * How log lines are written besides where: {@code log_format} text (Skytools' lines) or json
     * (one JSON object per line, logback's JsonEncoder), and {@code syslog}: also to a syslog
     * server over UDP ({@code syslog_host}, {@code syslog_port}, {@code syslog_facility}).
     */
    record LogOptions(boolean json, boolean syslog, String syslogHost, int syslogPort, String syslogFacility) {
        static final LogOptions DEFAULT = new LogOptions(false, false, "localhost", 514, "DAEMON");
    }

    /** Facilities logback's SyslogAppender knows. */
    private static final Set<String> FACILITIES = Set.of("KERN", "USER", "MAIL", "DAEMON", "AUTH", "SYSLOG", "LPR", "NEWS",
            "UUCP", "CRON", "AUTHPRIV", "FTP", "NTP", "AUDIT", "ALERT", "CLOCK", "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3",
            "LOCAL4", "LOCAL5", "LOCAL6", "LOCAL7");

    static final String SECTION = "pgqadm";
    /** Logback's FixedWindowRollingPolicy keeps at most this many rotated files. */
    static final int MAX_LOG_COUNT = 20;

    /** Every key the section may hold, with its default as the sample config shows it. */
    static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("job_name", "pgqadm");
        KEYS.put("db", "");
        KEYS.put("database_list", "");
        KEYS.put("check_period", "60");
        KEYS.put("loop_delay", "1.0");
        KEYS.put("maint_delay", "300");
        KEYS.put("maint_delay_min", "");
        KEYS.put("queue_refresh_period", "30");
        KEYS.put("ticker_log_delay", "300");
        KEYS.put("connection_lifetime", "1200");
        KEYS.put("logfile", "");
        KEYS.put("pidfile", "");
        KEYS.put("use_skylog", "0");
        KEYS.put("log_size", "10485760");
        KEYS.put("log_count", "3");
        KEYS.put("metrics_port", "");
        KEYS.put("metrics_host", "127.0.0.1");
        KEYS.put("metrics_period", "15");
        KEYS.put("log_format", "text");
        KEYS.put("syslog", "0");
        KEYS.put("syslog_host", "localhost");
        KEYS.put("syslog_port", "514");
        KEYS.put("syslog_facility", "daemon");
    }

    /** Names usable as {@code %(name)s} without being keys; a key of the same name wins. */
    private static final Set<String> BUILTIN_NAMES = Set.of("job_name", "service_name", "host_name");

    /** What {@code database_list} asks for. */
    record Databases(Mode mode, List<String> names) {
        enum Mode {
            /** No database_list: the database of {@code db}, as pgqadm. */
            SINGLE,
            /** A list of names. */
            LIST,
            /** {@code *}: every database of the server that has pgq, found as pgqd does. */
            ALL
        }
    }

    /** Loads and checks {@code file}; {@code env} stands in for the process environment. */
    static Config load(Path file, Map<String, String> env, String osUser, String hostName) throws ConfigException {
        return load(file, Map.of(), env, osUser, hostName);
    }

    /**
     * As {@link #load(Path, Map, String, String)}, with {@code overrides} (Skytools' {@code --set
     * key=value}) set in the section over the file's values; an error in one names it as
     * {@code --set key=value}, an error in the file names the file and line.
     */
    static Config load(Path file, Map<String, String> overrides, Map<String, String> env, String osUser, String hostName)
            throws ConfigException {
        Ini ini = Ini.load(file).withOverrides(SECTION, overrides);
        if (!ini.hasSection(SECTION)) {
            throw new ConfigException(file + ": no [" + SECTION + "] section");
        }
        Map<String, String> builtins = new LinkedHashMap<>();
        builtins.put("job_name", SECTION);
        builtins.put("service_name", SECTION);
        builtins.put("host_name", hostName);
        Reader r = new Reader(ini, builtins);
        List<String> warnings = new ArrayList<>();
        for (Ini.Entry e : ini.entries(SECTION)) {
            if (!KEYS.containsKey(e.key()) && !BUILTIN_NAMES.contains(e.key())) {
                if (e.line() == Ini.OVERRIDE_LINE) {
                    throw new ConfigException("--set " + e.key() + "=" + e.raw() + ": unknown key " + e.key()
                            + " (known: " + String.join(", ", KEYS.keySet()) + ")");
                }
                warnings.add(file + ":" + e.line() + ": unknown key " + e.key() + " ignored (known: " + String.join(", ", KEYS.keySet()) + ")");
            }
        }

        String jobName = r.string("job_name").orElse(SECTION);
        String dbString = r.string("db").orElseThrow(() -> new ConfigException(file + ": db: missing: a libpq connection string, e.g. db = dbname=mydb"));
        if (dbString.isBlank()) {
            throw new ConfigException(r.where("db") + ": db: empty: a libpq connection string, e.g. db = dbname=mydb");
        }
        ConnInfo db;
        try {
            db = ConnInfo.parse(dbString, env, osUser);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(r.where("db") + ": db: " + e.getMessage());
        }
        Databases databases = databases(r.where("database_list"), r.string("database_list").orElse(""));

        Duration loopDelay = r.seconds("loop_delay", 1.0, false);
        Duration maintDelay = r.has("maint_delay") || !r.has("maint_delay_min")
                ? r.seconds("maint_delay", 300, false)
                : Duration.ofMillis(Math.round(r.number("maint_delay_min", 5, false) * 60_000));
        Duration checkPeriod = r.seconds("check_period", 60, false);
        r.seconds("queue_refresh_period", 30, false); // checked only: pgq.ticker() reads the queues itself
        Duration tickerLogDelay = r.seconds("ticker_log_delay", 300, true);
        Duration connectionLifetime = r.seconds("connection_lifetime", 1200, false);
        if (r.bool("use_skylog")) {
            throw new ConfigException(r.where("use_skylog") + ": use_skylog: skylog.ini logging is not supported; set use_skylog = 0"
                    + " and use logfile, log_size and log_count");
        }
        long logSize = r.integer("log_size", 10_485_760L, 1);
        int logCount = (int) r.integer("log_count", 3, 0);
        if (logCount > MAX_LOG_COUNT) {
            warnings.add(r.where("log_count") + ": log_count: " + logCount + " rotated files asked for, " + MAX_LOG_COUNT + " kept (the most the rotation supports)");
            logCount = MAX_LOG_COUNT;
        }
        Path logfile = r.path("logfile");
        Path pidfile = r.path("pidfile");
        if (loopDelay.compareTo(Duration.ofSeconds(3)) > 0) {
            warnings.add(r.where("loop_delay") + ": loop_delay: " + Durations.seconds(loopDelay) + " s is more than the default queue_ticker_max_lag"
                    + " (3 s): events will wait up to that long for a tick");
        }
        if (loopDelay.compareTo(Duration.ofMillis(10)) < 0) {
            warnings.add(r.where("loop_delay") + ": loop_delay: " + Durations.seconds(loopDelay) + " s calls pgq.ticker() more than 100 times a second");
        }
        int metricsPort = (int) r.integer("metrics_port", 0, 0);
        if (metricsPort > 65_535) {
            throw new ConfigException(r.where("metrics_port") + ": metrics_port: " + metricsPort + " is not a TCP port (1-65535; empty or 0: no endpoint)");
        }
        String metricsHost = r.string("metrics_host").map(String::strip).filter(h -> !h.isEmpty()).orElse("127.0.0.1");
        Duration metricsPeriod = r.seconds("metrics_period", 15, false);
        if (metricsPort > 0 && !isLoopback(metricsHost)) {
            warnings.add(r.where("metrics_host") + ": metrics_host: " + metricsHost + " is not a loopback address: the metrics endpoint"
                    + " (queue and consumer names, no authentication) is reachable from the network");
        }
        String format = r.string("log_format").map(String::strip).filter(f -> !f.isEmpty()).orElse("text")
                .toLowerCase(java.util.Locale.ROOT);
        if (!format.equals("text") && !format.equals("json")) {
            throw new ConfigException(r.where("log_format") + ": log_format: '" + format + "' is neither text nor json");
        }
        boolean syslog = r.bool("syslog");
        String syslogHost = r.string("syslog_host").map(String::strip).filter(h -> !h.isEmpty()).orElse("localhost");
        int syslogPort = (int) r.integer("syslog_port", 514, 1);
        if (syslogPort > 65_535) {
            throw new ConfigException(r.where("syslog_port") + ": syslog_port: " + syslogPort + " is not a UDP port (1-65535)");
        }
        String facility = r.string("syslog_facility").map(String::strip).filter(f -> !f.isEmpty()).orElse("daemon")
                .toUpperCase(java.util.Locale.ROOT);
        if (!FACILITIES.contains(facility)) {
            throw new ConfigException(r.where("syslog_facility") + ": syslog_facility: '" + facility.toLowerCase(java.util.Locale.ROOT)
                    + "' is not a syslog facility (daemon, user, local0 ... local7, ...)");
        }
        LogOptions log = new LogOptions(format.equals("json"), syslog, syslogHost, syslogPort, facility);
        return new Config(file, jobName, db, databases, checkPeriod, loopDelay, maintDelay, tickerLogDelay,
                connectionLifetime, logfile, pidfile, logSize, logCount, metricsHost, metricsPort, metricsPeriod, log,
                List.copyOf(warnings));
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static Databases databases(String where, String list) throws ConfigException {
        List<String> names = new ArrayList<>();
        for (String n : list.split("[,\\s]+")) {
            if (!n.isEmpty() && !names.contains(n)) {
                names.add(n);
            }
        }
        if (names.isEmpty()) {
            return new Databases(Databases.Mode.SINGLE, List.of());
        }
        if (names.contains("*")) {
            if (names.size() > 1) {
                throw new ConfigException(where + ": database_list: '*' (every database with pgq) cannot be mixed with names: " + list);
            }
            return new Databases(Databases.Mode.ALL, List.of());
        }
        return new Databases(Databases.Mode.LIST, List.copyOf(names));
    }

    /** The config file's path, its directory created if need be: for logfile and pidfile. */
    static void createParent(Path p) throws IOException {
        Path parent = p.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    /** Reads typed values, each error naming the key. */
    private static final class Reader {
        private final Ini ini;
        private final Map<String, String> builtins;

        Reader(Ini ini, Map<String, String> builtins) {
            this.ini = ini;
            this.builtins = builtins;
        }

        /** Where {@code key} is set: file:line, --set key=value, or the file. */
        String where(String key) {
            return ini.where(SECTION, key);
        }

        boolean has(String key) throws ConfigException {
            return string(key).map(v -> !v.isBlank()).orElse(false);
        }

        Optional<String> string(String key) throws ConfigException {
            return ini.get(SECTION, key, builtins);
        }

        double number(String key, double dflt, boolean zeroOk) throws ConfigException {
            Optional<String> v = string(key);
            if (v.isEmpty() || v.get().isBlank()) {
                return dflt;
            }
            double d;
            try {
                d = Double.parseDouble(v.get().strip());
            } catch (NumberFormatException e) {
                throw new ConfigException(where(key) + ": " + key + ": not a number: '" + v.get() + "'");
            }
            if (Double.isNaN(d) || Double.isInfinite(d) || d < 0 || (d == 0 && !zeroOk)) {
                throw new ConfigException(where(key) + ": " + key + ": must be " + (zeroOk ? "zero or more" : "more than zero")
                        + ", not " + v.get().strip());
            }
            return d;
        }

        Duration seconds(String key, double dflt, boolean zeroOk) throws ConfigException {
            double s = number(key, dflt, zeroOk);
            if (s > 86_400 * 366) {
                throw new ConfigException(where(key) + ": " + key + ": " + s + " s is more than a year");
            }
            long micros = Math.round(s * 1_000_000);
            if (micros == 0 && s > 0) {
                throw new ConfigException(where(key) + ": " + key + ": " + s + " s is less than a microsecond");
            }
            return Duration.ofNanos(micros * 1000);
        }

        long integer(String key, long dflt, long min) throws ConfigException {
            Optional<String> v = string(key);
            if (v.isEmpty() || v.get().isBlank()) {
                return dflt;
            }
            long n;
            try {
                n = Long.parseLong(v.get().strip());
            } catch (NumberFormatException e) {
                throw new ConfigException(where(key) + ": " + key + ": not a whole number: '" + v.get() + "'");
            }
            if (n < min) {
                throw new ConfigException(where(key) + ": " + key + ": must be " + min + " or more, not " + n);
            }
            return n;
        }

        boolean bool(String key) throws ConfigException {
            Optional<String> v = string(key);
            if (v.isEmpty() || v.get().isBlank()) {
                return false;
            }
            switch (v.get().strip().toLowerCase(java.util.Locale.ROOT)) {
                case "1": case "yes": case "true": case "on":
                    return true;
                case "0": case "no": case "false": case "off":
                    return false;
                default:
                    throw new ConfigException(where(key) + ": " + key + ": not a boolean (0/1, yes/no, true/false, on/off): '" + v.get() + "'");
            }
        }

        Path path(String key) throws ConfigException {
            Optional<String> v = string(key);
            if (v.isEmpty() || v.get().isBlank()) {
                return null;
            }
            String s = v.get().strip();
            if (s.equals("~") || s.startsWith("~/")) {
                s = System.getProperty("user.home") + s.substring(1);
            }
            return Path.of(s);
        }
    }
}
