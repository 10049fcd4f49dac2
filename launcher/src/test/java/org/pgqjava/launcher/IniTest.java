package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class IniTest {

    private static final Path FILE = Path.of("t.ini");
    private static final Map<String, String> BUILTINS = Map.of("job_name", "pgqadm", "service_name", "pgqadm", "host_name", "h1");

    private static Ini ini(String... lines) throws ConfigException {
        return Ini.parse(FILE, List.of(lines));
    }

    private static String get(Ini ini, String key) throws ConfigException {
        return ini.get("pgqadm", key, BUILTINS).orElseThrow();
    }

    @Test
    void keysValuesCommentsAndBothSeparators() throws ConfigException {
        Ini i = ini("# comment", "; comment too", "", "[pgqadm]", "Loop_Delay = 0.5", "db: dbname=x host=/tmp",
                "logfile = /tmp/a.log ; inline comment", "empty =");
        assertEquals("0.5", get(i, "loop_delay"));
        assertEquals("dbname=x host=/tmp", get(i, "db"));
        assertEquals("/tmp/a.log", get(i, "logfile"));
        assertEquals("", get(i, "empty"));
        assertEquals(Optional.empty(), i.get("pgqadm", "missing", BUILTINS));
        assertEquals(List.of("loop_delay", "db", "logfile", "empty"), i.entries("pgqadm").stream().map(Ini.Entry::key).toList());
    }

    @Test
    void continuationLinesJoinWithNewline() throws ConfigException {
        Ini i = ini("[pgqadm]", "db = dbname=x", "   host=/tmp", "loop_delay = 1");
        assertEquals("dbname=x\nhost=/tmp", get(i, "db"));
    }

    @Test
    void interpolatesKeysDefaultsAndBuiltins() throws ConfigException {
        Ini i = ini("[DEFAULT]", "base = /var/log", "[pgqadm]", "job_name = pgqadm_%(dbname)s", "dbname = sales",
                "logfile = %(base)s/%(job_name)s.log", "pidfile = ~/%(service_name)s-%(host_name)s.pid", "pct = 50%%");
        assertEquals("/var/log/pgqadm_sales.log", get(i, "logfile"));
        assertEquals("~/pgqadm-h1.pid", get(i, "pidfile"));
        assertEquals("50%", get(i, "pct"));
    }

    @Test
    void builtinJobNameWhenTheFileHasNone() throws ConfigException {
        assertEquals("pgqadm.log", get(ini("[pgqadm]", "logfile = %(job_name)s.log"), "logfile"));
    }

    @Test
    void errorsNameFileLineAndKey() {
        ConfigException unknownRef = assertThrows(ConfigException.class,
                () -> get(ini("[pgqadm]", "logfile = %(nope)s.log"), "logfile"));
        assertTrue(unknownRef.getMessage().startsWith("t.ini:2: logfile: refers to %(nope)s"), unknownRef.getMessage());
        ConfigException lone = assertThrows(ConfigException.class, () -> get(ini("[pgqadm]", "x = 5% off"), "x"));
        assertTrue(lone.getMessage().contains("a lone '%'"), lone.getMessage());
        ConfigException cycle = assertThrows(ConfigException.class, () -> get(ini("[pgqadm]", "a = %(b)s", "b = %(a)s"), "a"));
        assertTrue(cycle.getMessage().contains("a cycle?"), cycle.getMessage());
        ConfigException noSection = assertThrows(ConfigException.class, () -> ini("db = x"));
        assertTrue(noSection.getMessage().startsWith("t.ini:1: key outside a section"), noSection.getMessage());
        ConfigException garbage = assertThrows(ConfigException.class, () -> ini("[pgqadm]", "just words"));
        assertTrue(garbage.getMessage().startsWith("t.ini:2: not a [section] or key = value line"), garbage.getMessage());
    }
}
