package org.pgqjava.client.guide;

import java.sql.PreparedStatement;
import org.pgqjava.client.Consumer;
import org.postgresql.ds.PGSimpleDataSource;

/** Orders from the shop's queue into the warehouse's database, each applied exactly once. */
public final class ExactlyOnceExample {

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource shop = new PGSimpleDataSource();
        shop.setURL(args[0]); // jdbc:postgresql://shop-db/shop?user=warehouse
        PGSimpleDataSource warehouse = new PGSimpleDataSource();
        warehouse.setURL(args[1]); // jdbc:postgresql://warehouse-db/warehouse?user=loader
        try (Consumer loader = Consumer.builder(shop, "orders", "warehouse")
                .exactlyOnceInto(warehouse)
                .batchHandler((events, ctx) -> {
                    try (PreparedStatement ps = ctx.connection().prepareStatement( // the warehouse's connection
                            "insert into incoming_orders (event_id, order_json) values (?, ?::jsonb)")) {
                        for (var event : events) {
                            ps.setLong(1, event.id());
                            ps.setString(2, event.data());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                })
                .build()) {
            loader.start();
            Thread.sleep(Long.parseLong(args[2]));
        }
    }
}
