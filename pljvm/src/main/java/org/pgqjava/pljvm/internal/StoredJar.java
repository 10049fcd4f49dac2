package org.pgqjava.pljvm.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The entries of a jar held in memory, each read when it is first asked for. The zip's central
 * directory is read once; an entry stored uncompressed is then a copy of its bytes, a deflated
 * one is inflated. A backend that runs a few functions of a jar so reads only their classes, and
 * for a jar built without compression (PgQ's is) never starts the JDK's zip machinery (its native
 * library, its cleaner thread): some 4 ms of a fresh backend's first call.
 *
 * <p>A jar whose central directory this does not read (zip64, encryption, a method other than
 * stored and deflated, an inconsistent offset) is read whole with {@link ZipInputStream}
 * instead, which reports what is wrong with it.
 */
final class StoredJar {
    private static final int EOCD_SIG = 0x06054b50;
    private static final int CEN_SIG = 0x02014b50;
    private static final int LOC_SIG = 0x04034b50;
    private static final int EOCD_LEN = 22;
    private static final int CEN_LEN = 46;
    private static final int LOC_LEN = 30;

    /** One entry: where its bytes are, and how. */
    static final class Entry {
        final String jar;
        private final byte[] zip;
        private final int offset;      // of the (compressed) data, or -1: data holds the bytes
        private final int compressed;
        private final int size;
        private final boolean deflated;
        private byte[] data;

        private Entry(String jar, byte[] zip, int offset, int compressed, int size, boolean deflated) {
            this.jar = jar;
            this.zip = zip;
            this.offset = offset;
            this.compressed = compressed;
            this.size = size;
            this.deflated = deflated;
        }

        private Entry(String jar, byte[] data) {
            this(jar, null, -1, data.length, data.length, false);
            this.data = data;
        }

        /** The entry's bytes: the caller may keep them, not change them. */
        synchronized byte[] bytes() throws IOException {
            if (data != null) {
                return data;
            }
            if (!deflated) {
                data = Arrays.copyOfRange(zip, offset, offset + size);
                return data;
            }
            Inflater inf = new Inflater(true);
            try {
                inf.setInput(zip, offset, compressed);
                byte[] out = new byte[size];
                int n = 0;
                while (n < size && !inf.finished()) {
                    int got = inf.inflate(out, n, size - n);
                    if (got == 0 && (inf.needsInput() || inf.needsDictionary())) {
                        break;
                    }
                    n += got;
                }
                if (n != size) {
                    throw new IOException("entry of jar \"" + jar + "\" is damaged: " + n + " of " + size + " bytes");
                }
                data = out;
                return data;
            } catch (DataFormatException e) {
                throw new IOException("entry of jar \"" + jar + "\" is damaged: " + e.getMessage(), e);
            } finally {
                inf.end();
            }
        }
    }

    private StoredJar() {
    }

    /**
     * Adds the file entries of {@code zip} (jar {@code jar}) to {@code into}; a name already there
     * (from a jar earlier on the class path) is kept.
     */
    static void index(String jar, byte[] zip, Map<String, Entry> into) throws IOException {
        if (!indexCentral(jar, zip, into)) {
            readWhole(jar, zip, into);
        }
    }

    /** Reads the central directory; false if it is not one this reads (nothing added then). */
    private static boolean indexCentral(String jar, byte[] zip, Map<String, Entry> into) {
        int eocd = -1;
        for (int p = zip.length - EOCD_LEN; p >= Math.max(0, zip.length - EOCD_LEN - 0xffff); p--) {
            if (u32(zip, p) == EOCD_SIG && p + EOCD_LEN + u16(zip, p + 20) == zip.length) {
                eocd = p;
                break;
            }
        }
        if (eocd < 0) {
            return false;
        }
        int count = u16(zip, eocd + 10);
        long cenSize = u32(zip, eocd + 12);
        long cenOffset = u32(zip, eocd + 16);
        // data before the zip (a launcher script, say) moves every offset by its length
        long base = eocd - cenSize - cenOffset;
        if (count == 0xffff || cenOffset == 0xffffffffL || base < 0) {
            return false;   // zip64, or not where it says
        }
        cenOffset += base;
        Map<String, Entry> found = new LinkedHashMap<>();
        int p = (int) cenOffset;
        for (int i = 0; i < count; i++) {
            if (p + CEN_LEN > eocd || u32(zip, p) != CEN_SIG) {
                return false;
            }
            int flags = u16(zip, p + 8);
            int method = u16(zip, p + 10);
            long compressed = u32(zip, p + 20);
            long size = u32(zip, p + 24);
            int nameLen = u16(zip, p + 28);
            int extraLen = u16(zip, p + 30);
            int commentLen = u16(zip, p + 32);
            long local = u32(zip, p + 42) + base;
            if (p + CEN_LEN + nameLen > eocd || (flags & 1) != 0 || (method != 0 && method != 8)
                    || compressed > Integer.MAX_VALUE || size > Integer.MAX_VALUE
                    || (method == 0 && compressed != size) || local + LOC_LEN > cenOffset
                    || u32(zip, (int) local) != LOC_SIG) {
                return false;   // encrypted, another method, zip64 sizes, or inconsistent
            }
            String name = new String(zip, p + CEN_LEN, nameLen, StandardCharsets.UTF_8);
            int data = (int) local + LOC_LEN + u16(zip, (int) local + 26) + u16(zip, (int) local + 28);
            if (data + compressed > cenOffset) {
                return false;
            }
            if (!name.endsWith("/") && !found.containsKey(name)) {
                found.put(name, new Entry(jar, zip, data, (int) compressed, (int) size, method == 8));
            }
            p += CEN_LEN + nameLen + extraLen + commentLen;
        }
        for (Map.Entry<String, Entry> e : found.entrySet()) {   // no lambda: this runs at a JVM's start
            into.putIfAbsent(e.getKey(), e.getValue());
        }
        return true;
    }

    /* a ZipInputStream, not a JarInputStream: the manifest is then a resource like any other, and
       no JarVerifier is set up (stored jars are not signature-checked) */
    private static void readWhole(String jar, byte[] zip, Map<String, Entry> into) throws IOException {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (!e.isDirectory() && !into.containsKey(e.getName())) {
                    into.put(e.getName(), new Entry(jar, in.readAllBytes()));
                }
            }
        }
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24;
    }
}
