package org.pgqjava.pljvm;

/**
 * An argument of the running pljvm call, not converted to Java: declare a parameter of this type
 * (for any SQL type) and hand it to SQL as a parameter of a prepared statement
 * ({@link Spi#prepare} with the argument's own type, then {@link Plan#execute} and friends), where
 * it arrives as the very Datum the function was called with. ({@link Spi#execute} infers types
 * from Java values and refuses a SqlArg.) For bulk input that Java only passes on (a {@code text[]} of payloads into an INSERT),
 * that saves converting every element to a Java object and back.
 *
 * <p>A SQL NULL argument is Java {@code null}, as for other object parameters. A SqlArg is valid
 * until its call returns; using it later, or as a parameter of another SQL type, is an SQL error.
 * For arrays it tells the shape, read from the array header without touching the elements.
 */
public final class SqlArg {
    // read by the C host: the serial of the call it belongs to and the argument's index
    private final long call;
    private final int index;
    private final int dimensions;
    private final int length;

    SqlArg(long call, int index, int dimensions, int length) {
        this.call = call;
        this.index = index;
        this.dimensions = dimensions;
        this.length = length;
    }

    /** For an array: its number of dimensions (0 for an empty array); -1 if not an array. */
    public int dimensions() {
        return dimensions;
    }

    /** For an array: its number of elements, over all dimensions; -1 if not an array. */
    public int length() {
        return length;
    }

    @Override
    public String toString() {
        return "SqlArg[argument " + (index + 1) + (dimensions >= 0 ? ", " + dimensions + "-D array of "
                + length : "") + "]";
    }
}
