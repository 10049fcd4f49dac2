package org.pgqjava.pgq;

import java.util.Arrays;

/** A txid_snapshot in its text form {@code xmin:xmax:xip1,xip2,...}. */
final class Snapshot {
    final long xmin;
    final long xmax;
    /** In-progress txids, ascending. */
    final long[] xip;

    private Snapshot(long xmin, long xmax, long[] xip) {
        this.xmin = xmin;
        this.xmax = xmax;
        this.xip = xip;
    }

    static Snapshot parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a txid_snapshot: " + text);
        }
        long[] xip = parts[2].isEmpty() ? new long[0]
                : Arrays.stream(parts[2].split(",")).mapToLong(Long::parseLong).sorted().toArray();
        return new Snapshot(Long.parseLong(parts[0]), Long.parseLong(parts[1]), xip);
    }

    /** Txids in progress in this snapshot and no longer in {@code later}, ascending. */
    long[] finishedBy(Snapshot later) {
        return Arrays.stream(xip).filter(x -> Arrays.binarySearch(later.xip, x) < 0).toArray();
    }
}
