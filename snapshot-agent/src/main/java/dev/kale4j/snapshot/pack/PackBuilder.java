package dev.kale4j.snapshot.pack;

import dev.kale4j.snapshot.Hash;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects blobs in one preallocated buffer until the pack is big enough to write as one object; the buffer
 * is written as is (no copy) with {@link #length()}. Not thread-safe.
 */
public final class PackBuilder {
    private final String id;
    private byte[] data;
    private int size;
    private final List<BlobEntry> entries = new ArrayList<>();

    public PackBuilder(String id, int expectedSize) {
        this(id, null, expectedSize);
    }

    /** Uses {@code reuse} as the buffer if it is big enough (a pooled buffer from an earlier pack). */
    public PackBuilder(String id, byte[] reuse, int expectedSize) {
        this.id = id;
        int want = expectedSize + (expectedSize >>> 4) + 4096;
        this.data = reuse != null && reuse.length >= want ? reuse : new byte[want];
    }

    public String id() {
        return id;
    }

    public BlobEntry add(Hash hash, byte[] stored, int storedOffset, int storedLength, int rawLength,
                         boolean compressed) {
        BlobEntry e = new BlobEntry(hash, id, size, storedLength, rawLength, compressed);
        append(stored, storedOffset, storedLength);
        entries.add(e);
        return e;
    }

    private void append(byte[] b, int off, int len) {
        if (size + len > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, size + len));
        }
        System.arraycopy(b, off, data, size, len);
        size += len;
    }

    public long size() {
        return size;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public List<BlobEntry> entries() {
        return List.copyOf(entries);
    }

    /** Appends header and trailer; the pack is then the first {@link #length()} bytes of the returned array. */
    public byte[] finish() {
        byte[] header = PackFormat.header(entries);
        append(header, 0, header.length);
        return data;
    }

    public int length() {
        return size;
    }
}
