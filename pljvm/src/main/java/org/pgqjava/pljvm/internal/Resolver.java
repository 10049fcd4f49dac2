package org.pgqjava.pljvm.internal;

import static org.pgqjava.pljvm.internal.Natives.KIND_OBJECT;
import static org.pgqjava.pljvm.internal.Natives.KIND_PRIMITIVE;
import static org.pgqjava.pljvm.internal.Natives.KIND_SQLARG;
import static org.pgqjava.pljvm.internal.Natives.T_ARRAY;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.StringJoiner;

import org.pgqjava.pljvm.PgException;
import org.pgqjava.pljvm.SqlArg;
import org.pgqjava.pljvm.TriggerData;
import org.pgqjava.pljvm.TriggerRow;

/**
 * Finds the Java method of a pljvm function from its AS string ({@code pkg.Class.method}) and its
 * SQL signature. See docs/pljvm.md for the type table and the overload rule.
 */
public final class Resolver {
    private Resolver() {
    }

    /**
     * @param schema   schema of the function (selects the class path)
     * @param target   the function's AS string
     * @param argCodes type code of each SQL argument ({@link Natives} T_*)
     * @param retCode  type code of the result (T_RECORD for composite, T_VOID for void)
     * @param retset   true for SETOF
     * @return {Method, int[] kinds}: kinds[i] is KIND_PRIMITIVE or KIND_OBJECT for argument i,
     *         kinds[n] for the result
     */
    public static Object[] resolve(String schema, String target, int[] argCodes, int retCode, boolean retset) {
        int dot = target.lastIndexOf('.');
        if (dot <= 0 || dot == target.length() - 1 || !target.trim().equals(target)) {
            throw new PgException("42P13", "pljvm: function body must be 'package.Class.method', not '" + target + "'",
                    null, "Write AS 'java.lang.Math.abs'.");
        }
        String className = target.substring(0, dot);
        String methodName = target.substring(dot + 1);
        Class<?> cls;
        try {
            // not initialized here: this runs with the jar owner's rights (see pljvm.c);
            // static initializers run at the first call, as the calling user
            cls = Class.forName(className, false, Loaders.forSchema(schema));
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new PgException("42883", "pljvm: class " + className + " not found",
                    "Searched the JDK, pljvm.jar and the " + Loaders.describe(schema) + ".",
                    "Install the jar with pljvm.install_jar and put it on the class path with pljvm.set_classpath.");
        }
        if (retCode == Natives.T_TRIGGER) {
            return resolveTrigger(cls, className, methodName);
        }
        Method best = null;
        int bestScore = -1;
        boolean ambiguous = false;
        List<Method> candidates = new ArrayList<>(); // named in errors only: Method.toString spins lambdas
        for (Method m : cls.getMethods()) {
            if (!m.getName().equals(methodName) || !Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            candidates.add(m);
            int score = score(m, argCodes, retCode, retset);
            if (score > bestScore) {
                best = m;
                bestScore = score;
                ambiguous = false;
            } else if (score == bestScore && score >= 0) {
                ambiguous = true;
            }
        }
        String wanted = sqlSignature(methodName, argCodes, retCode, retset);
        if (best == null || bestScore < 0) {
            throw new PgException("42883", "pljvm: no public static method " + className + "." + methodName
                    + " matches " + wanted,
                    candidates.isEmpty() ? "Class " + className + " has no public static method named " + methodName + "."
                            : "Candidates: " + describe(candidates),
                    "See the type table in docs/pljvm.md: e.g. int8 is long or Long, text is String.");
        }
        if (ambiguous) {
            throw new PgException("42725", "pljvm: more than one method " + className + "." + methodName
                    + " matches " + wanted, "Candidates: " + describe(candidates),
                    "Rename one of the methods or make the SQL signature match only one.");
        }
        Class<?>[] params = best.getParameterTypes();
        int[] kinds = new int[params.length + 1];
        for (int i = 0; i < params.length; i++) {
            kinds[i] = params[i] == SqlArg.class ? KIND_SQLARG : isPrimitive(params[i]) ? KIND_PRIMITIVE : KIND_OBJECT;
        }
        kinds[params.length] = isPrimitive(best.getReturnType()) ? KIND_PRIMITIVE : KIND_OBJECT;
        return new Object[] {best, kinds};
    }

    /** A trigger function's method: static, one TriggerData parameter, void or TriggerRow. */
    private static Object[] resolveTrigger(Class<?> cls, String className, String methodName) {
        Method found = null;
        List<Method> candidates = new ArrayList<>();
        for (Method m : cls.getMethods()) {
            if (!m.getName().equals(methodName) || !Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            candidates.add(m);
            Class<?>[] p = m.getParameterTypes();
            Class<?> r = m.getReturnType();
            if (p.length == 1 && p[0] == TriggerData.class && (r == void.class || r == TriggerRow.class)) {
                found = m;
            }
        }
        if (found == null) {
            throw new PgException("42883", "pljvm: no public static method " + className + "." + methodName
                    + " fits a trigger function", candidates.isEmpty()
                            ? "Class " + className + " has no public static method named " + methodName + "."
                            : "Candidates: " + describe(candidates),
                    "A trigger function's method takes one org.pgqjava.pljvm.TriggerData and returns void or"
                            + " org.pgqjava.pljvm.TriggerRow.");
        }
        // no SQL arguments; the result's kind tells the C host void (primitive) from TriggerRow
        return new Object[] {found, new int[] {found.getReturnType() == void.class ? KIND_PRIMITIVE : KIND_OBJECT}};
    }

    private static String describe(List<Method> candidates) {
        StringJoiner j = new StringJoiner("; ");
        for (Method m : candidates) {
            j.add(m.toString());
        }
        return j.toString();
    }

    /** -1 if {@code m} does not fit, else the number of primitive parameters and result. */
    static int score(Method m, int[] argCodes, int retCode, boolean retset) {
        Class<?>[] params = m.getParameterTypes();
        if (params.length != argCodes.length) {
            return -1;
        }
        int score = 0;
        for (int i = 0; i < params.length; i++) {
            // a SqlArg takes an argument of any type, unconverted
            int s = params[i] == SqlArg.class ? 0 : fits(params[i], argCodes[i]);
            if (s < 0) {
                return -1;
            }
            score += s;
        }
        Class<?> r = m.getReturnType();
        if (retset) {
            return Iterator.class.isAssignableFrom(r) || Iterable.class.isAssignableFrom(r)
                    || r == org.pgqjava.pljvm.SqlRows.class ? score : -1;
        } else if (retCode == Natives.T_RECORD) {
            return r == Object[].class ? score : -1;
        } else if (retCode == Natives.T_VOID) {
            return r == void.class ? score : -1;
        }
        int s = fits(r, retCode);
        return s < 0 ? -1 : score + s;
    }

    /** -1 if Java type {@code c} cannot carry SQL type {@code code}, 1 if primitive, 0 if boxed. */
    static int fits(Class<?> c, int code) {
        if ((code & T_ARRAY) != 0) {
            return c.isArray() ? fits(c.getComponentType(), code & ~T_ARRAY) : -1;
        }
        Class<?>[] pair = javaTypes(code);
        if (pair == null) {
            return -1;
        } else if (c == pair[0]) {
            return 1;
        } else if (c == pair[1]) {
            return 0;
        }
        return -1;
    }

    /** {primitive or null, object type} for a scalar type code, or null if unsupported. */
    static Class<?>[] javaTypes(int code) {
        switch (code) {
            case Natives.T_INT2: return new Class<?>[] {short.class, Short.class};
            case Natives.T_INT4: return new Class<?>[] {int.class, Integer.class};
            case Natives.T_INT8: return new Class<?>[] {long.class, Long.class};
            case Natives.T_FLOAT4: return new Class<?>[] {float.class, Float.class};
            case Natives.T_FLOAT8: return new Class<?>[] {double.class, Double.class};
            case Natives.T_BOOL: return new Class<?>[] {boolean.class, Boolean.class};
            case Natives.T_TEXT: return new Class<?>[] {null, String.class};
            case Natives.T_BYTEA: return new Class<?>[] {null, byte[].class};
            case Natives.T_TIMESTAMPTZ: return new Class<?>[] {null, OffsetDateTime.class};
            case Natives.T_OTHER: return new Class<?>[] {null, String.class}; // text form
            default: return null;
        }
    }

    private static boolean isPrimitive(Class<?> c) {
        return c.isPrimitive() || (c.isArray() && c.getComponentType().isPrimitive() && c != byte[].class);
    }

    private static String sqlSignature(String name, int[] argCodes, int retCode, boolean retset) {
        StringJoiner j = new StringJoiner(", ", name + "(", ")");
        for (int c : argCodes) {
            j.add(javaName(c));
        }
        String ret = retset ? "Iterator, Iterable or SqlRows" : retCode == Natives.T_RECORD ? "Object[]"
                : retCode == Natives.T_VOID ? "void" : javaName(retCode);
        return j + " returning " + ret;
    }

    private static String javaName(int code) {
        if ((code & T_ARRAY) != 0) {
            return javaName(code & ~T_ARRAY) + "[]";
        }
        Class<?>[] pair = javaTypes(code);
        if (pair == null) {
            return "?";
        }
        return pair[0] == null ? pair[1].getSimpleName() : pair[0].getName() + "/" + pair[1].getSimpleName();
    }
}
