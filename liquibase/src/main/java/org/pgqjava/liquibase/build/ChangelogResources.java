package org.pgqjava.liquibase.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.stream.Stream;

/**
 * Build step of module liquibase (exec:java in {@code process-classes}; not part of the jar):
 * makes the changelogs self-contained. Writes into the output directory (target/classes):
 * <ul>
 * <li>{@value #SQL_DIR}: the SQL files of module sql ({@code pgq/**} of its jar), under a prefix
 *     of our own so that the sql jar may sit on the same class path (Liquibase refuses a path
 *     that two class path entries both have);</li>
 * <li>{@value #JAR_SQL}: installs the pljava-functions jar, as hex, with
 *     {@code pljvm.install_jar('pgq', ...)} and puts it on the class path of schemas pgq,
 *     pgq_java and pgq_coop. Its
 *     changeset runs on change, so the text must change exactly when the jar's bytes do:
 *     nothing here depends on time or build directory;</li>
 * <li>{@value #FUNCTIONS_CHANGELOG}: one changeset per function file, in creation order
 *     ({@link FunctionChangelog}), included by {@code db/pgq/code/changelog.xml}: a function's SQL
 *     file is the one place that says it exists;</li>
 * <li>{@value #FUNCTIONS_DIGEST_SQL}: a no-op statement carrying the SHA-256 of all function
 *     files, part of the grants changeset, so the grants are applied again whenever a function
 *     changes (a function dropped and re-created by an upgrade has lost its grants).</li>
 * </ul>
 * Arguments: the pljava-functions jar, the sql jar (or its classes directory), the output
 * directory. An artifact that is a directory means the reactor stopped before {@code package}
 * (e.g. {@code mvn test}): the SQL files are still copied, but the jar script then only fails
 * with an explanation, as there is no jar to embed.
 */
public final class ChangelogResources {

    static final String SQL_DIR = "db/pgq/sql";
    static final String JAR_SQL = "db/pgq/generated/pgq-jar.sql";
    static final String FUNCTIONS_DIGEST_SQL = "db/pgq/generated/functions-digest.sql";
    static final String FUNCTIONS_CHANGELOG = "db/pgq/generated/functions-changelog.xml";
    /** Name of the jar in pljvm.jar and on the class path of schema pgq. */
    static final String JAR_NAME = "pgq";
    private static final String SQL_PREFIX = "pgq/";
    private static final String FUNCTIONS_PREFIX = SQL_PREFIX + "functions/";
    private static final int HEX_LINE = 120;

    private ChangelogResources() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ChangelogResources <pljava-functions jar> <sql jar or classes dir> <output dir>");
        }
        Path functionsJar = Path.of(args[0]);
        Path sqlArtifact = Path.of(args[1]);
        Path out = Path.of(args[2]);

        Map<String, byte[]> sql = readSqlFiles(sqlArtifact);
        if (sql.isEmpty()) {
            throw new IllegalStateException("no " + SQL_PREFIX + "** files in " + sqlArtifact);
        }
        Path sqlDir = out.resolve(SQL_DIR);
        deleteTree(sqlDir); // a file removed from module sql must not linger here
        for (Map.Entry<String, byte[]> e : sql.entrySet()) {
            write(sqlDir.resolve(e.getKey().substring(SQL_PREFIX.length())), e.getValue());
        }
        write(out.resolve(JAR_SQL), jarSql(functionsJar).getBytes(StandardCharsets.UTF_8));
        write(out.resolve(FUNCTIONS_DIGEST_SQL), functionsDigestSql(sql).getBytes(StandardCharsets.UTF_8));
        List<FunctionChangelog.Function> functions = FunctionChangelog.order(functionFiles(sql));
        write(out.resolve(FUNCTIONS_CHANGELOG), FunctionChangelog.xml(functions, SQL_DIR).getBytes(StandardCharsets.UTF_8));
        System.out.println("[pgq] " + sql.size() + " SQL files copied to " + sqlDir + "; wrote " + JAR_SQL + " from "
                + functionsJar.getFileName() + ", " + FUNCTIONS_DIGEST_SQL + " and " + FUNCTIONS_CHANGELOG + " ("
                + functions.size() + " function files)");
    }

    /** The {@code pgq/**} files of a jar or classes directory, by path, sorted. */
    static Map<String, byte[]> readSqlFiles(Path artifact) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        if (Files.isDirectory(artifact)) {
            Path root = artifact.resolve(SQL_PREFIX);
            if (Files.isDirectory(root)) {
                try (Stream<Path> all = Files.walk(root)) {
                    for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                        files.put(SQL_PREFIX + root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                    }
                }
            }
            return files;
        }
        try (JarInputStream jar = new JarInputStream(Files.newInputStream(artifact))) {
            for (JarEntry e; (e = jar.getNextJarEntry()) != null; ) {
                if (!e.isDirectory() && e.getName().startsWith(SQL_PREFIX)) {
                    files.put(e.getName(), jar.readAllBytes());
                }
            }
        }
        return files;
    }

    /** The function files of {@code sql} by file name ({@code pgq.next_batch.sql}); subdirectories refused. */
    static Map<String, byte[]> functionFiles(Map<String, byte[]> sql) {
        Map<String, byte[]> files = new TreeMap<>();
        sql.forEach((path, bytes) -> {
            if (path.startsWith(FUNCTIONS_PREFIX)) {
                String name = path.substring(FUNCTIONS_PREFIX.length());
                if (!FunctionChangelog.FILE_NAME.matcher(name).matches()) {
                    throw new IllegalStateException(path + ": a function file is named <schema>.<function>.sql"
                            + " (lower case, digits, _), directly in " + FUNCTIONS_PREFIX);
                }
                files.put(name, bytes);
            }
        });
        if (files.isEmpty()) {
            throw new IllegalStateException("no " + FUNCTIONS_PREFIX + "*.sql files");
        }
        return files;
    }

    static String jarSql(Path functionsJar) throws IOException {
        if (Files.isDirectory(functionsJar)) {
            System.out.println("[pgq] WARNING: " + functionsJar + " is a directory, not a jar (the build stopped before"
                    + " package); " + JAR_SQL + " will fail if run");
            return "-- Generated by org.pgqjava.liquibase.build.ChangelogResources: the build had no\n"
                    + "-- pljava-functions jar to embed (it stopped before the package phase).\n"
                    + "do $$ begin raise exception 'pgq-java: this build of the liquibase module has no pljava-functions jar'"
                    + " using hint = 'Build with mvn package (or verify, install), not compile or test.'; end $$;\n";
        }
        byte[] jar = Files.readAllBytes(functionsJar);
        if (jar.length < 4 || jar[0] != 'P' || jar[1] != 'K' || jar[2] != 3 || jar[3] != 4) {
            throw new IllegalStateException(functionsJar + " is not a jar (zip) file");
        }
        String hex = HexFormat.of().formatHex(jar);
        StringBuilder sql = new StringBuilder();
        sql.append("-- Generated by org.pgqjava.liquibase.build.ChangelogResources from the pljava-functions jar.\n");
        sql.append("-- Installs (or replaces) the Java code of pgq-java as jar '").append(JAR_NAME)
                .append("' and makes it the class path of schema pgq.\n");
        sql.append("-- jar size ").append(jar.length).append(" bytes, sha256 ").append(sha256(List.of(jar))).append('\n');
        // adjacent string constants separated by a newline are one constant (SQL standard)
        sql.append("select pljvm.install_jar('").append(JAR_NAME).append("', pg_catalog.decode(\n");
        for (int i = 0; i < hex.length(); i += HEX_LINE) {
            sql.append("  '").append(hex, i, Math.min(hex.length(), i + HEX_LINE)).append("'\n");
        }
        sql.append("  , 'hex'));\n");
        sql.append("select pljvm.set_classpath('pgq', array['").append(JAR_NAME).append("']);\n");
        // pgq-java's own functions (schema pgq_java) run the same classes, in the same loader
        sql.append("select pljvm.set_classpath('pgq_java', array['").append(JAR_NAME).append("']);\n");
        // and pgq_coop's (cooperative consumers)
        sql.append("select pljvm.set_classpath('pgq_coop', array['").append(JAR_NAME).append("']);\n");
        return sql.toString();
    }

    static String functionsDigestSql(Map<String, byte[]> sql) {
        List<byte[]> parts = new ArrayList<>();
        sql.forEach((path, bytes) -> {
            if (path.startsWith(FUNCTIONS_PREFIX)) {
                parts.add(path.getBytes(StandardCharsets.UTF_8));
                parts.add(bytes);
            }
        });
        String digest = sha256(parts);
        return "-- Generated by org.pgqjava.liquibase.build.ChangelogResources: SHA-256 of the function files\n"
                + "-- " + SQL_DIR + "/functions/*.sql (names and contents). Part of the grants changeset, so that the\n"
                + "-- grants run again whenever a function changes.\n"
                + "select 'sha256:" + digest + "' as pgq_function_files;\n";
    }

    private static String sha256(List<byte[]> parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            parts.forEach(md::update);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }

    private static void write(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
