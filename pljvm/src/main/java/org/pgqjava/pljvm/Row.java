package org.pgqjava.pljvm;

import java.time.OffsetDateTime;

/**
 * One result row. Values are boxed Java values by column type (see the type table in
 * docs/pljvm.md); columns of other types come as their text form. SQL NULL is null.
 */
public final class Row {
    private final String[] columns;
    private final Object[] values;

    Row(String[] columns, Object[] values) {
        this.columns = columns;
        this.values = values;
    }

    public int size() {
        return values.length;
    }

    /** Value of column {@code index} (0-based). */
    public Object get(int index) {
        return values[index];
    }

    /** Value of the column named {@code name}. */
    public Object get(String name) {
        // a saved plan's column names are interned (pljvm's result_columns), as literals are:
        // identity first, which costs little even where this code runs interpreted
        for (int i = 0; i < columns.length; i++) {
            if (columns[i] == name) {
                return values[i];
            }
        }
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].equals(name)) {
                return values[i];
            }
        }
        throw new IllegalArgumentException("no column " + name + " in " + String.join(", ", columns));
    }

    public Long getLong(int index) {
        Object v = values[index];
        return v == null ? null : ((Number) v).longValue();
    }

    public Long getLong(String name) {
        Object v = get(name);
        return v == null ? null : ((Number) v).longValue();
    }

    public Integer getInt(int index) {
        Object v = values[index];
        return v == null ? null : Math.toIntExact(((Number) v).longValue());
    }

    public Integer getInt(String name) {
        Object v = get(name);
        return v == null ? null : Math.toIntExact(((Number) v).longValue());
    }

    public Double getDouble(int index) {
        Object v = values[index];
        return v == null ? null : ((Number) v).doubleValue();
    }

    public Double getDouble(String name) {
        Object v = get(name);
        return v == null ? null : ((Number) v).doubleValue();
    }

    public Boolean getBoolean(int index) {
        return (Boolean) values[index];
    }

    public Boolean getBoolean(String name) {
        return (Boolean) get(name);
    }

    /** Text columns as they are; any other value by {@code toString()}. */
    public String getString(int index) {
        Object v = values[index];
        return v == null ? null : v.toString();
    }

    public String getString(String name) {
        Object v = get(name);
        return v == null ? null : v.toString();
    }

    public byte[] getBytes(int index) {
        return (byte[]) values[index];
    }

    public OffsetDateTime getTimestamp(int index) {
        return (OffsetDateTime) values[index];
    }

    public OffsetDateTime getTimestamp(String name) {
        return (OffsetDateTime) get(name);
    }

    /** A copy of all values, in column order (the form a composite-returning function returns). */
    public Object[] toArray() {
        return values.clone();
    }
}
