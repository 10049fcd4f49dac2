package org.pgqjava.pgq;

import org.pgqjava.pljvm.PgException;
import org.pgqjava.pljvm.SqlArg;

/** The argument rules of pgq.insert_events, checked before anything is read or written. */
final class BulkArgs {
    /** null_value_not_allowed */
    static final String NULL_VALUE = "22004";
    /** invalid_parameter_value */
    static final String INVALID_PARAMETER = "22023";
    /** array_subscript_error */
    static final String ARRAY_SUBSCRIPT = "2202E";

    private static final String[] EXTRA_NAMES = {"ev_extra1", "ev_extra2", "ev_extra3", "ev_extra4"};

    private BulkArgs() {
    }

    /**
     * The number of events: the length of ev_data, which ev_type must share; each extra array is
     * NULL (no extras) or of the same length. Elements may be NULL, as insert_event's arguments may.
     */
    static int count(SqlArg evType, SqlArg evData, SqlArg... extras) {
        if (evType == null || evData == null) {
            throw new PgException(NULL_VALUE, "pgq.insert_events: " + (evType == null ? "ev_type" : "ev_data")
                    + " must not be NULL", null,
                    "Pass an array with one element per event (an empty array for no events).");
        }
        flat("ev_type", evType);
        flat("ev_data", evData);
        for (int i = 0; i < extras.length; i++) {
            flat(EXTRA_NAMES[i], extras[i]);
        }
        int n = evData.length();
        check("ev_type", evType, n);
        for (int i = 0; i < extras.length; i++) {
            check(EXTRA_NAMES[i], extras[i], n);
        }
        return n;
    }

    /** One dimension (or none: empty), as the unnest in step of the INSERT needs. */
    private static void flat(String name, SqlArg values) {
        if (values != null && values.dimensions() > 1) {
            throw new PgException(ARRAY_SUBSCRIPT, "pgq.insert_events: " + name + " has " + values.dimensions()
                    + " dimensions", null, "Pass one-dimensional arrays, one element per event.");
        }
    }

    private static void check(String name, SqlArg values, int n) {
        if (values != null && values.length() != n) {
            throw new PgException(INVALID_PARAMETER, "pgq.insert_events: " + name + " has " + values.length()
                    + " elements, ev_data has " + n, null,
                    "Pass ev_type, ev_data and each extra array that is not NULL with one element per event.");
        }
    }
}
