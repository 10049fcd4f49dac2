package org.pgqjava.testsupport;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A template database built by a {@link TemplateSetup}, once per run; dropped when the run ends
 * (which matters only with PGTEST_URL: a managed server is thrown away whole).
 */
final class TemplateDatabase implements AutoCloseable {

    final String name;

    private TemplateDatabase(String name) {
        this.name = name;
    }

    /**
     * Creates database {@code name} from template0 and runs {@code setup} in it; on failure drops
     * it again and throws, naming the setup class.
     */
    static TemplateDatabase build(PgServer server, Class<? extends TemplateSetup> setup, String name) {
        TemplateSetup instance;
        try {
            instance = setup.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("template setup " + setup.getName()
                    + " needs a public no-argument constructor", e);
        }
        PgExtension.execute(server, "CREATE DATABASE " + name + " TEMPLATE template0");
        try (Connection c = server.connect(name)) {
            instance.setUp(c);
        } catch (SQLException | RuntimeException e) {
            PgExtension.execute(server, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            throw new IllegalStateException("template setup " + setup.getName() + " failed: " + e.getMessage(), e);
        }
        return new TemplateDatabase(name);
    }

    @Override
    public void close() {
        if (PgExtension.KEEP) {
            return;
        }
        PgServer.running().ifPresent(s -> PgExtension.execute(s, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
    }
}
