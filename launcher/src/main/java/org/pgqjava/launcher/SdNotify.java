package org.pgqjava.launcher;

import java.io.IOException;
import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's service notification protocol (sd_notify(3)) for {@code Type=notify} units:
 * {@code READY=1}, {@code RELOADING=1}, {@code STOPPING=1}, {@code STATUS=...} and the watchdog's
 * {@code WATCHDOG=1}, each a datagram to the Unix socket in {@code NOTIFY_SOCKET} (an {@code @}
 * name is in the abstract namespace). The JDK has no Unix datagram sockets; junixsocket, which
 * pgqadm has for PostgreSQL's sockets, does. Without NOTIFY_SOCKET there is no notifier.
 */
final class SdNotify implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SdNotify.class);

    private final AFUNIXDatagramSocket socket;
    private final AFUNIXSocketAddress address;
    private final Duration watchdog;

    private SdNotify(AFUNIXDatagramSocket socket, AFUNIXSocketAddress address, Duration watchdog) {
        this.socket = socket;
        this.address = address;
        this.watchdog = watchdog;
    }

    /** The notifier systemd asked for in {@code env}, or null when not run by it as Type=notify. */
    static SdNotify fromEnvironment(Map<String, String> env) {
        String path = env.get("NOTIFY_SOCKET");
        if (path == null || path.isEmpty()) {
            return null;
        }
        try {
            AFUNIXSocketAddress address = path.startsWith("@")
                    ? AFUNIXSocketAddress.inAbstractNamespace(path.substring(1)) : AFUNIXSocketAddress.of(Path.of(path));
            AFUNIXDatagramSocket socket = AFUNIXDatagramSocket.newInstance();
            // connected once: a DatagramPacket takes no junixsocket address (it is not an InetSocketAddress)
            socket.connect(address);
            return new SdNotify(socket, address, watchdog(env));
        } catch (IOException | RuntimeException e) {
            log.warn("NOTIFY_SOCKET={}: cannot notify systemd: {}", path, e.toString());
            return null;
        }
    }

    /** WATCHDOG_USEC when it is meant for this process (WATCHDOG_PID unset or ours), else null. */
    private static Duration watchdog(Map<String, String> env) {
        String usec = env.get("WATCHDOG_USEC");
        String pid = env.get("WATCHDOG_PID");
        if (usec == null || (pid != null && !pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            return null;
        }
        try {
            long u = Long.parseLong(usec.strip());
            return u > 0 ? Duration.ofNanos(u * 1000) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The watchdog timeout systemd set (WatchdogSec), or null: ping at half of it. */
    Duration watchdog() {
        return watchdog;
    }

    /** Sends {@code state} (lines such as READY=1); a failure is logged, never thrown: the daemon goes on. */
    synchronized void send(String state) {
        byte[] b = state.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(b, b.length));
        } catch (IOException | RuntimeException e) {
            log.debug("sd_notify {} to {}: {}", state.replace('\n', ' '), address, e.toString());
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
