package dev.kale4j.snapshot;

import dev.kale4j.snapshot.manifest.Manifest;

import java.util.Map;

/**
 * Summary of one snapshot, as {@code list} and {@code create} report it. Sizes in bytes: {@code totalBytes}
 * is the content of the snapshot's files, {@code addedBytes} what writing it added to the repository after
 * deduplication and compression.
 */
public record SnapshotInfo(String id, String time, String host, String source, Map<String, String> tags,
                           String parent, long files, long totalBytes, long addedBytes, long addedRawBytes,
                           long reusedFiles, long durationMillis) {

    static SnapshotInfo of(String id, Manifest.Summary m) {
        Manifest.Stats s = m.stats();
        return new SnapshotInfo(id, m.time(), m.host(), m.source(), Map.copyOf(m.tags()), m.parent(), s.files(),
                s.totalBytes(), s.addedBytes(), s.addedRawBytes(), s.reusedFiles(), s.durationMillis());
    }

    /** The first 12 hex digits, enough to name a snapshot on the command line. */
    public String shortId() {
        return id.substring(0, 12);
    }
}
