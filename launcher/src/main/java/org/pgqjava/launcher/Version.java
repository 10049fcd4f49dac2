package org.pgqjava.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The pgq-java version this jar was built as (from a resource Maven filters). */
final class Version {

    private static final String VERSION = load();

    private Version() {
    }

    static String get() {
        return VERSION;
    }

    /** What -V prints: Skytools' "Skytools version X", for pgq-java. */
    static String line() {
        return "pgq-java version " + VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("pgqadm-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
