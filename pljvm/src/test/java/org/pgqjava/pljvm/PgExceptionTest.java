package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PgExceptionTest {
    @Test
    void takesFiveDigitsOrCapitalLetters() {
        assertEquals("22023", new PgException("22023", "m").getSqlState());
        assertEquals("P0001", new PgException("P0001", "m").getSqlState());
        assertEquals("3B000", new PgException("3B000", "m", "d", "h").getSqlState());
    }

    @Test
    void refusesAnythingElseAsSqlState() {
        for (String bad : new String[] {null, "", "2202", "220233", "2202e", "22-23", "2202 ", "ＡＢＣＤＥ"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PgException(bad, "m"),
                    () -> "accepted " + bad);
            assertEquals("SQLSTATE must be 5 characters [0-9A-Z], not " + bad, e.getMessage());
        }
    }
}
