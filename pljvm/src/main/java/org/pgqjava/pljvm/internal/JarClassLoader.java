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
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Loads classes and resources from jars held in memory (read from pljvm.jar). Parent first: the
 * JDK and pljvm.jar win over the stored jars. A jar listed earlier wins over a later one.
 */
final class JarClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Map<String, byte[]> entries = new HashMap<>();
    private final Map<String, String> entryJar = new HashMap<>();
    private final URLStreamHandler handler = new URLStreamHandler() {
        @Override
        protected URLConnection openConnection(URL u) throws IOException {
            String path = u.getPath();
            byte[] data = entries.get(path.substring(path.indexOf("!/") + 2));
            if (data == null) {
                throw new IOException("no resource " + u);
            }
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
            // a ZipInputStream, not a JarInputStream: the manifest is then a resource like any
            // other, and no JarVerifier is set up (stored jars are not signature-checked)
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar.getValue()))) {
                for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                    if (!e.isDirectory() && !entries.containsKey(e.getName())) {
                        entries.put(e.getName(), in.readAllBytes());
                        entryJar.put(e.getName(), jar.getKey());
                    }
                }
            }
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = entries.get(name.replace('.', '/') + ".class");
        if (b == null) {
            throw new ClassNotFoundException(name);
        }
        return defineClass(name, b, 0, b.length);
    }

    @Override
    protected URL findResource(String name) {
        String jar = entryJar.get(name);
        if (jar == null) {
            return null;
        }
        try {
            return new URL("pljvm", null, -1, "/" + jar + "!/" + name, handler);
        } catch (MalformedURLException e) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL u = findResource(name);
        return u == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(u));
    }
}
