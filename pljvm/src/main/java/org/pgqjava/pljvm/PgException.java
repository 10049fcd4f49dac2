package org.pgqjava.pljvm;

/**
 * A PostgreSQL error seen from Java, or raised by Java.
 *
 * <p>Thrown by pljvm when SQL run through {@link Spi} fails: it then carries the server error's
 * SQLSTATE, message, detail and hint, and the call is poisoned (see {@link Spi}). Thrown by Java
 * code to end the call with an ERROR of a chosen SQLSTATE: message, detail and hint reach the
 * client unchanged, without a Java stack trace.
 */
public class PgException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String sqlState;
    private final String detail;
    private final String hint;

    /** An error with SQLSTATE {@code sqlState} (five characters, e.g. {@code "22023"}). */
    public PgException(String sqlState, String message) {
        this(sqlState, message, null, null);
    }

    public PgException(String sqlState, String message, String detail, String hint) {
        super(message);
        if (!isSqlState(sqlState)) {
            throw new IllegalArgumentException("SQLSTATE must be 5 characters [0-9A-Z], not " + sqlState);
        }
        this.sqlState = sqlState;
        this.detail = detail;
        this.hint = hint;
    }

    /** Five characters [0-9A-Z] (no regular expression: it would be compiled at every error). */
    private static boolean isSqlState(String s) {
        if (s == null || s.length() != 5) {
            return false;
        }
        for (int i = 0; i < 5; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z')) {
                return false;
            }
        }
        return true;
    }

    public String getSqlState() {
        return sqlState;
    }

    /** The DETAIL line, or null. */
    public String getDetail() {
        return detail;
    }

    /** The HINT line, or null. */
    public String getHint() {
        return hint;
    }
}
