package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.List;

import org.junit.jupiter.api.Test;

class StatusTest {

    private static BigDecimal s(String v) {
        return new BigDecimal(v);
    }

    /** The example of reference §4.4, which pgqadm printed against PgQ 3.5 SQL. */
    @Test
    void layoutIsPgqadms() {
        Status.Report r = new Status.Report("db", "15.20 (Debian 15.20-0+deb12u1)", null,
                List.of(new Status.Queue("orders", 3, s("7200.000000"), 500, s("3.000000"), s("60.000000"), s("2.1"), false, false, 1.5, 0L, 7L, 0, s("1765000000.5"), 0L),
                        new Status.Queue("q", 3, s("7200"), 500, s("3"), s("60"), s("51.6"), false, false, null, 0L, 2L, 1, s("1765000000"), 3L)),
                List.of(new Status.Consumer("orders", "billing", s("2.4"), s("1.5"), 6L, null, null, 0L),
                        new Status.Consumer("orders", "mailer", s("2"), s("2"), 6L, null, null, 0L),
                        new Status.Consumer("q", "c", s("58"), s("52.0"), 1L, null, null, 3L)));
        String expected = String.join("\n",
                "Postgres version: 15.20 (Debian 15.20-0+deb12u1)   PgQ version: None",
                "",
                "Event queue                                    Rotation        Ticker   TLag",
                "------------------------------------------------------------------------------",
                "orders                                          3/7200s    500/3s/60s     2s",
                "q                                               3/7200s    500/3s/60s    52s",
                "------------------------------------------------------------------------------",
                "",
                "Consumer                                                       Lag  LastSeen",
                "------------------------------------------------------------------------------",
                "orders:",
                "  billing                                                       2s        2s",
                "  mailer                                                        2s        2s",
                "q:",
                "  c                                                            58s       52s",
                "------------------------------------------------------------------------------",
                "");
        assertEquals(expected, Status.text(r));
    }

    @Test
    void secondsRoundLikeToChar() {
        assertEquals("NULL", Status.secs(null));
        assertEquals("0s", Status.secs(s("0.499999")));
        assertEquals("1s", Status.secs(s("0.5")));
        assertEquals("-1s", Status.secs(s("-0.5")));
        assertEquals("9999999s", Status.secs(s("9999999.4")));
        assertEquals("#######s", Status.secs(s("10000000")));
    }

    @Test
    void jsonHasTheSameFacts() {
        Status.Report r = new Status.Report("db", "15", "3.5.2",
                List.of(new Status.Queue("q\"1", 3, s("7200.000000"), 500, s("3.000000"), s("60"), null, true, false, null, 4L, 9L, 2, s("1765000000.25"), 5L)),
                List.of());
        String json = Json.write(Status.json(r));
        String expected = String.join("\n",
                "{",
                "  \"database\": \"db\",",
                "  \"postgres_version\": \"15\",",
                "  \"pgq_version\": \"3.5.2\",",
                "  \"queues\": [",
                "    {",
                "      \"queue_name\": \"q\\\"1\",",
                "      \"queue_ntables\": 3,",
                "      \"queue_rotation_period\": 7200.000000,",
                "      \"queue_ticker_max_count\": 500,",
                "      \"queue_ticker_max_lag\": 3.000000,",
                "      \"queue_ticker_idle_period\": 60,",
                "      \"queue_ticker_paused\": true,",
                "      \"queue_external_ticker\": false,",
                "      \"ticker_lag\": null,",
                "      \"ev_per_sec\": null,",
                "      \"ev_new\": 4,",
                "      \"last_tick_id\": 9,",
                "      \"queue_cur_table\": 2,",
                "      \"queue_switch_time\": 1765000000.25,",
                "      \"retry_events\": 5",
                "    }",
                "  ],",
                "  \"consumers\": []",
                "}",
                "");
        assertEquals(expected, json);
    }
}
