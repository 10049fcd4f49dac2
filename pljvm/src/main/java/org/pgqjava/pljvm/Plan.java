package org.pgqjava.pljvm;

import org.pgqjava.pljvm.internal.Natives;

/**
 * A prepared statement kept for the life of the backend (SPI_keepplan). Get one from
 * {@link Spi#prepare}; it stays valid across transactions.
 */
public final class Plan {
    private int handle;
    private final String sql;
    private final int argCount;

    Plan(int handle, String sql, int argCount) {
        this.handle = handle;
        this.sql = sql;
        this.argCount = argCount;
    }

    /** Executes the plan with the given parameter values (see {@link Spi#execute} for types). */
    public Result execute(Object... args) {
        check(args);
        return Natives.executePlan(handle, args);
    }

    /**
     * Executes the plan for its row count only (rows inserted, updated, deleted or returned):
     * for DML, cheaper than {@link #execute} as no Java objects are built for the result.
     */
    public long executeCount(Object... args) {
        check(args);
        return Natives.executePlanCount(handle, args);
    }

    /**
     * Executes the plan and returns the integer (int2, int4 or int8) in the first column of the
     * first row, without building Java objects for the result: for {@code INSERT ... RETURNING id}
     * and counts. No row, or NULL, is an SQL error (SQLSTATE P0002) that poisons the call as
     * every SQL error does: use it only where a value always comes back.
     */
    public long executeLong(Object... args) {
        check(args);
        return Natives.executePlanLong(handle, args);
    }

    private void check(Object[] args) {
        if (handle == 0) {
            throw new IllegalStateException("plan was freed: " + sql);
        }
        if (args.length != argCount) {
            throw new IllegalArgumentException("plan takes " + argCount + " parameters, got "
                    + args.length + ": " + sql);
        }
    }

    /** The SQL text. */
    public String sql() {
        return sql;
    }

    boolean isValid() {
        return handle != 0;
    }

    void free() {
        if (handle != 0) {
            int h = handle;
            handle = 0;
            Natives.freePlan(h);
        }
    }

    @Override
    public String toString() {
        return "Plan[" + sql + "]";
    }
}
