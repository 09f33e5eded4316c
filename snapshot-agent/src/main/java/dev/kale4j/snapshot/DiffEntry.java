package dev.kale4j.snapshot;

/**
 * One difference between two snapshots: {@code kind} is {@code +} (only in the second), {@code -} (only in the
 * first), {@code M} (content changed) or {@code T} (only metadata: mode, time, link target or type).
 * The root directory has the empty path and prints as {@code .}.
 */
public record DiffEntry(char kind, String path, String detail) {
    @Override
    public String toString() {
        return kind + " " + (path.isEmpty() ? "." : path) + (detail == null || detail.isEmpty() ? "" : "  (" + detail + ")");
    }
}
