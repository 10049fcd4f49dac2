package org.pgqjava.liquibase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads pgq_node and londiste, the cascading layer on top of PgQ, into a database where pgq-java
 * is installed, from the extension scripts of the packages installed on the database server
 * (Debian: postgresql-15-pgq-node, postgresql-15-londiste-sql). Nothing of their code is in
 * pgq-java: the server reads its own files.
 *
 * <p>Why not {@code CREATE EXTENSION pgq_node}: its control file requires extension {@code pgq},
 * and pgq-java is schema pgq installed by Liquibase, not an extension (Debian's pgq.control is
 * the PgQ in C). So the scripts run as plain SQL, in one transaction: the script of the default
 * version as {@code pg_available_extensions} gives it, without its
 * {@code pg_extension_config_dump} calls (they only mark tables of an extension for pg_dump;
 * outside an extension pg_dump dumps the tables anyway). Londiste's and pgq_node's own tools
 * then find the schemas and do not try to create the extensions. What was loaded is recorded in
 * {@code pgq_java.cascade_component}; a newer package is applied with its upgrade script
 * ({@code pgq_node--3.4--3.5.sql}) where there is one, and refused where there is none.
 *
 * <p>Needs a superuser (the scripts are marked {@code superuser = true}; reading the server's
 * files needs it too).
 */
public final class CascadeInstaller {

    /** The components in dependency order. */
    public static final List<String> COMPONENTS = List.of("pgq_node", "londiste");

    private static final Logger log = LoggerFactory.getLogger(CascadeInstaller.class);
    private static final Pattern CONFIG_DUMP = Pattern.compile(
            "(?im)^\\s*select\\s+pg_catalog\\.pg_extension_config_dump\\s*\\([^;]*\\)\\s*;");
    /** The psql guard lines of extension scripts (a backslash-echo "Use CREATE EXTENSION" line, backslash-quit). */
    private static final Pattern PSQL_META = Pattern.compile("(?m)^\\\\(echo|quit)\\b.*$");

    /** What {@link #install} did with one component. */
    public record Outcome(String component, String from, String to, String script) {
        /** A line for the log: installed, upgraded, or already there. */
        public String describe() {
            if (from == null) {
                return component + " " + to + " installed from " + script;
            }
            if (from.equals(to)) {
                return component + " " + to + " is installed already";
            }
            return component + " upgraded from " + from + " to " + to + " with " + script;
        }
    }

    private CascadeInstaller() {
    }

    /**
     * {@link #install} of pgq_node, and of londiste too when the server has its package: what
     * {@code pgqadm install-cascade} without arguments does.
     */
    public static List<Outcome> installAvailable(Connection c) throws SQLException {
        boolean londiste = one(c, "select 1 from pg_catalog.pg_available_extensions where name = 'londiste'") != null;
        return install(c, londiste ? COMPONENTS : List.of("pgq_node"));
    }

    /**
     * Loads or upgrades {@code components} (a subset of {@link #COMPONENTS}; londiste needs
     * pgq_node, which is then loaded first) in one transaction: all or nothing. The connection
     * keeps its auto-commit mode.
     *
     * @throws SQLException with SQLSTATE 55000 and a hint when pgq-java is not installed, a
     *                      component is an extension already, its package is not installed on
     *                      the server, or a newer package has no upgrade script from the loaded
     *                      version; the server's error when a script fails
     */
    public static List<Outcome> install(Connection c, List<String> components) throws SQLException {
        List<String> todo = new ArrayList<>();
        for (String name : COMPONENTS) {
            if (components.contains(name) || ("pgq_node".equals(name) && components.contains("londiste"))) {
                todo.add(name);
            }
        }
        for (String name : components) {
            if (!COMPONENTS.contains(name)) {
                throw refused("unknown cascade component \"" + name + "\"", "Name pgq_node or londiste.");
            }
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            checkPgqJava(c);
            String sharedir = one(c, "select setting from pg_catalog.pg_config where name = 'SHAREDIR'");
            List<Outcome> done = new ArrayList<>();
            for (String name : todo) {
                done.add(installOne(c, name, sharedir));
            }
            c.commit();
            for (Outcome o : done) {
                log.info("{}: {}", c.getCatalog(), o.describe());
            }
            return done;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static void checkPgqJava(Connection c) throws SQLException {
        if (one(c, "select pg_catalog.to_regclass('pgq_java.cascade_component')::text") == null) {
            if (one(c, "select extversion from pg_catalog.pg_extension where extname = 'pgq'") != null) {
                throw refused("this database has PgQ as an extension (CREATE EXTENSION pgq), not pgq-java",
                        "Move it to pgq-java first with pgqadm takeover (docs/scaling-out.md), or use CREATE EXTENSION"
                                + " pgq_node / londiste there.");
            }
            throw refused("pgq-java is not installed in this database, or is older than 0.2",
                    "Run pgqadm install (or the Liquibase changelog db/pgq/changelog-master.xml) first.");
        }
    }

    private static Outcome installOne(Connection c, String name, String sharedir) throws SQLException {
        String extVersion = one(c, "select extversion from pg_catalog.pg_extension where extname = ?", name);
        if (extVersion != null) {
            throw refused(name + " " + extVersion + " is installed as an extension in this database",
                    "Leave it as it is; install-cascade loads " + name + " where it is not an extension.");
        }
        String target = one(c, "select default_version from pg_catalog.pg_available_extensions where name = ?", name);
        if (target == null) {
            throw refused("the database server has no " + name + " package installed (no " + name + ".control in "
                    + sharedir + "/extension)", "Install it on the server, on Debian: apt-get install "
                    + ("pgq_node".equals(name) ? "postgresql-15-pgq-node" : "postgresql-15-londiste-sql") + ".");
        }
        String loaded = one(c, "select version from pgq_java.cascade_component where name = ?", name);
        if (loaded == null && one(c, "select nspname::text from pg_catalog.pg_namespace where nspname = ?", name) != null) {
            throw refused("schema " + name + " exists, but pgq-java did not load it",
                    "Drop schema " + name + " (if it holds nothing of value) and run install-cascade again.");
        }
        String script;
        if (loaded == null) {
            script = name + "--" + target + ".sql";
        } else if (loaded.equals(target)) {
            return new Outcome(name, loaded, target, null);
        } else {
            script = name + "--" + loaded + "--" + target + ".sql";
            if (one(c, "select 1 from pg_catalog.pg_available_extension_versions where name = ? and version = ?",
                    name, loaded) == null || !fileExists(c, sharedir + "/extension/" + script)) {
                throw refused(name + " " + loaded + " is loaded and the server's package is " + target
                        + ", with no upgrade script " + script, "Install a package with that upgrade path, or"
                        + " reinstall: drop schema " + name + " cascade (loses its state) and run install-cascade.");
            }
        }
        String path = sharedir + "/extension/" + script;
        String sql = one(c, "select pg_catalog.pg_read_file(?)", path);
        sql = PSQL_META.matcher(CONFIG_DUMP.matcher(sql).replaceAll("")).replaceAll("");
        sql = sql.replace("@extschema@", "pg_catalog");
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
        try (PreparedStatement ps = c.prepareStatement("insert into pgq_java.cascade_component (name, version, script)"
                + " values (?, ?, ?) on conflict (name) do update set version = excluded.version,"
                + " script = excluded.script, installed_at = now()")) {
            ps.setString(1, name);
            ps.setString(2, target);
            ps.setString(3, path);
            ps.executeUpdate();
        }
        return new Outcome(name, loaded, target, path);
    }

    private static boolean fileExists(Connection c, String path) throws SQLException {
        return one(c, "select (pg_catalog.pg_stat_file(?, true)).size::text", path) != null;
    }

    private static String one(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static SQLException refused(String message, String hint) {
        return new SQLException(message + "\n  Hint: " + hint, "55000");
    }
}
