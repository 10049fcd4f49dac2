package org.pgqjava.pljvm.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads classes and resources from jars held in memory (read from pljvm.jar; each entry read at
 * its first use, {@link StoredJar}). Parent first: the JDK and pljvm's own classes win over the
 * stored jars. A jar listed earlier wins over a later one.
 */
final class JarClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Map<String, StoredJar.Entry> entries = new HashMap<>();
    private final URLStreamHandler handler = new URLStreamHandler() {
        @Override
        protected URLConnection openConnection(URL u) throws IOException {
            String path = u.getPath();
            StoredJar.Entry entry = entries.get(path.substring(path.indexOf("!/") + 2));
            if (entry == null) {
                throw new IOException("no resource " + u);
            }
            byte[] data = entry.bytes();
            return new URLConnection(u) {
                @Override
                public void connect() {
                }

                @Override
                public InputStream getInputStream() {
                    return new ByteArrayInputStream(data);
                }
            };
        }
    };

    /** @param jars jar name to jar bytes, in class path order */
    JarClassLoader(String name, List<Map.Entry<String, byte[]>> jars, ClassLoader parent) throws IOException {
        super(name, parent);
        for (Map.Entry<String, byte[]> jar : jars) {
            StoredJar.index(jar.getKey(), jar.getValue(), entries);
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        StoredJar.Entry e = entries.get(name.replace('.', '/') + ".class");
        if (e == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] b;
        try {
            b = e.bytes();
        } catch (IOException x) {
            throw new ClassNotFoundException(name + ": " + x.getMessage(), x);
        }
        return defineClass(name, b, 0, b.length);
    }

    @Override
    protected URL findResource(String name) {
        StoredJar.Entry e = entries.get(name);
        if (e == null) {
            return null;
        }
        String jar = e.jar;
        try {
            return new URL("pljvm", null, -1, "/" + jar + "!/" + name, handler);
        } catch (MalformedURLException x) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL u = findResource(name);
        return u == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(u));
    }
}
