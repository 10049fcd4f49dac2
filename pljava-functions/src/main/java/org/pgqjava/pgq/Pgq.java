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
     * {@code public} if none), each part quoted only when it is not a plain lower-case identifier.
     */
    static String quoteFqname(String name) {
        int dot = name.indexOf('.');
        String schema = dot < 0 ? "public" : name.substring(0, dot);
        String rel = dot < 0 ? name : name.substring(dot + 1);
        return quoteIfNeeded(schema) + "." + quoteIfNeeded(rel);
    }

    private static String quoteIfNeeded(String ident) {
        return ident.matches("[a-z_][a-z0-9_]*") ? ident : quoteIdent(ident);
    }
}
