package org.pgqjava.launcher;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;

/**
 * Catching and sending SIGHUP, SIGINT and SIGTERM.
 *
 * <p>Catching goes through {@code sun.misc.Signal} (module jdk.unsupported, exported, in every
 * JDK since 9), called reflectively: javac warns about any direct use of it as "internal
 * proprietary API", and the build treats warnings as errors. A handler installed for INT or TERM
 * replaces the JVM's own, which would run the shutdown hooks and exit; so SIGINT can mean "finish
 * the loop" and SIGTERM "exit now" instead of both meaning System.exit. Handlers run on a thread
 * the JVM starts per signal: keep them short (set a flag, wake the main thread).
 *
 * <p>Sending uses kill(1): Java can send SIGTERM and SIGKILL to another process, not SIGHUP or
 * SIGINT.
 */
final class Signals {

    private Signals() {
    }

    /**
     * Runs {@code handler} on each delivery of {@code name} (HUP, INT, TERM). Returns false when
     * the signal was ignored when the JVM started (a shell starts background jobs with SIGINT
     * ignored): the JVM then keeps it ignored and the handler never runs. bin/pgqadm resets
     * the three to their defaults (env --default-signal) so that this does not happen.
     */
    static boolean handle(String name, Runnable handler) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> ctor = signalClass.getConstructor(String.class);
            Object signal = ctor.newInstance(name);
            Object proxy = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[]{handlerClass},
                    (p, method, args) -> {
                        if ("handle".equals(method.getName())) {
                            handler.run();
                            return null;
                        }
                        if ("hashCode".equals(method.getName())) {
                            return System.identityHashCode(p);
                        }
                        if ("equals".equals(method.getName())) {
                            return p == args[0];
                        }
                        return "SignalHandler(" + name + ")";
                    });
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object old = handle.invoke(null, signal, proxy);
            return old != handlerClass.getField("SIG_IGN").get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot catch SIG" + name + " in this JVM (sun.misc.Signal): " + e, e);
        }
    }

    /** Sends SIG{@code name} to {@code pid} with kill(1); false when kill failed (no such process). */
    static boolean send(String name, long pid) throws IOException {
        Process p = new ProcessBuilder("kill", "-s", name, Long.toString(pid))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("kill -s " + name + " " + pid + " did not finish in 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending SIG" + name, e);
        }
        return p.exitValue() == 0;
    }
}
