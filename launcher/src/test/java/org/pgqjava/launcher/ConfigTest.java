package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

    @TempDir
    Path dir;

    private Config load(String... lines) throws IOException, ConfigException {
        Path f = dir.resolve("t.ini");
        Files.write(f, List.of(lines));
        return Config.load(f, Map.of(), "osuser", "h1");
    }

    private String error(String... lines) {
        return assertThrows(ConfigException.class, () -> load(lines)).getMessage();
    }

    @Test
    void defaults() throws Exception {
        Config c = load("[pgqadm]", "db = dbname=x");
        assertEquals("pgqadm", c.jobName());
        assertEquals("x", c.db().dbname());
        assertEquals(Config.Databases.Mode.SINGLE, c.databases().mode());
        assertEquals(Duration.ofSeconds(1), c.loopDelay());
        assertEquals(Duration.ofSeconds(300), c.maintDelay());
        assertEquals(Duration.ofSeconds(60), c.checkPeriod());
        assertEquals(Duration.ofSeconds(300), c.tickerLogDelay());
        assertEquals(Duration.ofSeconds(1200), c.connectionLifetime());
        assertEquals(10_485_760L, c.logSize());
        assertEquals(3, c.logCount());
        assertNull(c.logfile());
        assertNull(c.pidfile());
        assertEquals(0, c.metricsPort(), "no metrics endpoint unless asked for");
        assertEquals("127.0.0.1", c.metricsHost());
        assertEquals(Duration.ofSeconds(15), c.metricsPeriod());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void errorsNameFileAndLineOrTheSetOption() throws Exception {
        Path f = dir.resolve("t.ini");
        assertEquals(f + ":3: loop_delay: not a number: 'soon'", error("[pgqadm]", "db = dbname=x", "loop_delay = soon"));
        assertEquals(f + ":2: db: empty: a libpq connection string, e.g. db = dbname=mydb", error("[pgqadm]", "db = ", "loop_delay = 1"));
        assertEquals(f + ":4: database_list: '*' (every database with pgq) cannot be mixed with names: a, *",
                error("[pgqadm]", "db = dbname=x", "", "database_list = a, *"));
        Files.write(f, List.of("[pgqadm]", "db = dbname=x", "loop_delay = 2"));
        Config c = Config.load(f, Map.of("loop_delay", "0.5", "metrics_port", "9187"), Map.of(), "u", "h");
        assertEquals(Duration.ofMillis(500), c.loopDelay(), "--set wins over the file");
        assertEquals(9187, c.metricsPort());
        assertEquals("--set loop_delay=never: loop_delay: not a number: 'never'", assertThrows(ConfigException.class,
                () -> Config.load(f, Map.of("loop_delay", "never"), Map.of(), "u", "h")).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> Config.load(f, Map.of("loop_dealy", "1"), Map.of(), "u", "h"))
                .getMessage().startsWith("--set loop_dealy=1: unknown key loop_dealy (known: job_name, db, "));
    }

    @Test
    void metricsSettings() throws Exception {
        Config c = load("[pgqadm]", "db = dbname=x", "metrics_port = 9187", "metrics_period = 5");
        assertEquals(9187, c.metricsPort());
        assertEquals(Duration.ofSeconds(5), c.metricsPeriod());
        assertTrue(error("[pgqadm]", "db = dbname=x", "metrics_port = 70000").endsWith(
                "metrics_port: 70000 is not a TCP port (1-65535; empty or 0: no endpoint)"));
        assertTrue(error("[pgqadm]", "db = dbname=x", "metrics_port = http").endsWith("metrics_port: not a whole number: 'http'"));
        assertTrue(error("[pgqadm]", "db = dbname=x", "metrics_period = 0").contains("metrics_period: must be more than zero"));
        Config open = load("[pgqadm]", "db = dbname=x", "metrics_port = 9187", "metrics_host = 0.0.0.0");
        assertEquals(1, open.warnings().size());
        assertTrue(open.warnings().get(0).contains("metrics_host: 0.0.0.0 is not a loopback address"), open.warnings().toString());
    }

    @Test
    void everyKeyOfTheSampleIsKnownAndTheSampleLoads() throws Exception {
        Path sample = Path.of("conf/pgqadm.ini.sample");
        String text = Files.readString(sample).replace("\ndb =\n", "\ndb = dbname=x\n");
        for (String key : Config.KEYS.keySet()) {
            assertTrue(text.contains("\n#" + key + " =") || text.contains("\n" + key + " ="), "sample lacks " + key);
        }
        Files.writeString(dir.resolve("s.ini"), text);
        Config c = Config.load(dir.resolve("s.ini"), Map.of(), "u", "h");
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void valuesAndTilde() throws Exception {
        Config c = load("[pgqadm]", "job_name = tick_%(host_name)s", "db = dbname=x", "loop_delay = 0.1", "maint_delay_min = 2",
                "logfile = ~/log/%(job_name)s.log", "pidfile = /run/%(job_name)s.pid", "log_count = 0", "ticker_log_delay = 0",
                "database_list = a, b c,a");
        assertEquals("tick_h1", c.jobName());
        assertEquals(Duration.ofMillis(100), c.loopDelay());
        assertEquals(Duration.ofMinutes(2), c.maintDelay());
        assertEquals(Path.of(System.getProperty("user.home"), "log", "tick_h1.log"), c.logfile());
        assertEquals(Path.of("/run/tick_h1.pid"), c.pidfile());
        assertEquals(0, c.logCount());
        assertEquals(Duration.ZERO, c.tickerLogDelay());
        assertEquals(new Config.Databases(Config.Databases.Mode.LIST, List.of("a", "b", "c")), c.databases());
        assertEquals(Config.Databases.Mode.ALL, load("[pgqadm]", "db = dbname=x", "database_list = *").databases().mode());
    }

    @Test
    void maintDelayWinsOverMaintDelayMin() throws Exception {
        assertEquals(Duration.ofSeconds(30), load("[pgqadm]", "db = dbname=x", "maint_delay = 30", "maint_delay_min = 5").maintDelay());
    }

    @Test
    void missingOrEmptyDbNamesTheKey() {
        assertTrue(error("[pgqadm]", "loop_delay = 1").contains("db: missing"));
        assertTrue(error("[pgqadm]", "db =").contains("db: empty"));
        assertTrue(error("[pgqadm]", "db = dbname").contains("db: missing \"=\" after \"dbname\""));
        assertTrue(error("[other]", "db = dbname=x").contains("no [pgqadm] section"));
    }

    @Test
    void badNumbersNameTheKey() {
        assertTrue(error("[pgqadm]", "db = dbname=x", "loop_delay = fast").contains("loop_delay: not a number: 'fast'"));
        assertTrue(error("[pgqadm]", "db = dbname=x", "loop_delay = 0").contains("loop_delay: must be more than zero"));
        assertTrue(error("[pgqadm]", "db = dbname=x", "maint_delay = -5").contains("maint_delay: must be more than zero"));
        assertTrue(error("[pgqadm]", "db = dbname=x", "log_size = 1.5").contains("log_size: not a whole number"));
        assertTrue(error("[pgqadm]", "db = dbname=x", "log_count = -1").contains("log_count: must be 0 or more"));
        assertTrue(error("[pgqadm]", "db = dbname=x", "use_skylog = maybe").contains("use_skylog: not a boolean"));
        assertTrue(error("[pgqadm]", "db = dbname=x", "database_list = a *").contains("database_list: '*'"));
    }

    @Test
    void skylogIsRefusedClearly() {
        assertTrue(error("[pgqadm]", "db = dbname=x", "use_skylog = 1").contains("use_skylog: skylog.ini logging is not supported"));
    }

    @Test
    void unknownKeysAndUnwiseValuesAreWarnings() throws Exception {
        Config c = load("[pgqadm]", "db = dbname=x", "loop_dealy = 1", "loop_delay = 10", "log_count = 50");
        assertEquals(3, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).contains(":3: unknown key loop_dealy ignored"), c.warnings().get(0));
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("log_count: 50 rotated files asked for, 20 kept")));
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("loop_delay: 10 s is more than")));
        assertEquals(20, c.logCount());
    }
}
