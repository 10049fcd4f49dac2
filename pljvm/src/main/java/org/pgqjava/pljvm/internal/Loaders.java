package org.pgqjava.pljvm.internal;

import java.io.IOException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pgqjava.pljvm.PgException;
import org.pgqjava.pljvm.Result;
import org.pgqjava.pljvm.Row;
import org.pgqjava.pljvm.Spi;

/**
 * The class loaders of the stored jars: one per distinct class path, shared by the schemas that
 * use it. Rebuilt only when a jar or a class path actually changed: the C host calls
 * {@link #refresh} after an invalidation of the jar tables, and the loaders and the C function
 * cache are dropped only if the jar digests or class paths differ from what was loaded.
 */
public final class Loaders {
    /** The schema name of the global class path. */
    static final String GLOBAL = "";

    private static int generation = 1;
    private static Map<String, String> digests;          // jar name -> sha256 when loaded
    private static Map<String, List<String>> classpaths; // schema -> jar names
    private static final Map<List<String>, ClassLoader> LOADERS = new HashMap<>();

    private Loaders() {
    }

    /**
     * Re-reads the jar digests and class paths; if anything changed, drops the loaders.
     *
     * @return the loader generation: it changes exactly when loaded classes became stale
     */
    public static int refresh() {
        Map<String, String> newDigests = new HashMap<>();
        for (Row r : Spi.execute("select jar_name, jar_sha256 from pljvm.jar")) {
            newDigests.put(r.getString(0), r.getString(1));
        }
        Map<String, List<String>> newPaths = new HashMap<>();
        for (Row r : Spi.execute("select schema_name, jar_names from pljvm.classpath")) {
            newPaths.put(r.getString(0), Arrays.asList((String[]) r.get(1)));
        }
        if (!newDigests.equals(digests) || !newPaths.equals(classpaths)) {
            if (digests != null) {
                generation++;
            }
            digests = newDigests;
            classpaths = newPaths;
            LOADERS.clear();
        }
        return generation;
    }

    /** The loader for functions of {@code schema}: its class path, else the global one. */
    static ClassLoader forSchema(String schema) {
        if (digests == null) {
            refresh();
        }
        List<String> jars = classpaths.get(schema);
        if (jars == null) {
            jars = classpaths.get(GLOBAL);
        }
        if (jars == null || jars.isEmpty()) {
            return ClassLoader.getSystemClassLoader();
        }
        ClassLoader loader = LOADERS.get(jars);
        if (loader == null) {
            loader = load(jars);
            LOADERS.put(jars, loader);
        }
        return loader;
    }

    /** Describes the class path of {@code schema}, for error messages. */
    static String describe(String schema) {
        List<String> jars = classpaths == null ? null : classpaths.get(schema);
        if (jars != null) {
            return "class path of schema " + schema + ": " + jars;
        }
        jars = classpaths == null ? null : classpaths.get(GLOBAL);
        return jars == null ? "no class path (neither for schema " + schema + " nor global)"
                : "global class path: " + jars;
    }

    private static ClassLoader load(List<String> jars) {
        List<Map.Entry<String, byte[]>> contents = new ArrayList<>();
        for (String jar : jars) {
            Result r = Spi.execute("select jar_bytes from pljvm.jar where jar_name = $1", jar);
            if (r.isEmpty()) {
                throw new PgException("42704", "pljvm: jar \"" + jar + "\" is on a class path but not installed",
                        null, "Install it with pljvm.install_jar or fix the class path with pljvm.set_classpath.");
            }
            contents.add(new AbstractMap.SimpleEntry<>(jar, r.get(0).getBytes(0)));
        }
        try {
            return new JarClassLoader(String.join(":", jars), contents, Backend.jarParent());
        } catch (IOException e) {
            throw new PgException("22023", "pljvm: cannot read jar among " + jars + ": " + e.getMessage(),
                    null, "Replace the jar with pljvm.install_jar.");
        }
    }
}
