package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.pgqjava.pgq.PgqTemplate;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgTest;

/** systemd: the unit files pass systemd-analyze verify; the daemon speaks sd_notify with the watchdog. */
@PgTest(setup = PgqTemplate.class)
class SystemdIT {

    @TempDir
    Path dir;

    @Test
    void theUnitFilesVerify() throws Exception {
        for (String unit : List.of("pgqadm.service", "pgqadm@.service")) {
            String text = Files.readString(Path.of("systemd", unit))
                    .replace("/usr/bin/pgqadm", Pgqadm.BIN.resolve("pgqadm").toString()); // as installed, but here
            Path copy = dir.resolve(unit.replace("@.", "@check."));
            Files.writeString(copy, text);
            Process v = new ProcessBuilder("systemd-analyze", "verify", "--man=no", copy.toString()).redirectErrorStream(true).start();
            String said = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(v.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, v.exitValue(), unit + ": " + said);
            assertEquals("", said.strip(), unit + ": systemd-analyze says nothing about it");
        }
    }

    @Test
    void theDaemonNotifiesSystemdAndPingsTheWatchdog(PgDatabase db) throws Exception {
        Path sock = dir.resolve("notify.sock");
        try (AFUNIXDatagramSocket systemd = AFUNIXDatagramSocket.newInstance()) {
            systemd.bind(AFUNIXSocketAddress.of(sock));
            systemd.setSoTimeout(30_000);
            Path pidfile = dir.resolve("n.pid");
            Path conf = Pgqadm.config(dir, "n.ini", Pgqadm.dbLine(db), "loop_delay = 0.1", "pidfile = " + pidfile,
                    "logfile = " + dir.resolve("n.log"));
            Process p = Pgqadm.startWith(Map.of("NOTIFY_SOCKET", sock.toString(), "WATCHDOG_USEC", "1000000"),
                    dir.resolve("console.txt"), conf.toString(), "ticker");
            try {
                List<String> got = new ArrayList<>();
                while (got.stream().filter(m -> m.equals("WATCHDOG=1")).count() < 2) {
                    got.add(receive(systemd));
                }
                assertTrue(got.get(0).startsWith("READY=1\nSTATUS=serving database " + db.name()), got.toString());
                assertTrue(got.get(0).contains("\nMAINPID=" + p.pid()), got.toString());
                assertEquals(0, Pgqadm.run(conf.toString(), "-s").exit());
                String last;
                do {
                    last = receive(systemd);
                } while (last.equals("WATCHDOG=1"));
                assertEquals("STOPPING=1", last);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());
            } finally {
                Pgqadm.killQuietly(p);
            }
        }
        // a config that cannot be used: 78, which the units tell systemd not to restart after
        assertEquals(78, Pgqadm.run(Pgqadm.config(dir, "bad.ini", "db = dbname=x", "loop_delay = never").toString(), "ticker").exit());
    }

    private static String receive(AFUNIXDatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }
}
