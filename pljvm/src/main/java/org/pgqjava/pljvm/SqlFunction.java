package org.pgqjava.pljvm;

import org.pgqjava.pljvm.internal.Natives;

/**
 * A pljvm function that Java code may run itself, instead of through SQL, where SQL would run the
 * same method in the same way: a shortcut that saves a statement (executor, function manager,
 * argument conversion) per call, for Java code that calls an SQL function users may replace
 * (PgQ's triggers and {@code pgq.insert_event}).
 *
 * <pre>{@code
 * static final SqlFunction F = SqlFunction.of("s.f(text)", "org.example.F.f");
 * ...
 * SqlFunction.Context ctx = F.enter();
 * if (ctx == null) {
 *     Spi.execute("select s.f($1)", x);   // replaced, dropped, not allowed: SQL decides
 * } else {
 *     try { org.example.F.f(x); } finally { ctx.close(); }
 * }
 * }</pre>
 *
 * <p>{@link #enter} says yes only when the function named by the signature (schema-qualified, as
 * {@code regprocedure} reads it) exists now, is a pljvm function whose AS names exactly that
 * method, and the current user may EXECUTE it (and no server hook watches function calls). Then
 * it enters the context SQL would run the function in: its owner as the current user if it is
 * SECURITY DEFINER, its SET options (such as a pinned search_path) until {@link Context#close}.
 * What pljvm knows of the function is read once and read again whenever pg_proc changes (CREATE
 * OR REPLACE, ALTER, DROP, GRANT, REVOKE). The caller must pass the arguments SQL would pass:
 * a STRICT function's NULL rule, defaults and argument types are the caller's business.
 */
public final class SqlFunction {
    private final int handle;
    private final String signature;

    private SqlFunction(int handle, String signature) {
        this.handle = handle;
        this.signature = signature;
    }

    /** The function of that signature (e.g. {@code pgq.f(text,int4)}) and Java method ({@code pkg.Class.method}). */
    public static SqlFunction of(String signature, String method) {
        Natives.checkBackendThread();
        return new SqlFunction(Natives.directFunction(signature, method), signature);
    }

    /** Enters the function's context, or returns null when Java must call the function through SQL. */
    public Context enter() {
        int token = Natives.enterFunction(handle);
        return token == 0 ? null : new Context(token);
    }

    @Override
    public String toString() {
        return "SqlFunction[" + signature + "]";
    }

    /** The function's security context while Java runs its method; close it in a finally block. */
    public static final class Context implements AutoCloseable {
        private int token;

        private Context(int token) {
            this.token = token;
        }

        /** Leaves the context (the caller's user and settings again); once. */
        @Override
        public void close() {
            if (token != 0) {
                int t = token;
                token = 0;
                Natives.leaveFunction(t);
            }
        }
    }
}
