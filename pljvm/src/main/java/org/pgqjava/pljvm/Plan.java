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
        return Natives.executePlan(handle, args, check(args));
    }

    /**
     * Executes the plan for its row count only (rows inserted, updated, deleted or returned):
     * for DML, cheaper than {@link #execute} as no Java objects are built for the result.
     */
    public long executeCount(Object... args) {
        return Natives.executePlanCount(handle, args, check(args));
    }

    /**
     * Executes the plan and returns the integer (int2, int4 or int8) in the first column of the
     * first row, without building Java objects for the result: for {@code INSERT ... RETURNING id}
     * and counts. No row, or NULL, is an SQL error (SQLSTATE P0002) that poisons the call as
     * every SQL error does: use it only where a value always comes back.
     */
    public long executeLong(Object... args) {
        return Natives.executePlanLong(handle, args, check(args), false, 0);
    }

    /**
     * As {@link #executeLong}, but no row, or NULL, returns {@code none} instead of an error:
     * for {@code INSERT ... SELECT ... WHERE <check> RETURNING id}, where no row means the check
     * failed.
     */
    public long executeLongOr(long none, Object... args) {
        return Natives.executePlanLong(handle, args, check(args), true, none);
    }

    /** Checks the plan and the argument count; true if an argument is a {@link SqlArg}. */
    private boolean check(Object[] args) {
        if (handle == 0) {
            throw new IllegalStateException("plan was freed: " + sql);
        }
        if (args.length != argCount) {
            throw new IllegalArgumentException("plan takes " + argCount + " parameters, got "
                    + args.length + ": " + sql);
        }
        return hasSqlArg(args);
    }

    /**
     * Whether the host has to look for {@link SqlArg}s among the arguments: one instanceof each
     * here, compiled, instead of a JNI IsInstanceOf per parameter on every statement.
     */
    static boolean hasSqlArg(Object[] args) {
        for (Object a : args) {
            if (a instanceof SqlArg) {
                return true;
            }
        }
        return false;
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
