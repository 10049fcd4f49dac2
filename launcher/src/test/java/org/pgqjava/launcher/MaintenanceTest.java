package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class MaintenanceTest {

    @Test
    void statementsQuoteEveryNamePart() {
        assertEquals("select \"pgq\".\"maint_rotate_tables_step1\"(?)", Maintenance.sql(new Maintenance.Op("pgq.maint_rotate_tables_step1", "q")));
        assertEquals("select \"pgq\".\"maint_rotate_tables_step2\"()", Maintenance.sql(new Maintenance.Op("pgq.maint_rotate_tables_step2", null)));
        assertEquals("VACUUM \"pgq\".\"tick\"", Maintenance.sql(new Maintenance.Op("vacuum", "pgq.tick")));
        assertEquals("VACUUM ANALYZE \"pgq\".\"retry_queue\"", Maintenance.sql(new Maintenance.Op("vacuum analyze", "pgq.retry_queue")));
        // a name from pgq.queue.queue_extra_maint cannot break out of the identifier
        assertEquals("select \"public\".\"f\"\"(); drop table x; --\"(?)", Maintenance.sql(new Maintenance.Op("f\"(); drop table x; --", "q")));
        assertEquals("select \"My Schema\".\"Fn.x\"()", Maintenance.sql(new Maintenance.Op("My Schema.Fn.x", null)));
    }

    @Test
    void configTextIsPgqadms() {
        assertEquals("q1\n    ticker_max_lag\t=3.000000\n    ticker_max_count\t=    500\n"
                        + "    ticker_idle_period\t=60.000000\n    rotation_period\t=7200.000000\n",
                Admin.configText("q1", List.of("3.000000", "500", "60.000000", "7200.000000")));
    }

    @Test
    void durationsPrintAsSeconds() {
        assertEquals("1.5", Durations.seconds(java.time.Duration.ofMillis(1500)));
        assertEquals("300", Durations.seconds(java.time.Duration.ofMinutes(5)));
        assertEquals("0.1", Durations.seconds(java.time.Duration.ofMillis(100)));
    }
}
