package org.pgqjava.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit 5 extension behind {@link PgTest}: each test class gets a fresh database on the
 * {@link PgServer} of the run, cloned from the template named by {@link PgTest#setup()}, and
 * dropped ({@code WITH (FORCE)}) after the class. {@code @Nested} classes share the database of
 * the class they are nested in.
 *
 * <p>Parameters it resolves, in test methods, lifecycle methods and constructors:
 * <ul>
 * <li>{@link Connection}: a new connection to the class's database, autocommit on. Asked for by a
 *     test method or {@code @BeforeEach}/{@code @AfterEach}: closed when that method's test ends.
 *     Asked for by {@code @BeforeAll}, {@code @AfterAll} or a constructor: closed after the class.
 *     Every parameter is its own connection, so two {@code Connection} parameters do not share a
 *     transaction.</li>
 * <li>{@link PgDatabase}: the class's database (name, more connections, psql).</li>
 * <li>{@link PgServer}: the server (port, server log, postmaster pid).</li>
 * </ul>
 * Database names are {@code pgtest_<jvm pid>_<n>_<class>}: unique even when two runs share a
 * server through {@code PGTEST_URL}. With {@code PGTEST_KEEP=1} nothing is dropped.
 */
public final class PgExtension implements BeforeAllCallback, ParameterResolver {

    private static final Namespace NS = Namespace.create(PgExtension.class);
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final AtomicBoolean serverCloserRegistered = new AtomicBoolean();
    static final boolean KEEP = "1".equals(System.getenv("PGTEST_KEEP"));

    @Override
    public void beforeAll(ExtensionContext ctx) {
        classDatabase(ctx); // now rather than at the first parameter: a failure shows on the class
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ctx) {
        Class<?> t = pc.getParameter().getType();
        return t == Connection.class || t == PgDatabase.class || t == PgServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ctx) {
        Class<?> t = pc.getParameter().getType();
        if (t == PgServer.class) {
            return server(ctx);
        }
        ClassDatabase db = classDatabase(ctx);
        if (t == PgDatabase.class) {
            return db.database;
        }
        try {
            if (ctx.getTestMethod().isPresent()) {
                Connection c = db.database.connect();
                ctx.getStore(NS).put(new Object(), c); // JUnit closes AutoCloseable store values
                return c;
            }
            return db.openForClass();
        } catch (SQLException e) {
            throw new ParameterResolutionException("cannot connect to " + db.database, e);
        }
    }

    /** The run's server; the first caller ties its stop to the end of the JUnit run. */
    private static PgServer server(ExtensionContext ctx) {
        PgServer server = PgServer.get();
        if (serverCloserRegistered.compareAndSet(false, true)) {
            ctx.getRoot().getStore(NS).put(ServerCloser.class, new ServerCloser());
        }
        return server;
    }

    /** The database of the test class of {@code ctx} (or of the class it is nested in). */
    private static ClassDatabase classDatabase(ExtensionContext ctx) {
        ExtensionContext classCtx = ctx;
        while (classCtx.getTestMethod().isPresent() && classCtx.getParent().isPresent()) {
            classCtx = classCtx.getParent().get();
        }
        ExtensionContext c = classCtx;
        // store lookups see the enclosing class's store too: that is how @Nested shares it
        return c.getStore(NS).getOrComputeIfAbsent(ClassDatabase.class, k -> createClassDatabase(c), ClassDatabase.class);
    }

    private static ClassDatabase createClassDatabase(ExtensionContext classCtx) {
        PgServer server = server(classCtx);
        Class<?> testClass = classCtx.getRequiredTestClass();
        Class<? extends TemplateSetup> setup = setupOf(testClass);
        String template = setup == TemplateSetup.None.class ? "template0"
                : classCtx.getRoot().getStore(NS).getOrComputeIfAbsent(setup,
                        k -> TemplateDatabase.build(server, setup, newName("tpl_" + setup.getSimpleName())),
                        TemplateDatabase.class).name;
        String name = newName(testClass.getSimpleName());
        execute(server, "CREATE DATABASE " + name + " TEMPLATE " + template);
        return new ClassDatabase(new PgDatabase(server, name));
    }

    private static Class<? extends TemplateSetup> setupOf(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Optional<PgTest> a = AnnotationSupport.findAnnotation(c, PgTest.class);
            if (a.isPresent()) {
                return a.get().setup();
            }
        }
        return TemplateSetup.None.class;
    }

    /** {@code pgtest_<pid>_<n>_<hint>}, lower case, cut to PostgreSQL's 63 bytes. */
    private static String newName(String hint) {
        String name = "pgtest_" + ProcessHandle.current().pid() + "_" + SEQ.incrementAndGet() + "_"
                + hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    /** Runs {@code sql} in the {@code postgres} database (CREATE/DROP DATABASE need another one). */
    static void execute(PgServer server, String sql) {
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage() + " (on " + server + ")", e);
        }
    }

    /** Stops the server when the JUnit run ends (root store values close last). */
    private static final class ServerCloser implements AutoCloseable {
        @Override
        public void close() {
            serverCloserRegistered.set(false);
            PgServer.stopCurrent();
        }
    }

    /** A test class's database and the class-lifetime connections into it. */
    private static final class ClassDatabase implements AutoCloseable {
        final PgDatabase database;
        private final List<Connection> classConnections = new ArrayList<>();

        ClassDatabase(PgDatabase database) {
            this.database = database;
        }

        synchronized Connection openForClass() throws SQLException {
            Connection c = database.connect();
            classConnections.add(c);
            return c;
        }

        @Override
        public synchronized void close() throws SQLException {
            for (Connection c : classConnections) {
                c.close();
            }
            if (KEEP) {
                System.err.println("pgtest: PGTEST_KEEP=1, kept " + database);
            } else {
                // the server is gone already when the run ended first; then there is nothing to drop
                PgServer.running().ifPresent(s -> execute(s, "DROP DATABASE IF EXISTS " + database.name() + " WITH (FORCE)"));
            }
        }
    }
}
