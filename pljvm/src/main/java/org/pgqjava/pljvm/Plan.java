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
        if (handle == 0) {
            throw new IllegalStateException("plan was freed: " + sql);
        }
        if (args.length != argCount) {
            throw new IllegalArgumentException("plan takes " + argCount + " parameters, got "
                    + args.length + ": " + sql);
        }
        return Natives.executePlan(handle, args);
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
