package dev.kale4j.snapshot;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether zstd is worth running on a file's next chunk. Chunks of one file tend to compress alike: a float32
 * checkpoint saves ~7% at zstd's level 1 for ~0.8 ns per byte, random or already compressed data nothing. Once two
 * chunks of a file in a row saved less than 1/8 of their size, its next chunks are first probed: zstd on 4 KiB at
 * each end, and the whole chunk only if one of them saves 1/8 (both ends, because an edit that wrote random bytes
 * into a CSV file leaves chunks that are random at one end and text at the other). Borg's "auto" compression
 * makes the same trade with a trial lz4 pass per chunk. Workers update it concurrently; a stale read only means
 * one chunk more or less is compressed, never a different chunk hash.
 */
final class Compressibility {
    /** A chunk (or probe) that saves less than 1/2^WORTH_SHIFT of its size is poor. */
    static final int WORTH_SHIFT = 3;
    static final int PROBE = 4096;
    private static final int POOR_RUN = 2;
    /** For measurements: {@code -Dkale4j.snapshot.adaptiveCompression=false} compresses every chunk. */
    private static final boolean ENABLED =
            Boolean.parseBoolean(System.getProperty("kale4j.snapshot.adaptiveCompression", "true"));

    private final AtomicInteger poorInARow = new AtomicInteger();

    /** True if the file's recent chunks compressed poorly: probe before compressing the next one. */
    boolean probeFirst(int len) {
        return ENABLED && len > 4 * PROBE && poorInARow.get() >= POOR_RUN;
    }

    static boolean worthIt(int len, int compressed) {
        return compressed <= len - (len >>> WORTH_SHIFT);
    }

    void record(int len, int compressed) {
        if (worthIt(len, compressed)) {
            poorInARow.set(0);
        } else {
            poorInARow.incrementAndGet();
        }
    }
}
