package org.pgqjava.launcher;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A libpq connection string, as {@code db} in the config holds it: key/value form
 * ({@code dbname=x host=/var/run/postgresql port=5433 user=u password='p w'}) or URI form
 * ({@code postgresql://u:p@host:5433/x?sslmode=require}, a socket directory percent-encoded as the
 * host or given as {@code ?host=/dir}). What the string leaves out comes from the environment
 * as libpq takes it (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGPASSFILE, PGAPPNAME,
 * PGCONNECT_TIMEOUT, PGSSLMODE, PGOPTIONS, ...), then libpq's defaults: the Unix socket in
 * {@value #DEFAULT_SOCKET_DIR}, port 5432, the OS user, a database named as the user.
 *
 * <p>pgjdbc connects over TCP only; a host that starts with {@code /} is a socket directory, and
 * the connection goes through junixsocket's socket factory to {@code <dir>/.s.PGSQL.<port>}.
 * Without a password pgjdbc reads {@code ~/.pgpass} (or PGPASSFILE) itself, matching host
 * {@code localhost} for a socket as libpq does.
 */
final class ConnInfo {

    /** Where Debian's libpq looks when no host is given. */
    static final String DEFAULT_SOCKET_DIR = "/var/run/postgresql";
    static final String UNIX_SOCKET_FACTORY = "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg";

    /** libpq keywords we pass on, and the environment variable that stands in for each. */
    private static final Map<String, String> ENV = new LinkedHashMap<>();

    static {
        ENV.put("host", "PGHOST");
        ENV.put("hostaddr", "PGHOSTADDR");
        ENV.put("port", "PGPORT");
        ENV.put("dbname", "PGDATABASE");
        ENV.put("user", "PGUSER");
        ENV.put("password", "PGPASSWORD");
        ENV.put("passfile", "PGPASSFILE");
        ENV.put("application_name", "PGAPPNAME");
        ENV.put("fallback_application_name", null);
        ENV.put("connect_timeout", "PGCONNECT_TIMEOUT");
        ENV.put("options", "PGOPTIONS");
        ENV.put("sslmode", "PGSSLMODE");
        ENV.put("sslcert", "PGSSLCERT");
        ENV.put("sslkey", "PGSSLKEY");
        ENV.put("sslrootcert", "PGSSLROOTCERT");
        ENV.put("sslpassword", null);
        ENV.put("keepalives", null);
        ENV.put("target_session_attrs", "PGTARGETSESSIONATTRS");
        ENV.put("gssencmode", "PGGSSENCMODE");
        ENV.put("krbsrvname", "PGKRBSRVNAME");
    }

    private static final Set<String> SSLMODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    private static final Map<String, String> TARGET_SESSION_ATTRS = Map.of("any", "any", "read-write", "primary",
            "primary", "primary", "read-only", "secondary", "standby", "secondary", "prefer-standby", "preferSecondary");

    private final Map<String, String> params; // after the environment and the defaults

    private ConnInfo(Map<String, String> params) {
        this.params = params;
    }

    /**
     * Parses {@code connstr} and completes it from {@code env} and {@code osUser}.
     *
     * @throws IllegalArgumentException with libpq's kind of message when the string is malformed
     *                                  or names a parameter we cannot pass on to pgjdbc
     */
    static ConnInfo parse(String connstr, Map<String, String> env, String osUser) {
        Map<String, String> given = connstr.startsWith("postgresql://") || connstr.startsWith("postgres://")
                ? parseUri(connstr) : parseKeywords(connstr);
        String service = given.remove("service");
        if (service == null) {
            service = env.get("PGSERVICE");
        }
        if (service != null && !service.isEmpty()) {
            fromService(service, given);
        }
        Map<String, String> all = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!ENV.containsKey(e.getKey())) {
                throw new IllegalArgumentException("invalid connection option \"" + e.getKey()
                        + "\" (not a libpq option, or one pgjdbc cannot take)");
            }
        }
        for (Map.Entry<String, String> k : ENV.entrySet()) {
            String v = given.get(k.getKey());
            if (v == null && k.getValue() != null) {
                v = env.get(k.getValue());
            }
            if (v != null && !(v.isEmpty() && !"password".equals(k.getKey()))) {
                all.put(k.getKey(), v);
            }
        }
        all.putIfAbsent("host", DEFAULT_SOCKET_DIR);
        all.putIfAbsent("port", "5432");
        all.putIfAbsent("user", osUser);
        all.putIfAbsent("dbname", all.get("user"));
        ConnInfo c = new ConnInfo(all);
        c.validate();
        return c;
    }

    /**
     * The settings of service {@code name} in pg_service.conf (PGSERVICEFILE, ~/.pg_service.conf,
     * PGSYSCONFDIR/pg_service.conf, as libpq; read by pgjdbc's parser) for what {@code given}
     * leaves out: the connection string wins, the environment comes after.
     */
    private static void fromService(String name, Map<String, String> given) {
        java.util.Properties p = org.postgresql.jdbcurlresolver.PgServiceConfParser.getServiceProperties(name);
        if (p == null) {
            throw new IllegalArgumentException("definition of service \"" + name + "\" not found"
                    + " (looked in PGSERVICEFILE, ~/.pg_service.conf and PGSYSCONFDIR/pg_service.conf; pgjdbc, which"
                    + " reads them, also refuses a service with a key it does not know and logs which)");
        }
        for (String k : p.stringPropertyNames()) {
            String key = k.equals("PGHOST") ? "host" : k.equals("PGPORT") ? "port" : k.equals("PGDBNAME") ? "dbname" : k;
            if (!ENV.containsKey(key)) {
                throw new IllegalArgumentException("service \"" + name + "\": invalid connection option \"" + key
                        + "\" (not a libpq option, or one pgjdbc cannot take)");
            }
            given.putIfAbsent(key, p.getProperty(k));
        }
    }

    private void validate() {
        if (params.get("host").contains(",") || params.get("port").contains(",")) {
            throw new IllegalArgumentException("more than one host or port is not supported: host="
                    + params.get("host") + " port=" + params.get("port"));
        }
        int port;
        try {
            port = Integer.parseInt(params.get("port").strip());
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("invalid port number: \"" + params.get("port") + "\"");
        }
        if (params.containsKey("connect_timeout")) {
            intParam("connect_timeout");
        }
        String sslmode = params.get("sslmode");
        if (sslmode != null && !SSLMODES.contains(sslmode)) {
            throw new IllegalArgumentException("invalid sslmode value: \"" + sslmode + "\"");
        }
        String tsa = params.get("target_session_attrs");
        if (tsa != null && !TARGET_SESSION_ATTRS.containsKey(tsa)) {
            throw new IllegalArgumentException("invalid target_session_attrs value: \"" + tsa + "\"");
        }
        if (params.get("host").startsWith("@")) {
            throw new IllegalArgumentException("abstract Unix sockets are not supported: host=" + params.get("host"));
        }
    }

    private int intParam(String key) {
        try {
            return Integer.parseInt(params.get(key).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid integer value \"" + params.get(key) + "\" for connection option \"" + key + "\"");
        }
    }

    String dbname() {
        return params.get("dbname");
    }

    String user() {
        return params.get("user");
    }

    /** True when the connection goes over a Unix socket. */
    boolean isUnixSocket() {
        return !params.containsKey("hostaddr") && params.get("host").startsWith("/");
    }

    /** The socket file for a Unix-socket connection: {@code <dir>/.s.PGSQL.<port>}. */
    String socketPath() {
        String dir = params.get("host");
        return (dir.endsWith("/") ? dir : dir + "/") + ".s.PGSQL." + params.get("port").strip();
    }

    /** A copy that connects to {@code dbname} instead (the other databases of a server). */
    ConnInfo withDbname(String dbname) {
        Map<String, String> p = new LinkedHashMap<>(params);
        p.put("dbname", dbname);
        return new ConnInfo(p);
    }

    /** Where it connects, without the password: for log lines and messages. */
    String describe() {
        String where = isUnixSocket() ? socketPath() : params.getOrDefault("hostaddr", params.get("host")) + ":" + params.get("port");
        return "dbname=" + dbname() + " user=" + user() + " at " + where;
    }

    /** The JDBC URL; with {@link #jdbcProperties} it makes the connection. */
    String jdbcUrl() {
        String host = isUnixSocket() ? "localhost" : params.getOrDefault("hostaddr", params.get("host"));
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]"; // IPv6 literal
        }
        return "jdbc:postgresql://" + host + ":" + params.get("port").strip() + "/"
                + URLEncoder.encode(dbname(), StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Properties for pgjdbc; {@code defaultAppName} unless the string or PGAPPNAME names one. */
    Properties jdbcProperties(String defaultAppName) {
        Properties p = new Properties();
        p.setProperty("user", user());
        if (params.containsKey("password")) {
            p.setProperty("password", params.get("password"));
        }
        if (isUnixSocket()) {
            p.setProperty("socketFactory", UNIX_SOCKET_FACTORY);
            p.setProperty("socketFactoryArg", socketPath());
            p.setProperty("sslmode", "disable"); // libpq never uses SSL over a Unix socket
        } else if (params.containsKey("sslmode")) {
            p.setProperty("sslmode", params.get("sslmode"));
        }
        String app = params.getOrDefault("application_name", params.getOrDefault("fallback_application_name", defaultAppName));
        p.setProperty("ApplicationName", app);
        copy(p, "connect_timeout", "connectTimeout");
        copy(p, "options", "options");
        copy(p, "sslcert", "sslcert");
        copy(p, "sslkey", "sslkey");
        copy(p, "sslrootcert", "sslrootcert");
        copy(p, "sslpassword", "sslpassword");
        copy(p, "gssencmode", "gssEncMode");
        copy(p, "krbsrvname", "kerberosServerName");
        if (params.containsKey("keepalives")) {
            p.setProperty("tcpKeepAlive", "0".equals(params.get("keepalives").strip()) ? "false" : "true");
        }
        if (params.containsKey("target_session_attrs")) {
            p.setProperty("targetServerType", TARGET_SESSION_ATTRS.get(params.get("target_session_attrs")));
        }
        return p;
    }

    /** The password file named by the string or PGPASSFILE, if any (pgjdbc reads ~/.pgpass otherwise). */
    String passfile() {
        return params.get("passfile");
    }

    private void copy(Properties p, String key, String jdbcKey) {
        if (params.containsKey(key)) {
            p.setProperty(jdbcKey, params.get(key).strip());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnInfo && ((ConnInfo) o).params.equals(params);
    }

    @Override
    public int hashCode() {
        return params.hashCode();
    }

    /** The key/value form, as libpq's conninfo_parse reads it. */
    static Map<String, String> parseKeywords(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            int start = i;
            while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            String key = s.substring(start, i);
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n || s.charAt(i) != '=') {
                throw new IllegalArgumentException("missing \"=\" after \"" + key + "\" in connection info string");
            }
            i++;
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder v = new StringBuilder();
            if (i < n && s.charAt(i) == '\'') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException("unterminated quoted string in connection info string");
                    }
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        v.append(s.charAt(i++));
                    } else if (c == '\'') {
                        break;
                    } else {
                        v.append(c);
                    }
                }
            } else {
                while (i < n && !Character.isWhitespace(s.charAt(i))) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        v.append(s.charAt(i++));
                    } else {
                        v.append(c);
                    }
                }
            }
            out.put(key.toLowerCase(Locale.ROOT), v.toString());
        }
    }

    /** The URI form: {@code postgresql://[user[:password]@][host][:port][/dbname][?key=value&...]}. */
    static Map<String, String> parseUri(String uri) {
        Map<String, String> out = new LinkedHashMap<>();
        String rest = uri.substring(uri.indexOf("://") + 3);
        int q = rest.indexOf('?');
        String query = q < 0 ? null : rest.substring(q + 1);
        rest = q < 0 ? rest : rest.substring(0, q);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        if (slash >= 0 && slash + 1 < rest.length()) {
            out.put("dbname", decode(rest.substring(slash + 1), uri));
        }
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userinfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userinfo.indexOf(':');
            String user = colon < 0 ? userinfo : userinfo.substring(0, colon);
            if (!user.isEmpty()) {
                out.put("user", decode(user, uri));
            }
            if (colon >= 0) {
                out.put("password", decode(userinfo.substring(colon + 1), uri));
            }
        }
        String host = authority;
        String port = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing \"]\" in IPv6 host address in URI: \"" + uri + "\"");
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (after.startsWith(":")) {
                port = after.substring(1);
            } else if (!after.isEmpty()) {
                throw new IllegalArgumentException("unexpected character after IPv6 host address in URI: \"" + uri + "\"");
            }
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon >= 0) {
                host = authority.substring(0, colon);
                port = authority.substring(colon + 1);
            }
        }
        if (!host.isEmpty()) {
            out.put("host", decode(host, uri));
        }
        if (port != null && !port.isEmpty()) {
            out.put("port", decode(port, uri));
        }
        if (query != null && !query.isEmpty()) {
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("missing key/value separator \"=\" in URI query parameter: \"" + kv + "\"");
                }
                String key = decode(kv.substring(0, eq), uri).toLowerCase(Locale.ROOT);
                if ("ssl".equals(key) && "true".equals(kv.substring(eq + 1))) {
                    out.put("sslmode", "require"); // the JDBC spelling libpq also accepts
                } else {
                    out.put(key, decode(kv.substring(eq + 1), uri));
                }
            }
        }
        return out;
    }

    /** Percent-decoding as libpq does it: '+' stays '+'; a bad escape is an error. */
    private static String decode(String s, String uri) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("invalid percent-encoded token: \"" + s + "\" in URI \"" + uri + "\"");
                }
                b.write(hi * 16 + lo);
                i += 3;
            } else {
                int cp = s.codePointAt(i);
                byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                b.write(bytes, 0, bytes.length);
                i += Character.charCount(cp);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
