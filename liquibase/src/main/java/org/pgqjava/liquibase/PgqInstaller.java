package org.pgqjava.liquibase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import liquibase.Scope;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.analytics.configuration.AnalyticsArgs;
import liquibase.command.CommandScope;
import liquibase.command.core.ChangelogSyncCommandStep;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.command.core.helpers.ShowSummaryArgument;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.ResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs pgq-java into a database, or upgrades it, from code: runs the master changelog
 * {@value #MASTER_CHANGELOG} from the class path with Liquibase's {@code update} command, as
 * {@code liquibase update} and {@code mvn liquibase:update} do (see liquibase/README.md). The
 * changesets are the same whichever way runs them, so the three can be mixed on one database.
 *
 * <p>Needs a superuser connection: it creates extension pljvm, roles and functions in an
 * untrusted language. Liquibase's tracking tables DATABASECHANGELOG and DATABASECHANGELOGLOCK go
 * into the connection's default schema (normally public). Liquibase's log goes to SLF4J (logger
 * names {@code liquibase.*}); its anonymous usage analytics are switched off.
 */
public final class PgqInstaller {

    /** Class path location of the master changelog. */
    public static final String MASTER_CHANGELOG = "db/pgq/changelog-master.xml";

    private static final Logger log = LoggerFactory.getLogger(PgqInstaller.class);

    private PgqInstaller() {
    }

    /**
     * Brings the database of {@code c} to the current pgq-java: runs every changeset not yet run
     * and every run-on-change changeset whose content changed; on an up-to-date database it runs
     * nothing. Each changeset commits on its own; on failure the failed one is rolled back and the
     * ones before it stay. The connection stays open, with its auto-commit mode restored.
     *
     * @throws SQLException when a changeset fails (SQLSTATE and cause of the server error, the
     *                      message names the changeset) or Liquibase cannot run
     */
    public static void install(Connection c) throws SQLException {
        install(c, new ClassLoaderResourceAccessor(PgqInstaller.class.getClassLoader()));
    }

    /** As {@link #install(Connection)}, with the changelogs read through {@code resources} (tests: older states). */
    static void install(Connection c, ResourceAccessor resources) throws SQLException {
        String db = c.getCatalog();
        // the master changelog's precondition says the same; checked here first for a plain
        // message instead of Liquibase's exception in the log
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select 1 from pg_catalog.pg_extension where extname = 'pgq'")) {
            if (rs.next()) {
                throw new SQLException(db + ": this database has PgQ installed as an extension (CREATE EXTENSION pgq):"
                        + " pgq-java does not install over it; nothing was changed\n  Hint: Take it over in place with"
                        + " pgqadm CONFIG.ini takeover (docs/scaling-out.md).", "55000");
            }
        }
        long start = System.nanoTime();
        long before = lastOrderExecuted(c);
        log.info("{}: installing pgq-java from {}", db, MASTER_CHANGELOG);
        run(c, resources, UpdateCommandStep.COMMAND_NAME, cmd -> cmd
                .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, MASTER_CHANGELOG)
                .addArgumentValue(ShowSummaryArgument.SHOW_SUMMARY_OUTPUT, UpdateSummaryOutputEnum.LOG));
        long ran = lastOrderExecuted(c) - before;
        log.info("{}: pgq-java is up to date; {} changeset(s) run in {} ms", db, ran, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Records every changeset of the master changelog as run, without running any (Liquibase's
     * {@code changelog-sync}): for {@link PgqTakeover}, which then takes back the rows of what must
     * run after all.
     */
    static void syncChangelog(Connection c) throws SQLException {
        run(c, new ClassLoaderResourceAccessor(PgqInstaller.class.getClassLoader()), ChangelogSyncCommandStep.COMMAND_NAME,
                cmd -> cmd.addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG.getName(), MASTER_CHANGELOG));
    }

    /**
     * Runs Liquibase command {@code name} on the database of {@code c}, with the changelogs read
     * through {@code resources}, Liquibase's log to SLF4J and its analytics off; {@code args}
     * adds the command's own arguments. The connection keeps its auto-commit mode.
     */
    private static void run(Connection c, ResourceAccessor resources, String[] name,
            UnaryOperator<CommandScope> args) throws SQLException {
        String db = c.getCatalog();
        boolean autoCommit = c.getAutoCommit();
        try {
            Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
            Map<String, Object> scope = new HashMap<>();
            scope.put(Scope.Attr.resourceAccessor.name(), resources);
            scope.put(Scope.Attr.logService.name(), new Slf4jLogService());
            scope.put(Scope.Attr.ui.name(), new LoggerUIService());
            scope.put(AnalyticsArgs.ENABLED.getKey(), false);
            Scope.child(scope, () -> args.apply(new CommandScope(name)
                    .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)).execute());
        } catch (Exception e) {
            throw failure(db, e);
        } finally {
            if (!c.isClosed() && c.getAutoCommit() != autoCommit) {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /**
     * Highest ORDEREXECUTED in DATABASECHANGELOG, 0 before the first run. Every changeset run,
     * also a re-run, gets the next number, so the difference counts what one update ran.
     */
    private static long lastOrderExecuted(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select pg_catalog.to_regclass('databasechangelog') is not null")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return 0;
            }
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select coalesce(max(orderexecuted), 0) from databasechangelog")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** An SQLException with Liquibase's message and, if the server failed, its SQLSTATE. */
    private static SQLException failure(String db, Exception e) {
        SQLException server = null;
        for (Throwable t = e; t != null && server == null; t = t.getCause()) {
            if (t instanceof SQLException) {
                server = (SQLException) t;
            }
        }
        String msg = db + ": installing pgq-java failed: " + e.getMessage();
        return server != null ? new SQLException(msg, server.getSQLState(), e) : new SQLException(msg, e);
    }
}
