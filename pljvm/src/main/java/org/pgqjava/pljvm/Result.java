package org.pgqjava.pljvm;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** The outcome of one SQL statement: rows (for statements that return rows) and the row count. */
public final class Result extends AbstractList<Row> {
    private final long processed;
    private final String[] columns;
    private final Object[][] rows;

    /** Built by the native side. */
    Result(long processed, String[] columns, Object[][] rows) {
        this.processed = processed;
        this.columns = columns == null ? new String[0] : columns;
        this.rows = rows == null ? new Object[0][] : rows;
    }

    /** Rows returned, or rows inserted, updated or deleted (SPI_processed). */
    public long processed() {
        return processed;
    }

    /** Column names, in order (empty for statements that return no rows). */
    public List<String> columns() {
        // unmodifiable: the array is shared by every result of the same plan
        return Collections.unmodifiableList(Arrays.asList(columns));
    }

    @Override
    public Row get(int index) {
        return new Row(columns, rows[index]);
    }

    @Override
    public int size() {
        return rows.length;
    }

    /** The only row, or null when there is none; more than one row is an error. */
    public Row one() {
        if (rows.length > 1) {
            throw new IllegalStateException("expected at most one row, got " + rows.length);
        }
        return rows.length == 0 ? null : get(0);
    }

    /** Column 1 of the only row, or null when there is no row. */
    public Object scalar() {
        Row r = one();
        return r == null ? null : r.get(0);
    }
}
