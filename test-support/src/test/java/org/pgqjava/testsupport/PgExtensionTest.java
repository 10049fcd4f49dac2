package org.pgqjava.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs small sample test classes through the Jupiter engine in-process and checks what the
 * extension did: separate databases, one template build, connections closed, databases dropped.
 * This class is itself a {@link PgTest}, so the server (and its stop at the end of the outer run)
 * belongs to the outer run, not to the samples' run.
 */
@PgTest
class PgExtensionTest {

    static final Map<String, String> databases = new ConcurrentHashMap<>();
    static final List<Connection> connections = new CopyOnWriteArrayList<>();
    static final AtomicInteger templateBuilds = new AtomicInteger();

    @BeforeEach
    void reset() {
        databases.clear();
        connections.clear();
        templateBuilds.set(0);
    }

    @Test
    void eachClassGetsItsOwnDatabaseFromOneTemplateBuildDroppedAfterwards(Connection c) throws SQLException {
        EngineExecutionResults results = run(SampleA.class, SampleB.class);
        results.testEvents().assertStatistics(s -> s.started(4).succeeded(4));

        String a = databases.get("SampleA");
        String b = databases.get("SampleB");
        assertNotNull(a);
        assertNotNull(b);
        assertNotEquals(a, b);
        assertEquals(a, databases.get("SampleA.Inner"), "@Nested shares the outer class's database");
        assertEquals(1, templateBuilds.get(), "the template is built once per run");
        assertEquals(4, connections.size());
        for (Connection used : connections) {
            assertTrue(used.isClosed(), "connection left open");
        }
        assertFalse(databaseExists(c, a));
        assertFalse(databaseExists(c, b));
        assertEquals("0", PgServerTest.query(c, "SELECT count(*) FROM pg_database WHERE datname LIKE 'pgtest%tpl_counting%'"));
    }

    @Test
    void noSetupMeansAnEmptyDatabase() {
        run(SamplePlain.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1));
        assertEquals(0, templateBuilds.get());
    }

    @Test
    void failingTemplateSetupFailsTheClassNamingTheSetup() {
        EngineExecutionResults results = run(SampleBrokenTemplate.class);
        results.containerEvents().assertStatistics(s -> s.failed(1));
        Throwable cause = results.containerEvents().failed().list().get(0)
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        assertTrue(String.valueOf(cause.getMessage()).contains(BrokenSetup.class.getName()), String.valueOf(cause));
    }

    private static EngineExecutionResults run(Class<?>... classes) {
        EngineTestKit.Builder b = EngineTestKit.engine("junit-jupiter");
        for (Class<?> cl : classes) {
            b = b.selectors(selectClass(cl));
        }
        return b.execute();
    }

    private static boolean databaseExists(Connection c, String name) throws SQLException {
        return !"0".equals(PgServerTest.query(c, "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'"));
    }

    public static final class CountingSetup implements TemplateSetup {
        @Override
        public List<String> statements() {
            templateBuilds.incrementAndGet();
            return List.of("CREATE TABLE from_template(x int)", "INSERT INTO from_template VALUES (7)");
        }
    }

    public static final class BrokenSetup implements TemplateSetup {
        @Override
        public List<String> statements() {
            return List.of("CREATE TABLE broken(");
        }
    }

    /** Shared body of SampleA and SampleB: fails if the two ran in one database. */
    abstract static class Sample {
        @BeforeAll
        static void record(PgDatabase db, Connection classConnection, org.junit.jupiter.api.TestInfo info) {
            databases.put(info.getTestClass().orElseThrow().getSimpleName(), db.name());
            connections.add(classConnection);
        }

        @Test
        void ownsTheDatabaseAndSeesTheTemplate(Connection c, PgDatabase db) throws SQLException {
            connections.add(c);
            assertEquals(db.name(), PgServerTest.query(c, "SELECT current_database()"));
            assertEquals("7", PgServerTest.query(c, "SELECT x FROM from_template"));
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE only_mine(x int)"); // fails if another class had this database
            }
        }
    }

    @PgTest(setup = CountingSetup.class)
    static class SampleA extends Sample {
        @Test
        void second(PgDatabase db) {
            assertTrue(db.name().contains("samplea"), db.name());
        }

        @Nested
        class Inner {
            @Test
            void sharesOuterDatabase(PgDatabase db) {
                databases.put("SampleA.Inner", db.name());
            }
        }
    }

    @PgTest(setup = CountingSetup.class)
    static class SampleB extends Sample {
    }

    @PgTest
    static class SamplePlain {
        @Test
        void isEmpty(Connection c) throws SQLException {
            assertEquals("0", PgServerTest.query(c,
                    "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"));
        }
    }

    @PgTest(setup = BrokenSetup.class)
    static class SampleBrokenTemplate {
        @Test
        void neverRuns() {
            throw new AssertionError("ran although the template setup failed");
        }
    }
}
