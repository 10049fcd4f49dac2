package org.pgqjava.client.guide;

import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.pgqjava.client.Consumer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Three workers sharing the consumer "invoicing": each batch goes to one of them. Here they are
 * threads of one JVM; usually each is a process of its own, with its own worker name.
 */
public final class CooperativeExample {

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource db = new PGSimpleDataSource();
        db.setURL(args[0]); // jdbc:postgresql://localhost/shop?user=invoicing
        List<Consumer> workers = new ArrayList<>();
        try {
            for (String worker : List.of("w1", "w2", "w3")) {
                workers.add(Consumer.builder(db, "orders", "invoicing")
                        .cooperative(worker)
                        .takeOverAfter(Duration.ofMinutes(5)) // a worker silent this long is dead: its batch is taken over
                        .eventHandler((event, ctx) -> {
                            try (PreparedStatement ps = ctx.connection().prepareStatement(
                                    "insert into invoices (event_id, worker) values (?, ?)")) {
                                ps.setLong(1, event.id());
                                ps.setString(2, worker);
                                ps.executeUpdate();
                            }
                        })
                        .build()
                        .start());
            }
            Thread.sleep(Long.parseLong(args[1]));
        } finally {
            for (Consumer w : workers) {
                w.close();
            }
        }
    }
}
