package dev.kale4j.snapshot;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Builds test directory trees and compares them byte for byte, including modes and times. */
final class TestTrees {
    private TestTrees() {
    }

    /** A small tree with every kind of entry the store must restore exactly. */
    static Path mixed(Path dir, long seed) throws IOException {
        Random r = new Random(seed);
        Files.createDirectories(dir.resolve("data/nested/deeper"));
        Files.createDirectories(dir.resolve("empty-dir"));
        write(dir.resolve("data/random.bin"), random(r, 3_000_000));
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            csv.append(i).append(',').append(r.nextInt(1000)).append(",label").append(i % 7).append('\n');
        }
        write(dir.resolve("data/table.csv"), csv.toString().getBytes());
        write(dir.resolve("data/nested/deeper/copy.bin"), Files.readAllBytes(dir.resolve("data/random.bin")));
        write(dir.resolve("data/empty.txt"), new byte[0]);
        write(dir.resolve("data/nested/small.txt"), "hello".getBytes());
        Files.createSymbolicLink(dir.resolve("data/link-to-table"), Path.of("table.csv"));
        Files.createSymbolicLink(dir.resolve("dangling"), Path.of("does/not/exist"));
        Files.setPosixFilePermissions(dir.resolve("data/random.bin"), PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(dir.resolve("data/nested/small.txt"), PosixFilePermissions.fromString("rwxr-x--x"));
        Files.setPosixFilePermissions(dir.resolve("empty-dir"), PosixFilePermissions.fromString("rwx------"));
        // A sparse file: 24 MiB with data only at the start and the end.
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("data/sparse.img").toFile(), "rw")) {
            f.write(random(r, 100_000));
            f.seek(24L << 20);
            f.write(random(r, 5000));
        }
        // Distinct, sub-second modification times everywhere (set last, directories after their content).
        long base = 1_600_000_000_123_456_789L;
        int[] i = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                setTime(file, base + 1_000_000_007L * ++i[0]);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                setTime(d, base + 1_000_000_007L * ++i[0]);
                return FileVisitResult.CONTINUE;
            }
        });
        return dir;
    }

    static void setTime(Path p, long nanos) throws IOException {
        Files.getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(nanos, TimeUnit.NANOSECONDS), null, null);
    }

    static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static void write(Path p, byte[] data) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, data);
    }

    /** Everything a restore must reproduce: type, mode, mtime (ns), size, content hash, link target. */
    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                out.put(rel(root, d), "dir " + meta(d));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (attrs.isSymbolicLink()) {
                    out.put(rel(root, f), "link " + Files.readSymbolicLink(f) + " " + meta(f));
                } else {
                    out.put(rel(root, f), "file " + meta(f) + " " + attrs.size() + " "
                            + Hash.of(Files.readAllBytes(f)).hex());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    private static String rel(Path root, Path p) {
        return root.relativize(p).toString();
    }

    private static String meta(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        boolean link = Files.isSymbolicLink(p);
        // Link permissions are always 777 on Linux and not settable; compare them anyway (they must match).
        return String.format("%o", ((Integer) a.get("mode")) & 07777) + " "
                + Backup.nanos((FileTime) a.get("lastModifiedTime")) + (link ? "L" : "");
    }

    static void assertSameTree(Path expected, Path actual) throws IOException {
        Map<String, String> e = describe(expected);
        Map<String, String> a = describe(actual);
        // The roots have different names; compare them by metadata only.
        assertThat(a).isEqualTo(e);
    }

    /** Allocated 512-byte blocks, from stat(1): proves holes stayed holes. */
    static long allocatedBlocks(Path p) throws IOException, InterruptedException {
        Process pr = new ProcessBuilder("stat", "-c", "%b", p.toString()).redirectErrorStream(true).start();
        String s = new String(pr.getInputStream().readAllBytes()).trim();
        assertThat(pr.waitFor()).isZero();
        return Long.parseLong(s);
    }

    static byte[] flip(byte[] b, int at) {
        byte[] c = Arrays.copyOf(b, b.length);
        c[at] ^= 0x01;
        return c;
    }
}
