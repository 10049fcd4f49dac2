package org.pgqjava.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that runs against the throwaway PostgreSQL of this run, in a database of its own.
 * See {@link PgExtension} for what test methods can receive.
 *
 * <pre>{@code
 * @PgTest(setup = PljvmTemplate.class)
 * class JabsIT {
 *     @Test
 *     void callsJava(Connection c) throws SQLException { ... }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(PgExtension.class)
public @interface PgTest {

    /** What the class's database is cloned from; default: a plain, empty database. */
    Class<? extends TemplateSetup> setup() default TemplateSetup.None.class;
}
