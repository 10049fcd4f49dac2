package org.pgqjava.launcher;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code -d}: a JVM cannot fork, so it starts itself again in the background: same java, same
 * JVM options, same class path, same arguments plus {@code --detached}, under setsid(1) (a new
 * session: no controlling terminal, not killed with the shell's process group), standard input
 * from /dev/null, standard output and error appended to the log file (or /dev/null). The parent
 * waits until the child has written the pidfile, so that a failed start is reported here, with
 * exit code 1, and not only in the log.
 */
final class Detach {

    private static final Logger log = LoggerFactory.getLogger(Detach.class);
    static final String DETACHED_OPTION = "--detached";
    private static final Duration START_WAIT = Duration.ofSeconds(60);

    private Detach() {
    }

    /** Starts the background process; returns the parent's exit code. */
    static int start(Config cfg, String[] argv) throws IOException, InterruptedException {
        Path pidfile = cfg.pidfile();
        try {
            OptionalLong other = Pidfile.read(pidfile);
            if (other.isPresent() && Pidfile.isAlive(other.getAsLong())) {
                log.error("Pidfile exists, another process running?");
                return 1;
            }
        } catch (Pidfile.CorruptException e) {
            log.debug("{}; the daemon will replace it", e.getMessage());
        }
        if (cfg.logfile() == null) {
            log.warn("no logfile in the config: the daemon's log goes to /dev/null");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid");
        // signals ignored here would stay ignored in the daemon (see Signals.handle)
        cmd.add("env");
        cmd.add("--default-signal=HUP,INT,TERM");
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(absoluteClassPath());
        cmd.add(Main.class.getName());
        cmd.add(DETACHED_OPTION);
        cmd.addAll(List.of(argv));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (cfg.logfile() != null) {
            Config.createParent(cfg.logfile());
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(cfg.logfile().toFile())).redirectErrorStream(true);
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        log.debug("starting in the background: {}", cmd);
        Process child = pb.start();
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            OptionalLong pid = readQuietly(pidfile);
            if (pid.isPresent() && Pidfile.isAlive(pid.getAsLong()) && (pid.getAsLong() == child.pid() || !child.isAlive())) {
                log.debug("daemon started: pid {}, pidfile {}", pid.getAsLong(), pidfile);
                return 0;
            }
            if (!child.isAlive() && child.exitValue() != 0) {
                log.error("the daemon exited at start with code {}{}", child.exitValue(),
                        cfg.logfile() != null ? "; see " + cfg.logfile() : " (no logfile configured; run without -d to see why)");
                return 1;
            }
            Thread.sleep(50);
        }
        log.warn("the daemon (pid {}) has not written {} within {} s; it may still be starting", child.pid(), pidfile,
                START_WAIT.toSeconds());
        return 0;
    }

    private static OptionalLong readQuietly(Path pidfile) {
        try {
            return Pidfile.read(pidfile);
        } catch (IOException | Pidfile.CorruptException e) {
            return OptionalLong.empty();
        }
    }

    /** The class path with absolute entries: {@code java -jar pgqadm.jar} gives a relative one. */
    private static String absoluteClassPath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                out.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, out);
    }
}
