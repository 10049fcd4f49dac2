package org.pgqjava.pljvm.internal;

import org.pgqjava.pljvm.PgException;

/** Turns an uncaught Throwable into the fields of a PostgreSQL ERROR, for the C host. */
public final class Errors {
    /** Frames of each Java stack shown in DETAIL; a StackOverflowError has thousands. */
    static final int MAX_FRAMES = 30;

    private Errors() {
    }

    /**
     * @return {SQLSTATE, message, detail or null, hint or null}: a PgException's own fields;
     *         for anything else 38000, Throwable.toString() and the Java stack (with causes)
     */
    public static String[] describe(Throwable t) {
        if (t instanceof PgException) {
            PgException e = (PgException) t;
            String message = e.getMessage() == null ? "" : e.getMessage();
            return new String[] {e.getSqlState(), message, e.getDetail(), e.getHint()};
        }
        return new String[] {"38000", String.valueOf(t), stack(t), null};
    }

    static String stack(Throwable t) {
        StringBuilder b = new StringBuilder("Java stack:");
        Throwable cur = t;
        for (int depth = 0; cur != null && depth < 5; depth++, cur = cur.getCause()) {
            if (cur != t) {
                b.append("\nCaused by: ").append(cur);
            }
            StackTraceElement[] frames = cur.getStackTrace();
            int n = Math.min(frames.length, MAX_FRAMES);
            for (int i = 0; i < n; i++) {
                b.append("\n\tat ").append(frames[i]);
            }
            if (frames.length > n) {
                b.append("\n\t... ").append(frames.length - n).append(" more");
            }
        }
        return b.toString();
    }
}
