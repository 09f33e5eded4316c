package dev.kale4j.snapshot.store;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Where a repository's objects live: a local directory or an S3-compatible bucket. Keys are relative paths
 * like {@code packs/ab/abcdef...}; the repository layer decides the layout, backends only move bytes.
 *
 * <p>The one guarantee everything else builds on: {@link #put} is atomic and durable. A reader sees either
 * no object or the complete object, never a prefix, even if the writer is killed mid-write.
 */
public interface Backend extends Closeable {

    /** Human-readable location for messages ({@code /data/repo}, {@code s3://bucket/prefix}). */
    String location();

    /** Whether an object exists. */
    boolean exists(String key) throws IOException;

    /** The whole object; {@link java.nio.file.NoSuchFileException} if it does not exist. */
    byte[] get(String key) throws IOException;

    /** {@code length} bytes from {@code offset}; fails with {@link java.io.EOFException} if the object is shorter. */
    byte[] getRange(String key, long offset, int length) throws IOException;

    /**
     * Like {@link #getRange(String, long, int)}, into {@code reuse} if it is big enough (a caller's pooled
     * buffer). The result holds the bytes from position 0 to its limit; it may be a direct buffer. Backends
     * that can read into a direct buffer without a copy override this.
     */
    default java.nio.ByteBuffer getRange(String key, long offset, int length, java.nio.ByteBuffer reuse)
            throws IOException {
        return java.nio.ByteBuffer.wrap(getRange(key, offset, length));
    }

    /** Stores an object atomically and durably, replacing any previous one with the same key. */
    default void put(String key, byte[] data) throws IOException {
        put(key, data, data.length);
    }

    /** Like {@link #put(String, byte[])} with the first {@code length} bytes of {@code data}. */
    void put(String key, byte[] data, int length) throws IOException;

    /**
     * Like {@link #put(String, byte[])} with the bytes from {@code data}'s position to its limit (heap or
     * direct). Backends that can write a direct buffer without copying it override this.
     */
    default void put(String key, java.nio.ByteBuffer data) throws IOException {
        java.nio.ByteBuffer d = data.duplicate();
        if (d.hasArray() && d.arrayOffset() + d.position() == 0) {
            put(key, d.array(), d.remaining());
            return;
        }
        byte[] copy = new byte[d.remaining()];
        d.get(copy);
        put(key, copy, copy.length);
    }

    /**
     * Stores an object atomically but without waiting for it to reach the disk: for lock leases, which are
     * worthless after a power loss anyway (their holder is gone too).
     */
    default void putVolatile(String key, byte[] data) throws IOException {
        put(key, data);
    }

    /** Removes an object; missing objects are not an error. */
    void delete(String key) throws IOException;

    /** Every object whose key starts with {@code dir + "/"}, with sizes, in no particular order. */
    List<ObjectInfo> list(String dir) throws IOException;

    /** Drops any temporary files a killed writer left behind (local only; S3 has none). */
    default void cleanTemporaryFiles() throws IOException {
    }

    @Override
    default void close() throws IOException {
    }

    /** A listed object: key relative to the repository root, and size in bytes. */
    record ObjectInfo(String key, long size) {
        public String name() {
            int slash = key.lastIndexOf('/');
            return slash < 0 ? key : key.substring(slash + 1);
        }
    }
}
