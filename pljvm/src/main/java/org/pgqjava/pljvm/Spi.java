package org.pgqjava.pljvm;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.pgqjava.pljvm.internal.Natives;

/**
 * SQL from Java, through PostgreSQL's SPI, in the transaction of the current call.
 *
 * <p>Runs only on the backend thread, inside a pljvm call; any other thread gets an
 * {@link IllegalStateException}. An SQL error comes back as a {@link PgException} and poisons
 * the call: every later SPI use in it throws {@code PgException} 25P02, and when the Java method
 * returns the original server error is raised, whether Java caught the exception or not (the
 * transaction is aborted either way; use a PL/pgSQL EXCEPTION block around the call to go on).
 *
 * <p>Plans are prepared once per backend and kept across transactions: {@link #prepare} and
 * {@link #execute} cache them by SQL text and parameter types (at most {@value #CACHE_SIZE};
 * the least recently used is freed beyond that).
 */
public final class Spi {
    static final int CACHE_SIZE = 512;

    private static final Map<Key, Plan> PLANS = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Plan> eldest) {
            if (size() > CACHE_SIZE) {
                eldest.getValue().free();
                return true;
            }
            return false;
        }
    };

    /**
     * Cache key: SQL text and parameter types. No string is built per lookup: String caches its
     * hash, and a constant SQL text is the same object every time, so equals is an identity check.
     */
    private static final class Key {
        final String sql;
        final String[] types;
        final int hash;

        Key(String sql, String[] types) {
            this.sql = sql;
            this.types = types;
            this.hash = sql.hashCode() * 31 + java.util.Arrays.hashCode(types);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return hash == k.hash && sql.equals(k.sql) && java.util.Arrays.equals(types, k.types);
        }
    }

    private Spi() {
    }

    /**
     * The plan for {@code sql} with parameters {@code $1..$n} of the given SQL types
     * (e.g. {@code "int8"}, {@code "text[]"}, {@code "pg_catalog.timestamptz"}), prepared at the
     * first use in this backend and cached. Do not close a cached plan.
     */
    public static Plan prepare(String sql, String... argTypes) {
        Natives.checkBackendThread();
        // the same statement as last time (the same SQL String object, equal types): no key, no lookup
        Plan last = lastPlan;
        if (sql == lastSql && last != null && java.util.Arrays.equals(argTypes, lastTypes) && last.isValid()) {
            return last;
        }
        Key key = new Key(sql, argTypes);
        Plan plan = PLANS.get(key);
        if (plan == null || !plan.isValid()) {
            String[] types = argTypes.clone();
            plan = new Plan(Natives.prepare(sql, types), sql, types.length);
            PLANS.put(new Key(sql, types), plan);
        }
        lastSql = sql;
        lastTypes = argTypes.clone();
        lastPlan = plan;
        return plan;
    }

    // the plan prepare returned last, for its SQL text and type array objects; the backend thread only
    private static String lastSql;
    private static String[] lastTypes;
    private static Plan lastPlan;

    /**
     * Runs {@code sql} with the given parameters through a cached plan. Parameter types follow
     * from the Java values: Long int8, Integer int4, Short int2, Double float8, Float float4,
     * Boolean bool, String text, byte[] bytea, OffsetDateTime timestamptz, long[] / Long[] int8[],
     * int[] / Integer[] int4[], String[] text[]. A null is passed as text; when the type of a
     * NULL matters, use {@link #prepare} with explicit types.
     */
    public static Result execute(String sql, Object... args) {
        String[] types = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            types[i] = typeOf(args[i]);
        }
        return prepare(sql, types).execute(args);
    }

    /**
     * Runs {@code sql} once, without keeping a plan: for DDL and statements whose text changes
     * on every call. Parameters as for {@link #execute}.
     */
    public static Result executeOnce(String sql, Object... args) {
        java.util.Objects.requireNonNull(sql, "sql");
        String[] types = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            types[i] = typeOf(args[i]);
        }
        return Natives.executeOnce(sql, types, args, false);   // typeOf refused any SqlArg
    }

    /**
     * The rows of {@code sql} as the result of a SETOF function (see {@link SqlRows}); the query
     * runs when the function returns. Parameters as for {@link #execute}.
     */
    public static SqlRows rows(String sql, Object... args) {
        String[] types = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            types[i] = typeOf(args[i]);
        }
        return new SqlRows(java.util.Objects.requireNonNull(sql, "sql"), types, args.clone());
    }

    /**
     * Runs {@code body} in a subtransaction (a savepoint): the only way to catch an SQL error
     * and go on. If {@code body} completes, the subtransaction is committed (its work stays
     * part of the transaction); if it throws, the subtransaction is rolled back, undoing its
     * SQL, and the exception goes on to the caller, which may catch a {@link PgException} and
     * continue using SPI. Costs a subtransaction (and an XID if it writes): use it where an error
     * is expected, not around every statement.
     */
    public static <T> T subtransaction(Supplier<T> body) {
        Natives.checkBackendThread();
        int token = Natives.beginSubtransaction();
        T result;
        try {
            result = body.get();
        } catch (RuntimeException | Error e) {
            try {
                Natives.rollbackSubtransaction(token);
            } catch (RuntimeException | Error inner) {
                e.addSuppressed(inner);
            }
            throw e;
        }
        // Closes the subtransaction either way: commits it, or, if an SQL error inside was
        // swallowed by body, rolls it back and throws that error.
        Natives.commitSubtransaction(token);
        return result;
    }

    /**
     * Runs {@code sql} once, without keeping a plan, with parameters of the given SQL types
     * (for statements whose text changes on every call and whose NULL parameters need a type).
     */
    public static Result executeOnceTyped(String sql, String[] argTypes, Object... args) {
        java.util.Objects.requireNonNull(sql, "sql");
        if (argTypes.length != args.length) {
            throw new IllegalArgumentException(argTypes.length + " types for " + args.length + " parameters");
        }
        return Natives.executeOnce(sql, argTypes.clone(), args, Plan.hasSqlArg(args));
    }

    /** The SQL type that {@link #execute} uses for a Java value. */
    static String typeOf(Object value) {
        if (value == null || value instanceof String) {
            return "text";
        } else if (value instanceof Long) {
            return "int8";
        } else if (value instanceof Integer) {
            return "int4";
        } else if (value instanceof Short) {
            return "int2";
        } else if (value instanceof Boolean) {
            return "bool";
        } else if (value instanceof Double) {
            return "float8";
        } else if (value instanceof Float) {
            return "float4";
        } else if (value instanceof byte[]) {
            return "bytea";
        } else if (value instanceof OffsetDateTime) {
            return "timestamptz";
        } else if (value instanceof long[] || value instanceof Long[]) {
            return "int8[]";
        } else if (value instanceof int[] || value instanceof Integer[]) {
            return "int4[]";
        } else if (value instanceof String[]) {
            return "text[]";
        }
        throw new IllegalArgumentException("no SQL type for Java " + value.getClass().getName()
                + "; use Spi.prepare with explicit parameter types");
    }
}
