package org.pgqjava.client.guide;

import java.sql.PreparedStatement;
import java.time.Duration;
import org.pgqjava.client.Consumer;
import org.postgresql.ds.PGSimpleDataSource;

/** A consumer that books a shipment per order, in the queue's database, and retries what it cannot handle yet. */
public final class ConsumerExample {

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource db = new PGSimpleDataSource();
        db.setURL(args[0]); // jdbc:postgresql://localhost/shop?user=shipping
        try (Consumer shipping = Consumer.builder(db, "orders", "shipping")
                .eventHandler((event, ctx) -> {
                    if (!event.type().equals("order.created")) {
                        ctx.retry(event, Duration.ofMinutes(10)); // a type this version does not know: later
                        return;
                    }
                    // same transaction as the batch's finish: booked once, whatever fails when
                    try (PreparedStatement ps = ctx.connection().prepareStatement(
                            "insert into shipments (event_id, order_json) values (?, ?::jsonb)")) {
                        ps.setLong(1, event.id());
                        ps.setString(2, event.data());
                        ps.executeUpdate();
                    }
                })
                .build()) {
            shipping.start();
            Thread.sleep(Long.parseLong(args[1])); // the application runs; close() lets the batch in hand finish
        }
    }
}
