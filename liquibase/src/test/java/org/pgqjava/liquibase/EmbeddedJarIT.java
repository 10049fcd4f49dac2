package org.pgqjava.liquibase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.liquibase.Db.resource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.Test;

/**
 * The pljava-functions jar embedded in db/pgq/generated/pgq-jar.sql is reproducible, so an
 * unchanged build does not re-install it. An IT (no database needed) because the jar exists only
 * from the package phase on: a reactor run that stops at test embeds a placeholder.
 */
class EmbeddedJarIT {

    private static final Pattern QUOTED_HEX = Pattern.compile("'([0-9a-f]+)'");

    @Test
    void embeddedJarIsReproducible() throws IOException {
        String sql = resource("db/pgq/generated/pgq-jar.sql");
        StringBuilder hex = new StringBuilder();
        Matcher m = QUOTED_HEX.matcher(sql.substring(sql.indexOf("decode(")));
        while (m.find()) {
            hex.append(m.group(1));
        }
        byte[] jar = HexFormat.of().parseHex(hex);
        assertTrue(sql.contains("sha256 " + sha256(jar)), "header names the sha256 of the embedded jar");
        assertTrue(sql.contains("select pljvm.set_classpath('pgq', array['pgq']);"), sql.substring(0, 300));
        assertTrue(sql.contains("select pljvm.set_classpath('pgq_java', array['pgq']);"), sql.substring(0, 300));
        assertTrue(sql.contains("select pljvm.set_classpath('pgq_coop', array['pgq']);"), sql.substring(0, 300));

        // every entry carries project.build.outputTimestamp, not the build time; zip entry times
        // are local times without a zone, hence the slack of a time zone offset
        Instant want = Instant.parse(System.getProperty("pgq.outputTimestamp", "unset: run through Maven"));
        List<String> classes = new ArrayList<>();
        TreeSet<Instant> times = new TreeSet<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                times.add(e.getLastModifiedTime().toInstant());
                if (e.getName().endsWith(".class")) {
                    classes.add(e.getName());
                }
            }
        }
        assertEquals(1, times.size(), "entries with different times: " + times);
        assertTrue(Duration.between(want, times.first()).abs().compareTo(Duration.ofHours(15)) <= 0,
                "entry time " + times.first() + " is not project.build.outputTimestamp " + want);
        assertTrue(classes.contains("org/pgqjava/pgq/NextBatch.class"), classes.toString());
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
