package org.pgqjava.pljvm.internal;

import java.security.Permission;

/**
 * Makes System.exit and Runtime.halt throw instead of ending the backend. A SecurityManager,
 * which JDK 17..23 still allow: the C host names it in -Djava.security.manager, so the JVM
 * installs it at start (with a two-line deprecation notice in the server log). From JDK 24 on
 * there is none; then the C exit hook ends the backend with FATAL instead.
 */
@SuppressWarnings("removal")
public final class ExitGuard extends SecurityManager {
    /** Called by the JVM at start-up (-Djava.security.manager=this class). */
    public ExitGuard() {
    }

    /** Null if the guard is in place, else a warning for the server log. */
    static String check() {
        if (System.getSecurityManager() instanceof ExitGuard) {
            return null;
        }
        return "pljvm: System.exit cannot be intercepted on this JDK (no security manager);"
                + " a System.exit from Java will end the backend with FATAL";
    }

    @Override
    public void checkExit(int status) {
        throw new SecurityException("System.exit(" + status + ") is not allowed in pljvm; "
                + "throw an exception to end the call");
    }

    @Override
    public void checkPermission(Permission perm) {
        // Everything else is allowed: pljvm is an untrusted language.
    }

    @Override
    public void checkPermission(Permission perm, Object context) {
        // As above.
    }
}
