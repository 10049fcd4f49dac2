package org.pgqjava.client;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A consumer in a JVM of its own, for the tests that kill it or bound its memory.
 * Arguments: jdbc-url queue consumer mode [n].
 * <ul>
 * <li>{@code count n}: handles events until n were seen, then prints {@code count=<n> idsum=<sum>} and exits 0.</li>
 * <li>{@code hang}: writes each event's id of its first batch into table {@code ledger} on a
 *     connection of its own (autocommit: outside the batch), prints {@code HANDLED <n>} and then
 *     blocks, never returning from the handler: killed there, it dies between handler and
 *     finish_batch.</li>
 * <li>{@code coop-hang sub}: sub-consumer {@code sub} of a cooperative consumer; writes each event
 *     of its first batch into table {@code handled} through the batch's own connection (so in the
 *     batch's transaction), prints {@code HANDLED <n>} and blocks.</li>
 * </ul>
 */
public final class ConsumerMain {

    private ConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String queue = args[1];
        String name = args[2];
        String mode = args[3];
        Consumer.Builder b = Consumer.builder(ClientTests.dataSource(url), queue, name)
                .pollInterval(Duration.ofMillis(50)).registerOnStart(false);
        if (mode.equals("count")) {
            long n = Long.parseLong(args[4]);
            AtomicLong count = new AtomicLong();
            AtomicLong sum = new AtomicLong();
            Consumer[] self = new Consumer[1];
            self[0] = b.batchHandler((events, ctx) -> {
                for (Event e : events) {
                    sum.addAndGet(e.id());
                    if (count.incrementAndGet() == n) {
                        self[0].stop();
                    }
                }
            }).build();
            self[0].run();
            System.out.println("count=" + count.get() + " idsum=" + sum.get());
        } else if (mode.equals("hang")) {
            try (Connection ledger = DriverManager.getConnection(url);
                 PreparedStatement ps = ledger.prepareStatement("insert into ledger values (?)")) {
                b.batchHandler((events, ctx) -> {
                    int n = 0;
                    for (Event e : events) {
                        ps.setLong(1, e.id());
                        ps.executeUpdate();
                        n++;
                    }
                    System.out.println("HANDLED " + n);
                    System.out.flush();
                    Thread.sleep(Long.MAX_VALUE);
                }).build().run();
            }
        } else if (mode.equals("coop-hang")) {
            b.cooperative(args[4]).batchHandler((events, ctx) -> {
                int n = 0;
                try (PreparedStatement ps = ctx.connection().prepareStatement("insert into handled values (?, ?)")) {
                    for (Event e : events) {
                        ps.setLong(1, e.id());
                        ps.setString(2, args[4]);
                        ps.executeUpdate();
                        n++;
                    }
                }
                System.out.println("HANDLED " + n);
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }).build().run();
        } else {
            throw new IllegalArgumentException("mode " + mode);
        }
    }

    /**
     * Starts this class with {@code args} in a new JVM, waits for its {@code HANDLED <n>} line
     * (echoing what it printed before), then kills it with SIGKILL and waits for it to end.
     * Returns the HANDLED line (null if the child ended without one).
     */
    static String runUntilHandledThenKill(String... args) throws Exception {
        Process p = command("64m", args).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("HANDLED")) {
                System.out.println("[child consumer] " + line);
            }
            return line;
        } finally {
            p.destroyForcibly(); // SIGKILL: no finish_batch, no rollback from the client
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the killed consumer JVM did not end");
            }
        }
    }

    /** The command that runs this class with {@code args} in a new JVM with {@code heap} (-Xmx). */
    static ProcessBuilder command(String heap, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String[] cmd = new String[5 + args.length];
        cmd[0] = java;
        cmd[1] = "-Xmx" + heap;
        cmd[2] = "-cp";
        cmd[3] = System.getProperty("java.class.path");
        cmd[4] = ConsumerMain.class.getName();
        System.arraycopy(args, 0, cmd, 5, args.length);
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }
}
