package org.pgqjava.client;

/**
 * The four free text fields of an event ({@code ev_extra1..4}), each may be null. PgQ's table
 * triggers put the table name into {@code extra1}; applications use them for routing keys and
 * the like, which consumers can read without decoding the payload.
 */
public record Extras(String extra1, String extra2, String extra3, String extra4) {

    /** No extras: all four null. */
    public static final Extras NONE = new Extras(null, null, null, null);

    /** Only {@code extra1} set. */
    public static Extras of(String extra1) {
        return new Extras(extra1, null, null, null);
    }

    public Extras withExtra1(String value) {
        return new Extras(value, extra2, extra3, extra4);
    }

    public Extras withExtra2(String value) {
        return new Extras(extra1, value, extra3, extra4);
    }

    public Extras withExtra3(String value) {
        return new Extras(extra1, extra2, value, extra4);
    }

    public Extras withExtra4(String value) {
        return new Extras(extra1, extra2, extra3, value);
    }

    /** All four null. */
    public boolean isEmpty() {
        return extra1 == null && extra2 == null && extra3 == null && extra4 == null;
    }
}
