package org.pgqjava.pgq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Snapshot}: the text form of txid_snapshot ({@code xmin:xmax:xip,...}, as
 * {@code txid_current_snapshot()::text} prints it) and which transactions finished between two
 * snapshots, which is how a batch finds the events of transactions that committed between its
 * ticks ({@code pgq.batch_event_sql}).
 */
class SnapshotTest {

    @Test
    void parsesXminXmaxAndInProgressList() {
        Snapshot s = Snapshot.parse("100:105:100,102,104");
        assertEquals(100, s.xmin);
        assertEquals(105, s.xmax);
        assertArrayEquals(new long[] {100, 102, 104}, s.xip);
    }

    @Test
    void emptyInProgressListWhenNothingRuns() {
        Snapshot s = Snapshot.parse("100:105:");
        assertEquals(100, s.xmin);
        assertEquals(105, s.xmax);
        assertArrayEquals(new long[0], s.xip);
    }

    @Test
    void xminEqualToXmaxIsAnIdleServer() {
        Snapshot s = Snapshot.parse("7:7:");
        assertEquals(7, s.xmin);
        assertEquals(7, s.xmax);
        assertEquals(0, s.xip.length);
    }

    @Test
    void inProgressListIsSortedWhateverTheOrderOfTheText() {
        assertArrayEquals(new long[] {11, 12, 19}, Snapshot.parse("10:20:19,11,12").xip);
    }

    @Test
    void txidsBeyondTheIntRangeParse() {
        // txid is 64 bits (epoch << 32 | xid): the epoch makes values above 2^32 common
        Snapshot s = Snapshot.parse("4294967396:4294967400:4294967396,4294967399");
        assertEquals(4_294_967_396L, s.xmin);
        assertEquals(4_294_967_400L, s.xmax);
        assertArrayEquals(new long[] {4_294_967_396L, 4_294_967_399L}, s.xip);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "100", "100:105", "100:105:1:2", "a:105:", "100:b:", "100:105:x", "100:105:1,,2",
        " 100:105:", "100:105: 101", "-:105:"})
    void malformedTextIsRefused(String text) {
        assertThrows(IllegalArgumentException.class, () -> Snapshot.parse(text), text);
    }

    @Test
    void finishedByGivesTheInProgressTxidsThatTheLaterSnapshotNoLongerLists() {
        Snapshot before = Snapshot.parse("100:110:100,103,107");
        Snapshot after = Snapshot.parse("103:115:103,112");
        assertArrayEquals(new long[] {100, 107}, before.finishedBy(after));
    }

    @Test
    void finishedByIgnoresTxidsThatStartedAfterTheFirstSnapshot() {
        // 112 is in progress in the later snapshot only: it is no txid the earlier one waited for
        Snapshot before = Snapshot.parse("100:110:100");
        Snapshot after = Snapshot.parse("112:115:112,114");
        assertArrayEquals(new long[] {100}, before.finishedBy(after));
    }

    @Test
    void nothingFinishedWhenTheSameTxidsStillRun() {
        Snapshot s = Snapshot.parse("100:110:100,105");
        assertArrayEquals(new long[0], s.finishedBy(Snapshot.parse("100:120:100,105,111")));
        assertArrayEquals(new long[0], s.finishedBy(s));
    }

    @Test
    void everythingFinishedWhenTheLaterSnapshotListsNone() {
        Snapshot before = Snapshot.parse("100:110:100,101,109");
        assertArrayEquals(new long[] {100, 101, 109}, before.finishedBy(Snapshot.parse("110:110:")));
    }

    @Test
    void nothingFinishedWhenNothingWasInProgress() {
        assertArrayEquals(new long[0], Snapshot.parse("100:100:").finishedBy(Snapshot.parse("100:130:101,120")));
    }

    @Test
    void txidsAtTheBordersXminAndXmaxMinusOne() {
        // xip holds txids in [xmin, xmax): the lowest running txid is xmin itself
        Snapshot before = Snapshot.parse("200:210:200,209");
        assertArrayEquals(new long[] {200}, before.finishedBy(Snapshot.parse("209:211:209,210")));
        assertArrayEquals(new long[] {209}, before.finishedBy(Snapshot.parse("200:211:200")));
    }
}
