package org.pgqjava.launcher;

import java.sql.Connection;
import java.sql.SQLException;

/** Whether a database has a pgq a ticker can serve: pgqd's test, in the same words. */
final class PgqCheck {

    /** The database has no pgq, or one too old; the message says which. */
    static final class NoPgqException extends Exception {
        private static final long serialVersionUID = 1L;

        NoPgqException(String message) {
            super(message);
        }
    }

    private PgqCheck() {
    }

    /**
     * Schema pgq must exist and {@code pgq.version()} begin with '3' or later (pgq-java says
     * 3.5.2; PgQ 2.x and a NULL version are refused, as pgqd refuses them).
     *
     * @return the version
     */
    static String check(Connection c) throws SQLException, NoPgqException {
        if (Sql.queryString(c, "select 1 from pg_catalog.pg_namespace where nspname = 'pgq'") == null) {
            throw new NoPgqException("no pgq installed (no schema pgq; run pgqadm CONFIG.ini install)");
        }
        String v;
        try {
            v = Sql.queryString(c, "select pgq.version()");
        } catch (SQLException e) {
            if (!"42883".equals(e.getSQLState())) { // undefined_function
                throw e;
            }
            throw new NoPgqException("bad pgq version, ignoring: schema pgq has no function version()");
        }
        if (v == null || v.isEmpty() || v.charAt(0) < '3') {
            throw new NoPgqException("bad pgq version, ignoring: " + v);
        }
        return v;
    }
}
