package org.pgqjava.launcher;

import java.math.BigDecimal;
import java.time.Duration;

/** Durations as people write them in the config file and read them in the log: seconds. */
final class Durations {

    private Durations() {
    }

    /** {@code 1.5} for 1500 ms, {@code 300} for five minutes: no trailing zeros. */
    static String seconds(Duration d) {
        BigDecimal s = BigDecimal.valueOf(d.toNanos()).movePointLeft(9).stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0).toPlainString() : s.toPlainString();
    }
}
