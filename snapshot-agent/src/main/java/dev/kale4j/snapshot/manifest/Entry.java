package dev.kale4j.snapshot.manifest;

import java.util.List;

/**
 * One file system object in a snapshot. {@code path} is relative to the snapshot root with {@code /}
 * separators ({@code ""} is the root itself). {@code chunks} lists the file's content in order: a SHA-256 hex
 * digest per stored chunk, or {@code z:LENGTH} for a run of zero bytes that is restored as a hole (sparse).
 * {@code inode} and {@code ctimeNanos} are kept only to recognise unchanged files in the next snapshot.
 */
public record Entry(String path, Type type, int mode, long mtimeNanos, long size, String target,
                    List<String> chunks, long inode, long ctimeNanos) {

    public enum Type { file, dir, symlink }

    public static final String HOLE_PREFIX = "z:";

    public static boolean isHole(String ref) {
        return ref.startsWith(HOLE_PREFIX);
    }

    public static int holeLength(String ref) {
        return Integer.parseInt(ref.substring(HOLE_PREFIX.length()));
    }

    /** Same content and metadata as far as a restore is concerned (inode and ctime do not count). */
    public boolean sameAs(Entry o) {
        return type == o.type && mode == o.mode && mtimeNanos == o.mtimeNanos && size == o.size
                && java.util.Objects.equals(target, o.target) && java.util.Objects.equals(chunks, o.chunks);
    }
}
