package org.pgqjava.pgq;

import java.sql.Connection;
import java.sql.SQLException;

import org.pgqjava.liquibase.PgqInstaller;
import org.pgqjava.testsupport.TemplateSetup;

/** Template with pgq-java installed from the master changelog: {@code @PgTest(setup = PgqTemplate.class)}. */
public final class PgqTemplate implements TemplateSetup {

    @Override
    public void setUp(Connection c) throws SQLException {
        PgqInstaller.install(c);
    }
}
