package org.pgqjava.pljvm;

/**
 * The rows of one query, as the result of a SETOF function: return {@code Spi.rows(sql, args)}
 * and pljvm runs the query and streams its rows (through a cursor, in chunks) straight into the
 * function's result, without turning them into Java objects. The query's columns must have the
 * types of the function's result columns, in order.
 */
public final class SqlRows {
    // read by the C host
    private final String sql;
    private final String[] types;
    private final Object[] args;

    SqlRows(String sql, String[] types, Object[] args) {
        this.sql = sql;
        this.types = types;
        this.args = args;
    }

    public String sql() {
        return sql;
    }

    @Override
    public String toString() {
        return "SqlRows[" + sql + "]";
    }
}
