package org.pgqjava.pgq;

import org.pgqjava.pljvm.PgException;

/** What every PgQ function shares: PgQ's error form, quoting, and PL/pgSQL's way of printing values. */
final class Pgq {
    /** SQLSTATE of PL/pgSQL's RAISE EXCEPTION, which PgQ uses for all its errors. */
    static final String RAISE_EXCEPTION = "P0001";

    private Pgq() {
    }

    /** PgQ's error: the exact text clients and scripts match on, SQLSTATE P0001. */
    static PgException error(String message) {
        return new PgException(RAISE_EXCEPTION, message);
    }

    /** An error PgQ's C code raises with elog(ERROR): SQLSTATE XX000, its exact text. */
    static PgException internalError(String message) {
        return new PgException("XX000", message);
    }

    /** A value as PL/pgSQL's RAISE prints it: NULL becomes {@code <NULL>}. */
    static String fmt(Object value) {
        return value == null ? "<NULL>" : value.toString();
    }

    /** Always-quoted identifier: safe for any name (cursor names come from users). */
    static String quoteIdent(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * {@code schema.name} as pgq.quote_fqname prints it: split at the first dot (schema
     * {@code public} if none), each part quoted only when it is not a plain lower-case identifier or is a keyword
     * quote_ident quotes ({@code user}, {@code select}).
     */
    static String quoteFqname(String name) {
        int dot = name.indexOf('.');
        String schema = dot < 0 ? "public" : name.substring(0, dot);
        String rel = dot < 0 ? name : name.substring(dot + 1);
        return quoteIdentIfNeeded(schema) + "." + quoteIdentIfNeeded(rel);
    }

    /** quote_ident: quoted only when not a plain lower-case identifier, or a keyword it quotes. */
    static String quoteIdentIfNeeded(String ident) {
        return isPlainIdent(ident) && !Keywords.needsQuotes(ident) ? ident : quoteIdent(ident);
    }

    /** [a-z_][a-z0-9_]*, without a regex: this runs on every insert. */
    private static boolean isPlainIdent(String ident) {
        if (ident.isEmpty()) {
            return false;
        }
        for (int i = 0; i < ident.length(); i++) {
            char ch = ident.charAt(i);
            boolean ok = (ch >= 'a' && ch <= 'z') || ch == '_' || (i > 0 && ch >= '0' && ch <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
