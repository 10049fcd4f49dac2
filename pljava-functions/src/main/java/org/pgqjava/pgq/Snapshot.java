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
        String[] ids = parts[2].isEmpty() ? new String[0] : parts[2].split(",");
        long[] xip = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            xip[i] = Long.parseLong(ids[i]);
        }
        Arrays.sort(xip);
        return new Snapshot(Long.parseLong(parts[0]), Long.parseLong(parts[1]), xip);
    }

    /** Txids in progress in this snapshot and no longer in {@code later}, ascending. */
    long[] finishedBy(Snapshot later) {
        long[] out = new long[xip.length];
        int n = 0;
        for (long x : xip) {
            if (Arrays.binarySearch(later.xip, x) < 0) {
                out[n++] = x;
            }
        }
        return Arrays.copyOf(out, n);
    }
}
