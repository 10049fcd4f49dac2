package org.pgqjava.client;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.BooleanSupplier;

/**
 * The events of one batch, read in chunks of {@code fetchSize} rows: the first chunk comes from
 * {@code pgq.get_batch_cursor} (which also opens the cursor), the rest by {@code FETCH} from that
 * cursor. At most one chunk is held at a time. Iterable once; closing it closes the cursor.
 */
final class BatchEvents implements Iterable<Event>, AutoCloseable {

    /** The cursor's name: fixed, so no quoting is needed; one batch at a time per connection. */
    static final String CURSOR = "pgq_client_batch";

    private final Connection c;
    private final long batchId;
    private final int fetchSize;
    private final BooleanSupplier abandoned;
    private boolean iterated;
    private boolean open;
    private long count;

    BatchEvents(Connection c, long batchId, int fetchSize, BooleanSupplier abandoned) {
        this.c = c;
        this.batchId = batchId;
        this.fetchSize = fetchSize;
        this.abandoned = abandoned;
    }

    /** Events handed out so far. */
    long count() {
        return count;
    }

    @Override
    public Iterator<Event> iterator() {
        if (iterated) {
            throw new IllegalStateException("the events of batch " + batchId + " can be iterated once:"
                    + " they are read from the server as the iteration goes");
        }
        iterated = true;
        return new Chunks();
    }

    @Override
    public void close() throws SQLException {
        if (open) {
            open = false;
            try (Statement s = c.createStatement()) {
                s.execute("close " + CURSOR);
            }
        }
    }

    private final class Chunks implements Iterator<Event> {
        private final ArrayDeque<Event> chunk = new ArrayDeque<>();
        private boolean started;
        private boolean exhausted;

        @Override
        public boolean hasNext() {
            if (abandoned.getAsBoolean()) {
                throw new Abandoned();
            }
            if (chunk.isEmpty() && !exhausted) {
                try {
                    fill();
                } catch (SQLException e) {
                    throw new BatchReadException(batchId, e);
                }
            }
            return !chunk.isEmpty();
        }

        @Override
        public Event next() {
            if (!hasNext()) {
                throw new NoSuchElementException("batch " + batchId + " has no more events");
            }
            count++;
            return chunk.removeFirst();
        }

        private void fill() throws SQLException {
            int rows;
            if (!started) {
                started = true;
                try (PreparedStatement ps = c.prepareStatement(
                        "select ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4"
                                + " from pgq.get_batch_cursor(?, '" + CURSOR + "', ?)")) {
                    ps.setLong(1, batchId);
                    ps.setInt(2, fetchSize);
                    open = true;
                    rows = read(ps.executeQuery());
                }
            } else {
                try (Statement s = c.createStatement()) {
                    rows = read(s.executeQuery("fetch forward " + fetchSize + " from " + CURSOR));
                }
            }
            if (rows < fetchSize) {
                exhausted = true;
                close();
            }
        }

        private int read(ResultSet rs) throws SQLException {
            int rows = 0;
            try (rs) {
                while (rs.next()) {
                    chunk.add(new Event(rs.getLong(1), rs.getObject(2, OffsetDateTime.class), rs.getLong(3),
                            rs.getObject(4, Integer.class), rs.getString(5), rs.getString(6),
                            rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10)));
                    rows++;
                }
            }
            return rows;
        }
    }

    /** Thrown out of the iteration when the consumer is abandoning its batch. */
    static final class Abandoned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abandoned() {
            super("the consumer is stopping and abandons its batch", null, false, false);
        }
    }

    /** A server error while reading a batch's events, out of an Iterator. */
    static final class BatchReadException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BatchReadException(long batchId, SQLException cause) {
            super("reading the events of batch " + batchId + " failed: " + cause.getMessage(), cause);
        }
    }
}
