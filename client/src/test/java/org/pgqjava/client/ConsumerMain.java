package org.pgqjava.client;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
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
        } else {
            throw new IllegalArgumentException("mode " + mode);
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
