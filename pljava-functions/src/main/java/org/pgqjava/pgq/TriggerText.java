package org.pgqjava.pgq;

/**
 * The three encodings of PgQ's table triggers, byte for byte as PgQ's C triggers write them:
 * url-encoding (logutriga), SQL literals (sqltriga; its identifiers are
 * {@link Pgq#quoteIdentIfNeeded}), JSON strings (jsontriga), and PgQ's comma-separated name lists
 * ({@code ignore=}, {@code pkey=}). Pure functions, no backend: unit-tested in TriggerTextTest.
 */
final class TriggerText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private TriggerText() {
    }

    /**
     * Url-encoding of the UTF-8 bytes of {@code s}: {@code [A-Za-z0-9_.-]} kept, space as
     * {@code +}, every other byte {@code %xx} in lower-case hex.
     */
    static void urlencode(StringBuilder out, String s) {
        urlencode(out, s, 0, s.length());
    }

    /** {@link #urlencode(StringBuilder, String)} of {@code s[from, n)}. */
    static void urlencode(StringBuilder out, String s, int from, int n) {
        int run = from;   // start of the run of kept characters not yet appended
        for (int i = from; i < n; i++) {
            char c = s.charAt(i);
            if (c < 128 && KEPT[c]) {
                continue;
            }
            if (run < i) {
                out.append(s, run, i);
            }
            if (c == ' ') {
                out.append('+');
            } else if (c < 0x80) {
                hex(out, c);
            } else if (c < 0x800) {
                hex(out, 0xc0 | (c >> 6));
                hex(out, 0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                hex(out, 0xf0 | (cp >> 18));
                hex(out, 0x80 | ((cp >> 12) & 0x3f));
                hex(out, 0x80 | ((cp >> 6) & 0x3f));
                hex(out, 0x80 | (cp & 0x3f));
            } else {
                // three bytes: the rest of the BMP (and a lone surrogate, which no server text has)
                hex(out, 0xe0 | (c >> 12));
                hex(out, 0x80 | ((c >> 6) & 0x3f));
                hex(out, 0x80 | (c & 0x3f));
            }
            run = i + 1;   // after a surrogate pair, i is at its second half
        }
        if (run < n) {
            out.append(s, run, n);
        }
    }

    /** The ASCII characters url-encoding keeps: [A-Za-z0-9_.-]. */
    private static final boolean[] KEPT = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            KEPT[c] = true;
            KEPT[c - 'a' + 'A'] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            KEPT[c] = true;
        }
        KEPT['_'] = true;
        KEPT['.'] = true;
        KEPT['-'] = true;
    }

    private static void hex(StringBuilder out, int b) {
        out.append('%').append(HEX[(b >> 4) & 15]).append(HEX[b & 15]);
    }

    /**
     * quote_literal of {@code s[from, n)}: in single quotes, quotes doubled; with an {@code E}
     * prefix and backslashes doubled when there is a backslash.
     */
    static void quoteLiteral(StringBuilder out, String s, int from, int n) {
        boolean backslash = false;
        boolean quote = false;
        for (int i = from; i < n; i++) {
            char c = s.charAt(i);
            backslash |= c == '\\';
            quote |= c == '\'';
        }
        if (!backslash && !quote) {
            out.append('\'').append(s, from, n).append('\'');
            return;
        }
        if (backslash) {
            out.append('E');
        }
        out.append('\'');
        for (int i = from; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '\\') {
                out.append(c);
            }
            out.append(c);
        }
        out.append('\'');
    }

    /**
     * A JSON string: {@code "}, {@code \}, backspace, form feed, newline, carriage return and tab
     * as their two-character escapes, other control characters as a backslash, u and four hex digits.
     */
    static void jsonString(StringBuilder out, String s) {
        jsonString(out, s, 0, s.length());
    }

    /** {@link #jsonString(StringBuilder, String)} of {@code s[from, n)}. */
    static void jsonString(StringBuilder out, String s, int from, int n) {
        out.append('"');
        int run = from;   // start of the run of plain characters not yet appended
        for (int i = from; i < n; i++) {
            char c = s.charAt(i);
            if (c >= ' ' && c != '"' && c != '\\') {
                continue;
            }
            if (run < i) {
                out.append(s, run, i);
            }
            run = i + 1;
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 15]);
            }
        }
        if (run < n) {
            out.append(s, run, n);
        }
        out.append('"');
    }

    /**
     * Whether {@code name} is an item of a PgQ name list ({@code ignore=a,b}, {@code pkey=a, b}):
     * an occurrence bounded on each side by the list's start or end, a comma or white space.
     * Items are not trimmed or unquoted: a name with a space or comma in it cannot be listed.
     */
    static boolean listContains(String list, String name) {
        int len = name.length();
        int from = 0;
        while (true) {
            int p = list.indexOf(name, from);
            if (p < 0) {
                return false;
            }
            from = p + Math.max(len, 1);
            boolean before = p == 0 || isSeparator(list.charAt(p - 1));
            boolean after = p + len == list.length() || isSeparator(list.charAt(p + len));
            if (before && after) {
                return true;
            }
        }
    }

    /** A comma or what C's isspace calls white space. */
    private static boolean isSeparator(char c) {
        return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }

    /**
     * A composite value's text input for its column texts (nulls for NULL): every non-NULL field
     * in double quotes with {@code "} and {@code \} escaped, NULL as nothing.
     */
    static String recordText(String[] fields) {
        StringBuilder out = new StringBuilder(16 * fields.length + 2).append('(');
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            String f = fields[i];
            if (f != null) {
                out.append('"');
                for (int j = 0; j < f.length(); j++) {
                    char c = f.charAt(j);
                    if (c == '"' || c == '\\') {
                        out.append('\\');
                    }
                    out.append(c);
                }
                out.append('"');
            }
        }
        return out.append(')').toString();
    }
}
