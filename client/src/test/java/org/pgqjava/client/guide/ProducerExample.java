package org.pgqjava.client.guide;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import org.pgqjava.client.Producer;

/** An order and its event in one transaction: both or neither. */
public final class ProducerExample {

    public static void main(String[] args) throws Exception {
        String url = args[0]; // jdbc:postgresql://localhost/shop?user=app
        Producer<String> orders = Producer.of("orders");
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("insert into orders (id, total) values (?, ?)")) {
                ps.setLong(1, 42);
                ps.setBigDecimal(2, new BigDecimal("19.90"));
                ps.executeUpdate();
            }
            long id = orders.send(c, "order.created", "{\"id\": 42, \"total\": 19.90}");
            c.commit();
            System.out.println("order 42 queued as event " + id);
        }
    }
}
