package dev.kale4j.snapshot.manifest;

import com.github.luben.zstd.Zstd;
import dev.kale4j.snapshot.Hash;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A snapshot: when, of what, with which tags, and every entry with its chunk list. Stored as two objects so
 * that listing snapshots stays cheap however big they are:
 * <ul>
 * <li>{@code trees/<sha256>}: the entries, zstd-compressed JSON, named by the SHA-256 of the stored bytes;</li>
 * <li>{@code snapshots/<id>}: a small JSON {@link Summary} naming the tree; the snapshot id is the SHA-256 of
 *     these bytes, so the id covers the tree too.</li>
 * </ul>
 * The tree is written first and the summary last: a snapshot is visible only once everything it references
 * is durable.
 */
public record Manifest(int version, String time, String host, String source, Map<String, String> tags,
                       String parent, Stats stats, List<Entry> entries) {

    public static final String DIR = "snapshots";
    public static final String TREES = "trees";

    /** Sizes in bytes. {@code addedBytes} is what this snapshot added to the repository (packs, index, manifest). */
    public record Stats(long files, long dirs, long symlinks, long totalBytes, long addedBytes, long addedRawBytes,
                        long addedChunks, long reusedFiles, long durationMillis) {
    }

    /** The stored summary of a snapshot: everything but the entries, plus the name of the entries' tree. */
    public record Summary(int version, String time, String host, String source, Map<String, String> tags,
                          String parent, Stats stats, String tree) {
    }

    /** The two stored objects of a snapshot. */
    public record Stored(byte[] summary, byte[] tree, String treeName) {
        public String id() {
            return Hash.of(summary).hex();
        }

        public long size() {
            return summary.length + tree.length;
        }
    }

    public Stored encode() throws IOException {
        byte[] tree = encodeTree(entries);
        return encode(tree, Hash.of(tree).hex());
    }

    /**
     * Like {@link #encode()} with the entries already encoded by {@link #encodeTree} and named by the SHA-256 of
     * that encoding (encoding and hashing are not free).
     */
    public Stored encode(byte[] tree, String treeName) throws IOException {
        byte[] summary = Json.writeSummary(new Summary(version, time, host, source, tags, parent, stats,
                treeName));
        return new Stored(summary, tree, treeName);
    }

    /** The stored form of a tree: its entries as zstd-compressed JSON (stored as {@code trees/<sha256>}). */
    public static byte[] encodeTree(List<Entry> entries) throws IOException {
        return Zstd.compress(Json.writeEntries(entries), 3);
    }

    public static Summary decodeSummary(byte[] stored) throws IOException {
        return Json.readSummary(stored);
    }

    public static List<Entry> decodeTree(byte[] stored) throws IOException {
        long size = Zstd.getFrameContentSize(stored);
        if (size < 0 || size > Integer.MAX_VALUE) {
            throw new IOException("not a zstd frame");
        }
        return Json.readEntries(Zstd.decompress(stored, (int) size));
    }

    public static Manifest of(Summary s, List<Entry> entries) {
        return new Manifest(s.version(), s.time(), s.host(), s.source(), s.tags(), s.parent(), s.stats(), entries);
    }

    public Manifest withStats(Stats s) {
        return new Manifest(version, time, host, source, tags, parent, s, entries);
    }
}
