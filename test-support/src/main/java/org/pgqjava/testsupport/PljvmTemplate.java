package org.pgqjava.testsupport;

import java.util.List;

/**
 * Template with the pljvm extension installed: {@code @PgTest(setup = PljvmTemplate.class)}.
 * Needs pljvm installed into the server's PostgreSQL ({@code make install} of module pljvm);
 * without it every class using this template fails with "extension "pljvm" is not available".
 */
public final class PljvmTemplate implements TemplateSetup {

    @Override
    public List<String> statements() {
        return List.of("CREATE EXTENSION IF NOT EXISTS pljvm");
    }
}
