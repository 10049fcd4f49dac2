package org.pgqjava.pljvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqjava.pljvm.Backends.assertError;
import static org.pgqjava.testsupport.Sql.describe;
import static org.pgqjava.testsupport.Sql.error;
import static org.pgqjava.testsupport.Sql.exec;
import static org.pgqjava.testsupport.Sql.one;
import static org.pgqjava.testsupport.Sql.oneLong;
import static org.pgqjava.testsupport.Sql.pid;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.pgqjava.testsupport.PgDatabase;
import org.pgqjava.testsupport.PgServer;
import org.pgqjava.testsupport.PgTest;
import org.postgresql.util.ServerErrorMessage;
import org.pgqjava.testsupport.Sql;

/**
 * The jar store: replacing a jar reaches running backends at their next call (and only when
 * committed), class paths per schema, and the checks of install_jar, remove_jar, set_classpath
 * and CREATE FUNCTION. Each test uses its own jar and schema names: the class shares one database.
 */
@PgTest(setup = FixturesTemplate.class)
@Timeout(value = 120, threadMode = ThreadMode.SEPARATE_THREAD)
class JarsIT {
    private static final String FNS = "org.pgqjava.pljvm.fixtures.Fns.";
    private static byte[] v1;
    private static byte[] v2;
    private static byte[] v3;

    @BeforeAll
    static void compileVersions() throws Exception {
        v1 = ver("v1");
        v2 = ver("v2");
        v3 = ver("v3");
    }

    /** A jar with class org.example.Ver whose version() returns {@code v}. */
    private static byte[] ver(String v) throws Exception {
        return TestJars.compile(Map.of("org.example.Ver", "package org.example;\n"
                + "public class Ver { public static String version() { return \"" + v + "\"; } }\n"));
    }

    @Test
    void replacedJarIsUsedByNewAndRunningBackends(Connection admin, Connection running, PgDatabase db)
            throws Exception {
        versionFunction(admin, "rep", v1);
        assertEquals("v1", one(running, "select rep.version()"));
        int pid = pid(running);

        TestJars.install(admin, "rep", v2); // autocommit: committed now
        assertEquals("v2", one(running, "select rep.version()"), "the running backend at its next call");
        assertEquals(pid, pid(running));
        try (Connection fresh = db.connect()) {
            assertEquals("v2", one(fresh, "select rep.version()"), "a new backend");
        }
        assertEquals("v2", one(admin, "select rep.version()"), "the backend that replaced it");
        // other functions of the backend keep working across the reload
        assertEquals(3L, oneLong(running, "select jnoop(3)"));
    }

    @Test
    void replacementRolledBackIsNotSeen(Connection admin, Connection other) throws Exception {
        versionFunction(admin, "rb", v1);
        assertEquals("v1", one(other, "select rb.version()"));
        admin.setAutoCommit(false);
        try {
            TestJars.install(admin, "rb", v3);
            assertEquals("v3", one(admin, "select rb.version()"), "the installing transaction sees its jar");
            assertEquals("v1", one(other, "select rb.version()"), "uncommitted jar seen by another backend");
        } finally {
            admin.rollback();
            admin.setAutoCommit(true);
        }
        assertEquals("v1", one(other, "select rb.version()"), "rolled back jar seen by another backend");
        assertEquals("v1", one(admin, "select rb.version()"), "rolled back jar still used by the backend that installed it");
    }

    @Test
    void eachSchemaUsesItsOwnClassPathElseTheGlobalOne(Connection admin, PgDatabase db) throws Exception {
        TestJars.install(admin, "cp_j1", v1);
        TestJars.install(admin, "cp_j2", v2);
        exec(admin, "select pljvm.set_classpath('cp_s1', array['cp_j1'])");
        exec(admin, "select pljvm.set_classpath('cp_s2', array['cp_j2'])");
        exec(admin, "select pljvm.set_classpath('cp_s4', array['cp_j2', 'cp_j1'])");
        for (String s : new String[] {"cp_s1", "cp_s2", "cp_s4"}) {
            exec(admin, "create schema " + s);
            exec(admin, "create function " + s + ".version() returns text language pljvm as 'org.example.Ver.version'");
        }
        // no class path of its own: the global one (the fixtures jar)
        exec(admin, "create schema cp_s3");
        exec(admin, "create function cp_s3.noop(int8) returns int8 language pljvm as '" + FNS + "noop'");

        try (Connection fresh = db.connect()) {
            // two classes of one name from two class paths, in one backend, in one statement
            assertEquals("v1|v2|v2", one(fresh, "select cp_s1.version() || '|' || cp_s2.version() || '|' || cp_s4.version()"));
            assertEquals(9L, oneLong(fresh, "select cp_s3.noop(9)"));
        }
        // a schema's own class path replaces the global one, it does not extend it
        ServerErrorMessage e = error(admin, "create function cp_s1.noop(int8) returns int8 language pljvm as '"
                + FNS + "noop'");
        assertError(e, "42883", "class org.pgqjava.pljvm.fixtures.Fns not found");
        assertTrue(e.getDetail() != null && e.getDetail().contains("cp_j1"), describe(e));
        // and the global one does not have Ver
        assertError(error(admin, "create function cp_s3.version() returns text language pljvm as 'org.example.Ver.version'"),
                "42883", "class org.example.Ver not found");

        // dropping a schema's class path falls back to the global one at the next call
        exec(admin, "select pljvm.set_classpath('cp_s1', null)");
        exec(admin, "create function cp_s1.noop(int8) returns int8 language pljvm as '" + FNS + "noop'");
        assertEquals(4L, oneLong(admin, "select cp_s1.noop(4)"));
        assertError(error(admin, "select cp_s1.version()"), "42883", "class org.example.Ver not found");
    }

    @Test
    void aStoredJarSeesPljvmAndTheJdkAndOnlyAUserClassPathThroughTheAppLoader(Connection admin,
            Connection custom) throws Exception {
        byte[] jar = TestJars.compile(Map.of("org.example.Who", "package org.example;\n"
                + "public class Who {\n"
                + "  public static String parent() { return Who.class.getClassLoader().getParent().getName(); }\n"
                + "  public static String api() throws Exception {\n"
                + "    return String.valueOf(Class.forName(\"org.pgqjava.pljvm.Spi\").getClassLoader())\n"
                + "        + \" \" + java.sql.Types.class.getClassLoader().getName(); }\n"
                + "  public static String resource() throws Exception {\n"
                + "    try (java.io.InputStream in = Who.class.getResourceAsStream(\"Who.class\")) {\n"
                + "      return in.readAllBytes().length > 0 ? \"read\" : \"empty\"; } }\n"
                + "}\n"));
        TestJars.install(admin, "who", jar);
        exec(admin, "select pljvm.set_classpath('who', array['who'])");
        exec(admin, "create schema who");
        for (String f : List.of("parent", "api", "resource")) {
            exec(admin, "create function who." + f + "() returns text language pljvm as 'org.example.Who." + f + "'");
        }
        // pljvm.classpath is one pljvm.jar: the jar's loader delegates to the platform loader,
        // pljvm's classes are boot classes, platform modules are visible
        assertEquals("platform", one(admin, "select who.parent()"));
        assertEquals("null platform", one(admin, "select who.api()"));
        assertEquals("read", one(admin, "select who.resource()"));
        // another class path: what is on it stays visible through the application loader
        exec(custom, "set pljvm.classpath = '" + one(custom, "select setting from pg_config where name = 'PKGLIBDIR'")
                + "/pljvm.jar:/nonexistent/extra.jar'");
        assertEquals("app", one(custom, "select who.parent()"));
        assertEquals("null platform", one(custom, "select who.api()"));
    }

    @Test
    void installJarChecksItsInput(Connection c) throws Exception {
        assertError(error(c, "select pljvm.install_jar('x', '\\x0102'::bytea)"), "22023", "\"x\" is not a jar file");
        assertError(error(c, "select pljvm.install_jar('x', '\\x504b'::bytea)"), "22023", "is not a jar file");
        assertError(error(c, "select pljvm.install_jar('no/slash', '\\x504b0304'::bytea)"), "22023", "invalid jar name");
        assertError(error(c, "select pljvm.install_jar(null, '\\x504b0304'::bytea)"), "22004", "must not be null");
        assertEquals(0L, oneLong(c, "select count(*) from pljvm.jar where jar_name in ('x', 'no/slash')"));
    }

    @Test
    void removeJarRefusesJarsInUseAndUnknownJars(Connection c) throws Exception {
        TestJars.install(c, "rm_j", v1);
        exec(c, "select pljvm.set_classpath('rm_s', array['rm_j'])");
        ServerErrorMessage e = error(c, "select pljvm.remove_jar('rm_j')");
        assertError(e, "2BP01", "is on the class path of schema 'rm_s'");
        assertError(error(c, "select pljvm.remove_jar('rm_nosuchjar')"), "42704", "is not installed");

        exec(c, "select pljvm.set_classpath('rm_s', array[]::text[])");
        exec(c, "select pljvm.remove_jar('rm_j')");
        assertEquals(0L, oneLong(c, "select count(*) from pljvm.jar where jar_name = 'rm_j'"));
        assertEquals(0L, oneLong(c, "select count(*) from pljvm.classpath where schema_name = 'rm_s'"));
        // the fixtures jar, on the global class path, cannot go either
        assertError(error(c, "select pljvm.remove_jar('fixtures')"), "2BP01", "class path of schema ''");
    }

    @Test
    void setClasspathRefusesMissingJars(Connection c) throws Exception {
        ServerErrorMessage e = error(c, "select pljvm.set_classpath('sc_s', array['fixtures', 'sc_nosuchjar'])");
        assertError(e, "42704", "jar 'sc_nosuchjar' is not installed");
        assertEquals(0L, oneLong(c, "select count(*) from pljvm.classpath where schema_name = 'sc_s'"));
    }

    @Test
    void createFunctionChecksTheClassIsOnTheClassPath(Connection c) throws Exception {
        ServerErrorMessage e = error(c, "create function nf_missing(int8) returns int8 language pljvm"
                + " as 'org.example.NoSuchClass.f'");
        assertError(e, "42883", "class org.example.NoSuchClass not found");
        assertTrue(e.getHint() != null && e.getHint().contains("pljvm.install_jar")
                && e.getHint().contains("pljvm.set_classpath"), describe(e));
        assertEquals(0L, oneLong(c, "select count(*) from pg_proc where proname = 'nf_missing'"));
    }

    @Test
    void nonSuperuserCannotManageJarsNorCreatePljvmFunctions(Connection admin, PgServer server, PgDatabase db)
            throws Exception {
        String role = role(admin, "nsu");
        try (Connection user = connectAs(server, db, role)) {
            try (PreparedStatement ps = user.prepareStatement("select pljvm.install_jar('nsu', ?)")) {
                ps.setBytes(1, v1);
                ServerErrorMessage e = Sql.serverError(assertThrows(SQLException.class, ps::execute), "install_jar");
                assertError(e, "42501", "permission denied for function install_jar");
            }
            assertError(error(user, "select pljvm.remove_jar('fixtures')"), "42501", "permission denied for function remove_jar");
            assertError(error(user, "select pljvm.set_classpath('', array['fixtures'])"), "42501",
                    "permission denied for function set_classpath");
            assertError(error(user, "select count(*) from pljvm.jar"), "42501", "permission denied for table jar");
            assertError(error(user, "create function " + role + ".f(int8) returns int8 language pljvm as '" + FNS + "noop'"),
                    "42501", "permission denied for language pljvm");
        } finally {
            dropRole(admin, role);
        }
        assertEquals(0L, oneLong(admin, "select count(*) from pljvm.jar where jar_name = 'nsu'"));
    }

    @Test
    void nonSuperuserCanCallPljvmFunctions(Connection admin, PgServer server, PgDatabase db) throws Exception {
        // EXECUTE on functions is PUBLIC by default: a superuser creates pljvm functions, others
        // call them. The first call of a backend loads the jars (and reloads them after any change)
        String role = role(admin, "call");
        try (Connection user = connectAs(server, db, role)) {
            assertEquals(false, one(user, "select rolsuper from pg_roles where rolname = current_user"));
            assertEquals(6L, oneLong(user, "select jnoop(6)"));
            assertEquals("é#2", one(user, "select jgreet(2, 'é')"));
        } finally {
            dropRole(admin, role);
        }
    }

    /** Jar {@code name} with Ver of the given bytes, on the class path of schema {@code name}, with {@code name.version()}. */
    private static void versionFunction(Connection admin, String name, byte[] jar) throws SQLException {
        TestJars.install(admin, name, jar);
        exec(admin, "select pljvm.set_classpath('" + name + "', array['" + name + "'])");
        exec(admin, "create schema " + name);
        exec(admin, "create function " + name + ".version() returns text language pljvm as 'org.example.Ver.version'");
    }

    /** A login role (not superuser) with a schema of its own and USAGE on schema pljvm. */
    private static String role(Connection admin, String hint) throws SQLException {
        String role = "jarsit_" + hint + "_" + ProcessHandle.current().pid();
        exec(admin, "create role " + role + " login");
        exec(admin, "create schema " + role + " authorization " + role);
        exec(admin, "grant usage on schema pljvm to " + role);
        return role;
    }

    private static void dropRole(Connection admin, String role) throws SQLException {
        exec(admin, "drop schema if exists " + role + " cascade");
        exec(admin, "drop owned by " + role);
        exec(admin, "drop role " + role);
    }

    private static Connection connectAs(PgServer server, PgDatabase db, String role) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + db.name()
                + "?user=" + role);
    }
}
