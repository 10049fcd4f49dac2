package org.pgqjava.pljvm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.pgqjava.pljvm.fixtures.Fns;

/** Builds jars for the tests: the fixtures package, or classes compiled from source at test time. */
final class TestJars {
    private TestJars() {
    }

    /** A jar of the compiled classes of package org.pgqjava.pljvm.fixtures. */
    static byte[] fixtures() {
        try {
            Path root = Path.of(Fns.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = root.resolve("org/pgqjava/pljvm/fixtures");
            try (Stream<Path> files = Files.list(dir)) {
                return jar(root, files.filter(p -> p.toString().endsWith(".class")).toList());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A jar of the given sources (class name to source), compiled now. */
    static byte[] compile(Map<String, String> sources) throws IOException {
        Path src = Files.createTempDirectory("pljvm-src");
        Path out = Files.createTempDirectory("pljvm-classes");
        List<String> args = new java.util.ArrayList<>(List.of("--release", "17", "-d", out.toString()));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            args.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac.run(null, null, null, args.toArray(new String[0])) != 0) {
            throw new IllegalStateException("test source did not compile: " + sources.keySet());
        }
        try (Stream<Path> files = Files.walk(out)) {
            return jar(out, files.filter(p -> p.toString().endsWith(".class")).toList());
        }
    }

    static void install(Connection c, String name, byte[] jar) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pljvm.install_jar(?, ?)")) {
            ps.setString(1, name);
            ps.setBytes(2, jar);
            ps.execute();
        }
    }

    private static byte[] jar(Path root, List<Path> classes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            for (Path p : classes) {
                jar.putNextEntry(new JarEntry(root.relativize(p).toString().replace('\\', '/')));
                jar.write(Files.readAllBytes(p));
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
