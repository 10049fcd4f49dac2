package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** log_format = json and syslog = 1: what a line looks like there. */
class LogsTest {

    @TempDir
    Path dir;

    @AfterEach
    void plainAgain() throws Exception {
        Logs.configure(Logs.Verbosity.NORMAL, false, null, 0, 0);
    }

    private Config load(String... lines) throws Exception {
        Path f = dir.resolve("l.ini");
        Files.write(f, List.of(lines));
        return Config.load(f, Map.of(), "u", "h");
    }

    @Test
    void jsonLinesInTheLogFile() throws Exception {
        Path log = dir.resolve("p.log");
        Config cfg = load("[pgqadm]", "db = dbname=x", "logfile = " + log, "log_format = json");
        Logs.configure(Logs.Verbosity.NORMAL, false, cfg);
        LoggerFactory.getLogger("t").info("mydb: ticker: {\"quoted\" line}");
        Logs.configure(Logs.Verbosity.NORMAL, false, null, 0, 0); // flushes and closes the file
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size(), lines.toString());
        String l = lines.get(0);
        assertTrue(l.startsWith("{") && l.endsWith("}"), l);
        assertTrue(l.contains("\"level\":\"INFO\"") && l.contains("\"loggerName\":\"t\""), l);
        assertTrue(l.contains("\"message\":\"mydb: ticker: {\\\"quoted\\\" line}\""), l);
    }

    @Test
    void syslogOverUdp() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(10_000);
            Config cfg = load("[pgqadm]", "db = dbname=x", "syslog = 1", "syslog_host = 127.0.0.1",
                    "syslog_port = " + server.getLocalPort(), "syslog_facility = local3");
            Logs.configure(Logs.Verbosity.NORMAL, false, cfg);
            LoggerFactory.getLogger("t").warn("mydb: ticker: something to see");
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            server.receive(p);
            String msg = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            // <PRI> = facility local3 (19) * 8 + severity warning (4) = 156
            assertTrue(msg.startsWith("<156>"), msg);
            assertTrue(msg.contains("pgqadm[" + ProcessHandle.current().pid() + "]: WARN mydb: ticker: something to see"), msg);
        }
    }

    @Test
    void badLogSettingsNameTheKey() throws Exception {
        Path f = dir.resolve("l.ini");
        assertEquals(f + ":3: log_format: 'xml' is neither text nor json",
                org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                        () -> load("[pgqadm]", "db = dbname=x", "log_format = xml")).getMessage());
        assertEquals(f + ":3: syslog_facility: 'local9' is not a syslog facility (daemon, user, local0 ... local7, ...)",
                org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                        () -> load("[pgqadm]", "db = dbname=x", "syslog_facility = local9")).getMessage());
    }
}
