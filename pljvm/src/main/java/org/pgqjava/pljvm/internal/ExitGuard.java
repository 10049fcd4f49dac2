package org.pgqjava.pljvm.internal;

import java.security.Permission;

/**
 * Makes System.exit and Runtime.halt throw instead of ending the backend. Uses a SecurityManager,
 * which JDK 17..23 still allow (with a deprecation warning in the server log). From JDK 24 on
 * there is none; then the C exit hook ends the backend with FATAL instead.
 */
@SuppressWarnings("removal")
final class ExitGuard extends SecurityManager {
    private ExitGuard() {
    }

    /** Installs the guard; returns null, or why it could not be installed. */
    static String install() {
        try {
            System.setSecurityManager(new ExitGuard());
            return null;
        } catch (UnsupportedOperationException | SecurityException e) {
            return "pljvm: System.exit cannot be intercepted on this JDK (" + e
                    + "); a System.exit from Java will end the backend with FATAL";
        }
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
