package org.pgqjava.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import org.pgqjava.liquibase.CascadeInstaller;
import org.pgqjava.liquibase.PgqTakeover;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pgqadm [options] CONFIG.ini COMMAND [args]}: pgqadm's command line (Skytools 2) for
 * pgq-java. Exit codes: 0 done; 1 a usage, database or pidfile error (the message says which);
 * 2 an unknown option; 78 (EX_CONFIG of sysexits.h) a config file that cannot be used, so that
 * systemd's RestartPreventExitStatus=78 stops restarting a daemon that cannot start.
 */
public final class Main {

    /** sysexits.h's EX_CONFIG: the config is wrong; starting again will not help. */
    static final int EXIT_CONFIG = 78;

    private static final Logger log = LoggerFactory.getLogger(Main.class);
    static final Set<String> COMMANDS = Set.of("ticker", "status", "install", "install-cascade", "takeover", "create", "drop",
            "register", "unregister", "config", "dead-letters", "redrive", "purge-dead-letters");

    @Command(name = "pgqadm", sortOptions = false, usageHelpWidth = 100,
            description = {"PgQ ticker and administration (pgq-java).", ""},
            customSynopsis = "pgqadm [options] CONFIG.ini COMMAND [args]",
            footer = {"", "Commands:",
                    "  ticker                       tick and maintain the databases (usually with -d)",
                    "  status [--json]              queues and consumers",
                    "  install                      install or upgrade pgq-java in the database of db",
                    "  install-cascade [pgq_node|londiste ...]",
                    "                               load or upgrade pgq_node and londiste from the server's",
                    "                               packages (default: pgq_node, and londiste if installed)",
                    "  takeover                     move a database with PgQ 3.5 as an extension to pgq-java",
                    "                               in place (queues, batches, triggers kept)",
                    "  create QUEUE                 create a queue",
                    "  drop QUEUE                   drop a queue",
                    "  register QUEUE CONSUMER      register a consumer on a queue",
                    "  unregister QUEUE CONSUMER    unregister a consumer",
                    "  config [QUEUE [key=value ...]]  show or change queue settings",
                    "  dead-letters QUEUE [CONSUMER]  events retried past max_retries (pgq-java only)",
                    "  redrive QUEUE CONSUMER [EV_ID ...]  give dead letters back to their consumer",
                    "  purge-dead-letters QUEUE [CONSUMER [EV_ID ...]]  delete dead letters",
                    "", "pgqadm --ini prints a sample config file with every key."})
    static final class Options {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;
        @Option(names = {"-q", "--quiet"}, description = "log warnings and errors only")
        boolean quiet;
        @Option(names = {"-v", "--verbose"}, description = "log debug messages too")
        boolean[] verbose = new boolean[0];
        @Option(names = {"-d", "--daemon"}, description = "ticker: run in the background (needs pidfile)")
        boolean daemon;
        @Option(names = {"-r", "--reload"}, description = "reload config (send SIGHUP to the pid in pidfile)")
        boolean reload;
        @Option(names = {"-s", "--stop"}, description = "stop safely (send SIGINT)")
        boolean stop;
        @Option(names = {"-k", "--kill"}, description = "stop at once (send SIGTERM)")
        boolean kill;
        @Option(names = {"-V", "--version"}, description = "print the version and exit")
        boolean version;
        @Option(names = "--json", description = "status: print JSON")
        boolean json;
        @Option(names = "--ini", description = "print a sample config file and exit")
        boolean ini;
        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a config key (repeatable), as Skytools' --set")
        Map<String, String> set = new java.util.LinkedHashMap<>();
        @Option(names = Detach.DETACHED_OPTION, hidden = true)
        boolean detached;
        @Parameters(paramLabel = "ARGS", hidden = true)
        List<String> params = new ArrayList<>();
    }

    private Main() {
    }

    public static void main(String[] argv) {
        int rc;
        try {
            rc = run(argv, System.out, System.err, System.getenv());
        } catch (RuntimeException | Error e) {
            System.err.println("pgqadm crashed: " + e); // logging itself may be what failed
            e.printStackTrace();
            rc = 1;
        }
        Logs.close();
        System.out.flush();
        System.exit(rc); // the loops' threads are not daemon threads
    }

    static int run(String[] argv, PrintStream out, PrintStream err, Map<String, String> env) {
        Options o = new Options();
        CommandLine cl = new CommandLine(o);
        try {
            cl.parseArgs(argv);
        } catch (CommandLine.ParameterException e) {
            err.println("pgqadm: " + e.getMessage());
            err.println("usage: pgqadm [options] CONFIG.ini COMMAND [args]   (pgqadm -h for help)");
            return 2;
        }
        // pgqadm help [COMMAND], pgqadm [CONFIG.ini] COMMAND --help: one command's help
        if (!o.params.isEmpty() && o.params.get(0).equals("help")) {
            return commandHelp(o.params.size() > 1 ? o.params.get(1) : null, cl, out, err);
        }
        if (o.help) {
            String cmd = o.params.stream().filter(COMMANDS::contains).findFirst().orElse(null);
            if (cmd != null) {
                return commandHelp(cmd, cl, out, err);
            }
            cl.usage(out);
            return 0;
        }
        if (o.version) {
            out.println(Version.line());
            return 0;
        }
        if (o.ini) {
            return printSample(out, err);
        }
        Logs.Verbosity verbosity = o.quiet ? Logs.Verbosity.QUIET : o.verbose.length > 0 ? Logs.Verbosity.VERBOSE : Logs.Verbosity.NORMAL;
        boolean console = !o.detached;
        try {
            Logs.configure(verbosity, console, null, 0, 0);
        } catch (IOException e) {
            throw new IllegalStateException(e); // no file yet: cannot happen
        }
        if (o.params.isEmpty()) {
            err.println("need config file");
            return 1;
        }
        Path file = Path.of(o.params.get(0));
        Config cfg;
        try {
            cfg = loadConfig(file, o.set, env);
            Logs.configure(verbosity, console, cfg);
        } catch (ConfigException e) {
            log.error("{}", e.getMessage());
            return EXIT_CONFIG;
        } catch (IOException e) {
            log.error("{}: logfile: {}", file, e.getMessage());
            return EXIT_CONFIG;
        }
        cfg.warnings().forEach(log::warn);
        if (o.reload || o.stop || o.kill) {
            if ((o.reload ? 1 : 0) + (o.stop ? 1 : 0) + (o.kill ? 1 : 0) > 1) {
                err.println("pgqadm: -r, -s and -k exclude each other");
                return 2;
            }
            return signal(cfg, o.reload ? "HUP" : o.stop ? "INT" : "TERM");
        }
        if (o.params.size() < 2) {
            err.println("need command");
            return 1;
        }
        String cmd = o.params.get(1);
        List<String> args = o.params.subList(2, o.params.size());
        if (!COMMANDS.contains(cmd)) {
            err.println("unknown command");
            String near = closest(cmd);
            err.println((near != null ? "did you mean " + near + "? " : "") + "(pgqadm -h lists the commands)");
            return 1;
        }
        String usage = usageError(cmd, args);
        if (usage != null) {
            err.println("usage: pgqadm CONFIG.ini " + usage);
            return 1;
        }
        if (o.json && !"status".equals(cmd) && !"dead-letters".equals(cmd)) {
            log.warn("--json applies to status and dead-letters only; ignored");
        }
        try {
            if ("ticker".equals(cmd)) {
                return ticker(cfg, o, argv, () -> {
                    Config fresh = loadConfig(file, o.set, env);
                    try {
                        Logs.configure(verbosity, console, fresh);
                    } catch (IOException e) {
                        throw new ConfigException(file + ": logfile: " + e.getMessage(), e);
                    }
                    return fresh;
                });
            }
            if (o.daemon) {
                log.warn("-d applies to the ticker only; {} runs in the foreground", cmd);
            }
            return admin(cfg, cmd, args, o.json, out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (IOException e) {
            log.error("{}", e.toString());
            return 1;
        }
    }

    static Config loadConfig(Path file, Map<String, String> overrides, Map<String, String> env) throws ConfigException {
        return Config.load(file, overrides, env, System.getProperty("user.name"), hostName());
    }

    /** What each command takes and does, for pgqadm help COMMAND. */
    static final Map<String, String> COMMAND_HELP = new java.util.LinkedHashMap<>();

    static {
        COMMAND_HELP.put("ticker", "ticker\n  Ticks the databases of the config (every loop_delay pgq.ticker()) and maintains them"
                + " (every maint_delay pgq.maint_operations() and pgq.maint_retry_events()); usually with -d, stopped with -s or -k.");
        COMMAND_HELP.put("status", "status [--json]\n  Queues and consumers of the database of db, in pgqadm's layout or as JSON.");
        COMMAND_HELP.put("install", "install\n  Installs or upgrades pgq-java in the database of db (the Liquibase changelog in the jar).");
        COMMAND_HELP.put("install-cascade", "install-cascade [pgq_node|londiste ...]\n  Loads or upgrades pgq_node and londiste"
                + " from the database server's own packages (default: pgq_node, and londiste if its package is there).");
        COMMAND_HELP.put("takeover", "takeover\n  Moves a database with PgQ 3.5 as an extension (and pgq_node, londiste) to pgq-java"
                + " in place: queues, events, open batches and triggers kept.");
        COMMAND_HELP.put("create", "create QUEUE\n  Creates a queue (pgq.create_queue).");
        COMMAND_HELP.put("drop", "drop QUEUE\n  Drops a queue (pgq.drop_queue); it must have no consumers.");
        COMMAND_HELP.put("register", "register QUEUE CONSUMER\n  Registers a consumer (pgq.register_consumer): it sees the"
                + " events committed from now on.");
        COMMAND_HELP.put("unregister", "unregister QUEUE CONSUMER\n  Unregisters a consumer (pgq.unregister_consumer).");
        COMMAND_HELP.put("config", "config [QUEUE [key=value ...]]\n  Shows every queue's settings, or one queue's, or changes"
                + " them: ticker_max_lag, ticker_max_count, ticker_idle_period, rotation_period (with or without queue_),"
                + " push, push_min_interval, stuck_consumer_warn, stuck_consumer_detach, max_retries.");
        COMMAND_HELP.put("dead-letters", "dead-letters QUEUE [CONSUMER] [--json]\n  Lists the events retried past the queue's"
                + " max_retries (pgq_java.dead_letters).");
        COMMAND_HELP.put("redrive", "redrive QUEUE CONSUMER [EV_ID ...]\n  Gives the consumer's dead letters (all, or those ids)"
                + " back to it, through the retry queue.");
        COMMAND_HELP.put("purge-dead-letters", "purge-dead-letters QUEUE [CONSUMER [EV_ID ...]]\n  Deletes dead letters.");
    }

    /** Prints one command's help (all commands' list without one); 1 for an unknown command. */
    private static int commandHelp(String cmd, CommandLine cl, PrintStream out, PrintStream err) {
        if (cmd == null) {
            cl.usage(out);
            return 0;
        }
        String help = COMMAND_HELP.get(cmd);
        if (help == null) {
            String near = closest(cmd);
            err.println("unknown command: " + cmd + (near != null ? "; did you mean " + near + "?" : "")
                    + " (pgqadm -h lists the commands)");
            return 1;
        }
        out.println("usage: pgqadm [options] CONFIG.ini " + help);
        out.flush();
        return 0;
    }

    /** The command nearest to a mistyped one (at most 2 edits, or a prefix of 3 letters or more); null if none is. */
    static String closest(String typed) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : new java.util.TreeSet<>(COMMANDS)) {
            int d = typed.length() >= 3 && c.startsWith(typed) ? 0 : distance(typed, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= 2 ? best : null;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Arity of each command; null when the arguments fit. */
    private static String usageError(String cmd, List<String> args) {
        switch (cmd) {
            case "ticker":
            case "status":
            case "install":
            case "takeover":
                return args.isEmpty() ? null : cmd;
            case "create":
            case "drop":
                return args.size() == 1 ? null : cmd + " QUEUE";
            case "register":
            case "unregister":
                return args.size() == 2 ? null : cmd + " QUEUE CONSUMER";
            case "install-cascade":
                return CascadeInstaller.COMPONENTS.containsAll(args) ? null : cmd + " [pgq_node|londiste ...]";
            case "dead-letters":
                return args.size() == 1 || args.size() == 2 ? null : cmd + " QUEUE [CONSUMER]";
            case "redrive":
                return args.size() >= 2 && Admin.eventIds(args.subList(2, args.size())) != null ? null
                        : cmd + " QUEUE CONSUMER [EV_ID ...]   (event ids: whole numbers)";
            case "purge-dead-letters":
                return !args.isEmpty() && Admin.eventIds(args.subList(Math.min(2, args.size()), args.size())) != null ? null
                        : cmd + " QUEUE [CONSUMER [EV_ID ...]]   (event ids: whole numbers)";
            default:
                return null; // config: any number
        }
    }

    private static int ticker(Config cfg, Options o, String[] argv, TickerDaemon.Reloader reloader)
            throws IOException, InterruptedException {
        if (o.daemon && !o.detached) {
            if (cfg.pidfile() == null) {
                log.error("Daemon needs pidfile");
                return 1;
            }
            return Detach.start(cfg, argv);
        }
        Pidfile pid = null;
        if (cfg.pidfile() != null) {
            try {
                pid = Pidfile.claim(cfg.pidfile());
            } catch (Pidfile.BusyException e) {
                log.error("{}", e.getMessage());
                return 1;
            }
            Pidfile claimed = pid;
            Runtime.getRuntime().addShutdownHook(new Thread(claimed::release, "pidfile-release"));
        } else if (o.detached) {
            log.error("Daemon needs pidfile");
            return 1;
        }
        try {
            SdNotify notify = SdNotify.fromEnvironment(System.getenv());
            try {
                return new TickerDaemon(cfg, reloader, notify).run();
            } finally {
                if (notify != null) {
                    notify.close();
                }
            }
        } finally {
            if (pid != null) {
                pid.release();
            }
        }
    }

    private static int admin(Config cfg, String cmd, List<String> args, boolean json, PrintStream out) throws IOException {
        Pidfile pid = null;
        if (cfg.pidfile() != null) {
            try {
                pid = Pidfile.claim(Path.of(cfg.pidfile() + ".admin"));
            } catch (Pidfile.BusyException e) {
                log.error("{}", e.getMessage());
                return 1;
            }
        }
        String db = cfg.db().dbname();
        try (Connection c = Connector.open(cfg.db(), cfg.jobName(), 0)) {
            Admin a = new Admin(c, db);
            switch (cmd) {
                case "status":
                    return status(c, cfg, json, out);
                case "install":
                    a.install();
                    break;
                case "takeover":
                    PgqTakeover.takeOver(c);   // logs what it did
                    break;
                case "install-cascade":
                    if (args.isEmpty()) {
                        CascadeInstaller.installAvailable(c);   // logs what it did
                    } else {
                        CascadeInstaller.install(c, args);
                    }
                    break;
                case "create":
                    a.create(args.get(0));
                    break;
                case "drop":
                    a.drop(args.get(0));
                    break;
                case "register":
                    a.register(args.get(0), args.get(1));
                    break;
                case "unregister":
                    a.unregister(args.get(0), args.get(1));
                    break;
                case "config":
                    a.config(args, out);
                    break;
                case "dead-letters":
                    a.deadLetters(args.get(0), args.size() > 1 ? args.get(1) : null, json, out);
                    break;
                case "redrive":
                    a.redrive(args.get(0), args.get(1), Admin.eventIds(args.subList(2, args.size())));
                    break;
                case "purge-dead-letters":
                    a.purgeDeadLetters(args.get(0), args.size() > 1 ? args.get(1) : null,
                            Admin.eventIds(args.subList(Math.min(2, args.size()), args.size())));
                    break;
                default:
                    throw new IllegalStateException("unknown command " + cmd);
            }
            return 0;
        } catch (SQLException e) {
            log.error("{}: {} failed: {}", db, cmd, Sql.describe(e));
            return 1;
        } catch (Admin.UsageException e) {
            log.error("{}: {}", db, e.getMessage());
            return 1;
        } finally {
            if (pid != null) {
                pid.release();
            }
        }
    }

    /** status of the database of db, or of each served database with database_list. */
    private static int status(Connection first, Config cfg, boolean json, PrintStream out) throws SQLException {
        List<String> dbs = new ArrayList<>();
        switch (cfg.databases().mode()) {
            case LIST:
                dbs.addAll(cfg.databases().names());
                break;
            case ALL:
                for (String d : Discovery.listDatabases(first)) {
                    try (Connection c = Connector.open(cfg.db().withDbname(d), cfg.jobName(), 0)) {
                        PgqCheck.check(c);
                        dbs.add(d);
                    } catch (PgqCheck.NoPgqException | SQLException e) {
                        log.debug("{}: not shown: {}", d, e.getMessage());
                    }
                }
                break;
            default:
                dbs.add(cfg.db().dbname());
        }
        List<Object> reports = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (String d : dbs) {
            Status.Report r;
            try {
                if (d.equals(cfg.db().dbname())) {
                    PgqCheck.check(first);
                    r = Status.read(first, d);
                } else {
                    try (Connection c = Connector.open(cfg.db().withDbname(d), cfg.jobName(), 0)) {
                        PgqCheck.check(c);
                        r = Status.read(c, d);
                    }
                }
            } catch (PgqCheck.NoPgqException e) {
                if (cfg.databases().mode() == Config.Databases.Mode.SINGLE) {
                    log.error("{}: {}", d, e.getMessage());
                    return 1;
                }
                log.warn("{}: {}; not shown", d, e.getMessage());
                continue;
            }
            if (json) {
                reports.add(Status.json(r));
            } else {
                if (dbs.size() > 1) {
                    text.append(text.length() > 0 ? "\n" : "").append("Database: ").append(d).append("\n\n");
                }
                text.append(Status.text(r));
            }
        }
        out.print(json ? Json.write(Map.of("databases", reports)) : text);
        out.flush();
        return 0;
    }

    /** -r, -s, -k: Skytools' messages; exit 0 unless the pidfile is corrupt. */
    private static int signal(Config cfg, String sig) {
        if (cfg.pidfile() == null) {
            log.warn("No pidfile in config, nothing todo");
            return 0;
        }
        try {
            OptionalLong pid = Pidfile.read(cfg.pidfile());
            if (pid.isEmpty()) {
                log.warn("No pidfile, process not running");
                return 0;
            }
            if (!Pidfile.isAlive(pid.getAsLong())) {
                log.warn("pidfile exist, but process not running");
                return 0;
            }
            if (Signals.send(sig, pid.getAsLong())) {
                log.info("Sent SIG{} to pid {}", sig, pid.getAsLong());
            } else {
                log.warn("Signaling {} failed", pid.getAsLong());
            }
            return 0;
        } catch (Pidfile.CorruptException e) {
            log.error("{}", e.getMessage());
            return 1;
        } catch (IOException e) {
            log.error("{}: {}", cfg.pidfile(), e.toString());
            return 1;
        }
    }

    private static int printSample(PrintStream out, PrintStream err) {
        try (InputStream in = Main.class.getResourceAsStream("pgqadm.ini.sample")) {
            if (in == null) {
                err.println("pgqadm: the sample config is missing from the jar");
                return 1;
            }
            out.print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("pgqadm: " + e);
            return 1;
        }
    }

    /** Python's socket.gethostname(): the kernel's node name. */
    static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            String h = System.getenv("HOSTNAME");
            return h == null ? "localhost" : h;
        }
    }
}
