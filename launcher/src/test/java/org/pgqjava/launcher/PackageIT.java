package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Debian package (src/deb/build-deb.sh, built in Maven's package phase): it installs with
 * dpkg -i, pgqadm --version and man pgqadm work from it, its unit passes systemd-analyze verify
 * as installed (man page and ExecStart present), and dpkg -r removes it without a trace. Needs
 * root, as CI and scripts/test.sh run; it installs into this machine and removes again.
 */
class PackageIT {

    private record Run(int exit, String out) {
    }

    private static Run run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " did not end");
        return new Run(p.exitValue(), out);
    }

    @Test
    void installsRunsAndRemovesCleanly() throws Exception {
        List<Path> debs;
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            debs = s.filter(p -> p.getFileName().toString().matches("pgqadm_.*_all\\.deb")).collect(Collectors.toList());
        }
        assertEquals(1, debs.size(), "target/ holds the package (mvn package with help2man installed: scripts/setup-debian.sh)");
        assertEquals("0", run("id", "-u").out().strip(), "dpkg -i needs root");
        run("dpkg", "-r", "pgqadm"); // a run that stopped halfway may have left it
        String version = System.getProperty("pgq.version", Version.get());

        Run install = run("dpkg", "-i", debs.get(0).toString());
        try {
            assertEquals(0, install.exit(), install.out());
            Run v = run("/usr/bin/pgqadm", "--version");
            assertEquals(0, v.exit(), v.out());
            assertEquals("pgq-java version " + version, v.out().strip());
            Run man = run("man", "-P", "cat", "pgqadm");
            assertEquals(0, man.exit(), man.out());
            assertTrue(man.out().contains("pgqadm - PgQ ticker and administration (pgq-java)")
                    && man.out().contains("redrive QUEUE CONSUMER"), man.out());
            for (String unit : List.of("/lib/systemd/system/pgqadm.service", "/lib/systemd/system/pgqadm@.service")) {
                Path check = unit.contains("@") ? Files.createTempDirectory("unit").resolve("pgqadm@check.service") : Path.of(unit);
                if (unit.contains("@")) {
                    Files.copy(Path.of(unit), check);
                }
                Run verify = run("systemd-analyze", "verify", check.toString());
                assertEquals(0, verify.exit(), verify.out());
                assertEquals("", verify.out().strip(), unit + " as installed: no word from systemd-analyze");
            }
            assertTrue(Files.isRegularFile(Path.of("/usr/share/doc/pgqadm/examples/pgqadm.ini.sample")));
        } finally {
            Run remove = run("dpkg", "-r", "pgqadm");
            assertEquals(0, remove.exit(), remove.out());
        }
        for (String gone : List.of("/usr/bin/pgqadm", "/usr/share/pgqadm", "/lib/systemd/system/pgqadm.service",
                "/usr/share/man/man1/pgqadm.1.gz", "/usr/share/doc/pgqadm")) {
            assertTrue(Files.notExists(Path.of(gone)), gone + " removed");
        }
        assertEquals(1, run("dpkg", "-s", "pgqadm").exit(), "not installed any more");
    }
}
