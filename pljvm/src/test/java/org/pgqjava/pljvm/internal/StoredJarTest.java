package org.pgqjava.pljvm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;

/** The in-memory jar reader of the stored jars' class loaders. */
class StoredJarTest {
    private static final byte[] BIG = "class bytes ".repeat(500).getBytes(StandardCharsets.US_ASCII);

    @Test
    void storedAndDeflatedEntriesReadBackAsWritten() throws IOException {
        byte[] zip = zip(new String[] {"a/A.class", "b/B.class", "dir/", "c.txt"},
                new byte[][] {BIG, "small".getBytes(StandardCharsets.US_ASCII), new byte[0], new byte[0]},
                new boolean[] {true, false, true, false});
        Map<String, StoredJar.Entry> m = new HashMap<>();
        StoredJar.index("j", zip, m);
        assertEquals(3, m.size(), "directories are not entries: " + m.keySet());
        assertFalse(m.containsKey("dir/"));
        assertArrayEquals(BIG, m.get("a/A.class").bytes());
        assertArrayEquals("small".getBytes(StandardCharsets.US_ASCII), m.get("b/B.class").bytes());
        assertArrayEquals(new byte[0], m.get("c.txt").bytes());
        assertEquals("j", m.get("a/A.class").jar);
        assertTrue(m.get("a/A.class").bytes() == m.get("a/A.class").bytes(), "read once, then kept");
    }

    @Test
    void anEarlierJarAndAnEarlierEntryWin() throws IOException {
        Map<String, StoredJar.Entry> m = new HashMap<>();
        StoredJar.index("first", zip(new String[] {"X.class"}, new byte[][] {{1}}, new boolean[] {true}), m);
        StoredJar.index("second", zip(new String[] {"X.class", "Y.class"}, new byte[][] {{2}, {3}},
                new boolean[] {false, false}), m);
        assertArrayEquals(new byte[] {1}, m.get("X.class").bytes());
        assertEquals("first", m.get("X.class").jar);
        assertEquals("second", m.get("Y.class").jar);
    }

    @Test
    void aZipWithDataBeforeItIsRead() throws IOException {
        byte[] zip = zip(new String[] {"P.class"}, new byte[][] {BIG}, new boolean[] {true});
        byte[] prefixed = new byte[zip.length + 100];
        System.arraycopy(zip, 0, prefixed, 100, zip.length);   // as a launcher script before a jar
        Map<String, StoredJar.Entry> m = new HashMap<>();
        StoredJar.index("p", prefixed, m);
        assertArrayEquals(BIG, m.get("P.class").bytes());
    }

    @Test
    void aZip64JarIsReadWhole() throws IOException {
        int n = 0x10000 + 1;   // more entries than the plain end record can count
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < n; i++) {
                z.putNextEntry(new ZipEntry("e" + i));
                z.write(i & 0xff);
                z.closeEntry();
            }
        }
        Map<String, StoredJar.Entry> m = new HashMap<>();
        StoredJar.index("big", out.toByteArray(), m);
        assertEquals(n, m.size());
        assertArrayEquals(new byte[] {(byte) 0x34}, m.get("e" + 0xff34).bytes());
        assertArrayEquals(new byte[] {0}, m.get("e" + 0x10000).bytes());
    }

    @Test
    void aDamagedDeflatedEntryFailsWhenRead() throws IOException {
        byte[] zip = zip(new String[] {"D.class"}, new byte[][] {BIG}, new boolean[] {false});
        int data = 30 + "D.class".length();   // the local header has no extra field here
        for (int i = data; i < data + 20; i++) {
            zip[i] = (byte) 0xff;
        }
        Map<String, StoredJar.Entry> m = new HashMap<>();
        StoredJar.index("bad", zip, m);
        IOException e = assertThrows(IOException.class, () -> m.get("D.class").bytes());
        assertTrue(e.getMessage().contains("jar \"bad\" is damaged"), e.getMessage());
    }

    /** A zip of the given entries, each stored or deflated. */
    private static byte[] zip(String[] names, byte[][] contents, boolean[] stored) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < names.length; i++) {
                ZipEntry e = new ZipEntry(names[i]);
                if (stored[i]) {
                    CRC32 crc = new CRC32();
                    crc.update(contents[i]);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(contents[i].length);
                    e.setCompressedSize(contents[i].length);
                    e.setCrc(crc.getValue());
                }
                z.putNextEntry(e);
                z.write(contents[i]);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
