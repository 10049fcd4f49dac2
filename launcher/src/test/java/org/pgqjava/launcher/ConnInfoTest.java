package org.pgqjava.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class ConnInfoTest {

    private static ConnInfo parse(String s) {
        return ConnInfo.parse(s, Map.of(), "osuser");
    }

    private static String error(String s) {
        return assertThrows(IllegalArgumentException.class, () -> parse(s)).getMessage();
    }

    @Test
    void keywordsWithQuotesAndEscapes() {
        Map<String, String> m = ConnInfo.parseKeywords(" dbname = 'my db'  user=u\\ 1 password='it\\'s' host=/tmp port=5433 options='-c x=\\'y\\''");
        assertEquals("my db", m.get("dbname"));
        assertEquals("u 1", m.get("user"));
        assertEquals("it's", m.get("password"));
        assertEquals("/tmp", m.get("host"));
        assertEquals("-c x='y'", m.get("options"));
    }

    @Test
    void keywordErrorsAsLibpqSaysThem() {
        assertEquals("missing \"=\" after \"dbname\" in connection info string", error("dbname"));
        assertEquals("unterminated quoted string in connection info string", error("dbname='x"));
        assertTrue(error("dbname=x nosuch=1").startsWith("invalid connection option \"nosuch\""));
        assertEquals("invalid port number: \"abc\"", error("port=abc"));
        assertEquals("invalid sslmode value: \"sometimes\"", error("sslmode=sometimes"));
        assertTrue(error("host=a,b").startsWith("more than one host"));
    }

    @Test
    void unixSocketGoesThroughJunixsocket() {
        ConnInfo c = parse("dbname=x host=/var/run/postgresql port=5433 user=u");
        assertTrue(c.isUnixSocket());
        assertEquals("/var/run/postgresql/.s.PGSQL.5433", c.socketPath());
        assertEquals("jdbc:postgresql://localhost:5433/x", c.jdbcUrl());
        Properties p = c.jdbcProperties("pgqadm");
        assertEquals(ConnInfo.UNIX_SOCKET_FACTORY, p.getProperty("socketFactory"));
        assertEquals("/var/run/postgresql/.s.PGSQL.5433", p.getProperty("socketFactoryArg"));
        assertEquals("u", p.getProperty("user"));
        assertEquals("pgqadm", p.getProperty("ApplicationName"));
        assertNull(p.getProperty("password"));
    }

    @Test
    void defaultsAreLibpqs() {
        ConnInfo c = parse("");
        assertEquals("osuser", c.user());
        assertEquals("osuser", c.dbname());
        assertEquals(ConnInfo.DEFAULT_SOCKET_DIR + "/.s.PGSQL.5432", c.socketPath());
    }

    @Test
    void environmentFillsTheGaps() {
        Map<String, String> env = Map.of("PGHOST", "db.example", "PGPORT", "6000", "PGUSER", "envuser",
                "PGDATABASE", "envdb", "PGPASSWORD", "secret", "PGAPPNAME", "app", "PGSSLMODE", "require");
        ConnInfo c = ConnInfo.parse("dbname=given", env, "osuser");
        assertFalse(c.isUnixSocket());
        assertEquals("jdbc:postgresql://db.example:6000/given", c.jdbcUrl());
        Properties p = c.jdbcProperties("pgqadm");
        assertEquals("envuser", p.getProperty("user"));
        assertEquals("secret", p.getProperty("password"));
        assertEquals("app", p.getProperty("ApplicationName"));
        assertEquals("require", p.getProperty("sslmode"));
        assertEquals("jdbc:postgresql://db.example:6000/envdb", ConnInfo.parse("", env, "osuser").jdbcUrl());
    }

    @Test
    void uriForm() {
        ConnInfo c = parse("postgresql://us%40r:p%3Ass@[::1]:5444/my%20db?connect_timeout=5&application_name=x");
        assertEquals("jdbc:postgresql://[::1]:5444/my%20db", c.jdbcUrl());
        Properties p = c.jdbcProperties("pgqadm");
        assertEquals("us@r", p.getProperty("user"));
        assertEquals("p:ss", p.getProperty("password"));
        assertEquals("5", p.getProperty("connectTimeout"));
        assertEquals("x", p.getProperty("ApplicationName"));
        ConnInfo socket = parse("postgres://%2Fvar%2Frun%2Fpostgresql:5433/db");
        assertEquals("/var/run/postgresql/.s.PGSQL.5433", socket.socketPath());
        ConnInfo query = parse("postgresql:///db?host=/tmp/sock&user=me");
        assertEquals("/tmp/sock/.s.PGSQL.5432", query.socketPath());
        assertEquals("me", query.user());
        assertEquals("db", query.dbname());
        assertTrue(error("postgresql://h/db?bad").startsWith("missing key/value separator"));
        assertTrue(error("postgresql://h/db%zz").startsWith("invalid percent-encoded token"));
    }

    @Test
    void withDbnameKeepsTheRestAndDescribeHidesThePassword() {
        ConnInfo c = parse("host=127.0.0.1 port=5555 user=u password=secret dbname=a").withDbname("b");
        assertEquals("jdbc:postgresql://127.0.0.1:5555/b", c.jdbcUrl());
        assertEquals("secret", c.jdbcProperties("x").getProperty("password"));
        assertEquals("dbname=b user=u at 127.0.0.1:5555", c.describe());
        assertEquals(parse("dbname=a host=h"), parse("host=h dbname=a"));
    }

    @Test
    void aServiceOfPgServiceConfFillsWhatTheStringLeavesOut(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("pg_service.conf");
        java.nio.file.Files.writeString(file, "[orders]\nhost=/run/pg\nport=5433\ndbname=shop\nuser=ticker\n\n[odd]\nfoo=bar\n\n[jdbcish]\nconnectTimeout=3\n");
        String old = System.getProperty("org.postgresql.pgservicefile");
        System.setProperty("org.postgresql.pgservicefile", file.toString());
        try {
            ConnInfo c = ConnInfo.parse("service=orders dbname=other", Map.of("PGPORT", "6000"), "osuser");
            assertEquals("other", c.dbname(), "the string wins over the service");
            assertTrue(c.jdbcUrl().contains("5433"), "the service wins over the environment: " + c.jdbcUrl());
            assertEquals("shop", ConnInfo.parse("", Map.of("PGSERVICE", "orders"), "osuser").dbname(), "PGSERVICE");
            assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("service=nosuch")).getMessage()
                    .startsWith("definition of service \"nosuch\" not found (looked in PGSERVICEFILE, ~/.pg_service.conf"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("service=odd")).getMessage()
                    .startsWith("definition of service \"odd\" not found"), "pgjdbc refuses its unknown key foo");
            assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("service=jdbcish")).getMessage()
                    .startsWith("service \"jdbcish\": invalid connection option \"connectTimeout\""), "a pgjdbc-only key");
        } finally {
            if (old == null) {
                System.clearProperty("org.postgresql.pgservicefile");
            } else {
                System.setProperty("org.postgresql.pgservicefile", old);
            }
        }
    }
}
