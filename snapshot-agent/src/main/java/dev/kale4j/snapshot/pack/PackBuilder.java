package dev.kale4j.snapshot.pack;

import dev.kale4j.snapshot.Hash;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Collects blobs in memory until the pack is big enough to write as one object. Not thread-safe. */
public final class PackBuilder {
    private final String id;
    private final ExposedBuffer data;
    private final List<BlobEntry> entries = new ArrayList<>();
    private long rawBytes;

    public PackBuilder(String id, int expectedSize) {
        this.id = id;
        this.data = new ExposedBuffer(expectedSize + expectedSize / 8);
    }

    public String id() {
        return id;
    }

    public BlobEntry add(Hash hash, byte[] stored, int storedLength, int rawLength, boolean compressed) {
        BlobEntry e = new BlobEntry(hash, id, data.size(), storedLength, rawLength, compressed);
        data.write(stored, 0, storedLength);
        entries.add(e);
        rawBytes += rawLength;
        return e;
    }

    public long size() {
        return data.size();
    }

    public long rawBytes() {
        return rawBytes;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public List<BlobEntry> entries() {
        return List.copyOf(entries);
    }

    /** The finished pack: blobs, header, trailer. */
    public byte[] finish() {
        data.write(PackFormat.header(entries), 0, entries.size() * PackFormat.ENTRY_BYTES + PackFormat.TRAILER_BYTES);
        return data.size() == data.buffer().length ? data.buffer() : data.toByteArray();
    }

    private static final class ExposedBuffer extends ByteArrayOutputStream {
        ExposedBuffer(int size) {
            super(size);
        }

        byte[] buffer() {
            return buf;
        }
    }
}
