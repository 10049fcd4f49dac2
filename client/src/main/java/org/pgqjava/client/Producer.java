package org.pgqjava.client;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Queues events into one queue, inside the caller's transaction on the caller's connection: the
 * events become visible to consumers when that transaction commits, and vanish with it when it
 * rolls back. A producer holds no connection and no state of a transaction; one instance serves
 * any number of threads.
 *
 * <pre>{@code
 * Producer<String> orders = Producer.of("orders");
 * try (Connection c = dataSource.getConnection()) {
 *     c.setAutoCommit(false);
 *     // ... the application's own writes ...
 *     orders.send(c, "created", "{\"id\": 42}");
 *     c.commit();
 * }
 * }</pre>
 *
 * @param <T> the payload type, turned into text by the producer's {@link Codec}
 */
public final class Producer<T> {

    private static final String INSERT_EVENT = "select pgq.insert_event(?, ?, ?)";
    private static final String INSERT_EVENT_EXTRAS = "select pgq.insert_event(?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_EVENTS = "select pgq.insert_events(?, ?, ?)";
    private static final String INSERT_EVENTS_EXTRAS = "select pgq.insert_events(?, ?, ?, ?, ?, ?, ?)";
    private static final String HAS_BULK =
            "select pg_catalog.to_regprocedure('pgq.insert_events(text,text[],text[],text[],text[],text[],text[])') is not null";

    /** Per database URL: whether it has pgq-java's pgq.insert_events (Debian's PgQ has not). */
    private static final Map<String, Boolean> BULK = new ConcurrentHashMap<>();

    private final String queue;
    private final Codec<T> codec;

    private Producer(String queue, Codec<T> codec) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /** A producer of text payloads into {@code queue}. */
    public static Producer<String> of(String queue) {
        return new Producer<>(queue, Codec.text());
    }

    /** A producer into {@code queue} whose payloads {@code codec} turns into text. */
    public static <T> Producer<T> of(String queue, Codec<T> codec) {
        return new Producer<>(queue, codec);
    }

    public String queue() {
        return queue;
    }

    /**
     * Queues one event ({@code pgq.insert_event}) in the connection's current transaction.
     *
     * @return the event's id
     * @throws SQLException PgQ's errors as the server raises them ({@code No such queue}, ...)
     */
    public long send(Connection c, String type, T payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT)) {
            ps.setString(1, queue);
            ps.setString(2, type);
            ps.setString(3, encode(payload));
            return id(ps);
        }
    }

    /** As {@link #send(Connection, String, Object)}, with the event's extras. */
    public long send(Connection c, String type, T payload, Extras extras) throws SQLException {
        Objects.requireNonNull(extras, "extras (use Extras.NONE)");
        try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT_EXTRAS)) {
            ps.setString(1, queue);
            ps.setString(2, type);
            ps.setString(3, encode(payload));
            ps.setString(4, extras.extra1());
            ps.setString(5, extras.extra2());
            ps.setString(6, extras.extra3());
            ps.setString(7, extras.extra4());
            return id(ps);
        }
    }

    /**
     * Queues many events in one statement ({@code pgq.insert_events}, pgq-java's bulk API: each
     * event as insert_event would queue it, several times faster). In a database with Debian's
     * PgQ, which has no bulk API, the events are queued one {@code pgq.insert_event} at a time.
     *
     * @return the events' ids, in the order of {@code messages}
     */
    public long[] sendAll(Connection c, List<Message<T>> messages) throws SQLException {
        int n = messages.size();
        if (n == 0) {
            return new long[0];
        }
        if (!hasBulkApi(c)) {
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                Message<T> m = messages.get(i);
                ids[i] = m.extras().isEmpty() ? send(c, m.type(), m.payload()) : send(c, m.type(), m.payload(), m.extras());
            }
            return ids;
        }
        String[] types = new String[n];
        String[] data = new String[n];
        boolean withExtras = false;
        for (int i = 0; i < n; i++) {
            Message<T> m = messages.get(i);
            types[i] = m.type();
            data[i] = encode(m.payload());
            withExtras |= !m.extras().isEmpty();
        }
        try (PreparedStatement ps = c.prepareStatement(withExtras ? INSERT_EVENTS_EXTRAS : INSERT_EVENTS)) {
            ps.setString(1, queue);
            ps.setArray(2, c.createArrayOf("text", types));
            ps.setArray(3, c.createArrayOf("text", data));
            if (withExtras) {
                for (int x = 0; x < 4; x++) {
                    String[] extra = new String[n];
                    for (int i = 0; i < n; i++) {
                        extra[i] = extra(messages.get(i).extras(), x);
                    }
                    ps.setArray(4 + x, c.createArrayOf("text", extra));
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Array a = rs.getArray(1);
                Long[] ids = (Long[]) a.getArray();
                long[] out = new long[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    out[i] = ids[i];
                }
                return out;
            }
        }
    }

    private String encode(T payload) {
        return payload == null ? null : codec.encode(payload);
    }

    private static String extra(Extras e, int which) {
        switch (which) {
            case 0: return e.extra1();
            case 1: return e.extra2();
            case 2: return e.extra3();
            default: return e.extra4();
        }
    }

    private long id(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            long id = rs.getLong(1);
            if (rs.wasNull()) {
                // only a replaced pgq.insert_event(7) returns NULL; say so rather than invent an id
                throw new SQLException(queue + ": pgq.insert_event returned NULL instead of an event id"
                        + " (has pgq.insert_event(7) been replaced in this database?)", "22004");
            }
            return id;
        }
    }

    private static boolean hasBulkApi(Connection c) throws SQLException {
        String url = c.getMetaData().getURL();
        Boolean known = BULK.get(url);
        if (known != null) {
            return known;
        }
        try (PreparedStatement ps = c.prepareStatement(HAS_BULK); ResultSet rs = ps.executeQuery()) {
            rs.next();
            boolean has = rs.getBoolean(1);
            BULK.put(url, has);
            return has;
        }
    }

    @Override
    public String toString() {
        return "Producer[" + queue + "]";
    }
}
