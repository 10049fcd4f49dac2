package org.pgqjava.client;

import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import liquibase.Scope;
import liquibase.analytics.configuration.AnalyticsArgs;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

/** Installs the exactly-once tracking tables into a target database, as an application would: Liquibase update. */
public final class TrackingForTests {

    static final String CHANGELOG = "db/pgq-client/changelog.xml";

    private TrackingForTests() {
    }

    /** Runs the changelog; the connection keeps its autocommit mode (Liquibase turns it off). */
    public static void install(Connection target) throws Exception {
        boolean autoCommit = target.getAutoCommit();
        Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(target));
        Map<String, Object> scope = new HashMap<>();
        scope.put(Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor(TrackingForTests.class.getClassLoader()));
        scope.put(AnalyticsArgs.ENABLED.getKey(), false);
        Scope.child(scope, () -> new CommandScope(UpdateCommandStep.COMMAND_NAME)
                .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, CHANGELOG)
                .execute());
        target.setAutoCommit(autoCommit);
    }
}
