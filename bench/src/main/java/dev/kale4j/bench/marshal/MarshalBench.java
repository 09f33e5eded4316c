package dev.kale4j.bench.marshal;

import dev.kale4j.runtime.marshal.ArtifactInfo;
import dev.kale4j.runtime.marshal.Marshaller;
import dev.kale4j.runtime.marshal.TypeResolver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * Marshalling throughput against the physical limit measured in the same run: a plain {@link FileChannel} writing
 * (and reading) the same number of bytes from/to one pre-filled direct buffer, no checksum, no encoding.
 *
 * <p>Cases: a 512 MiB {@code double[]} (the fast path) and a 1M-element {@code List} of records (the structural
 * path). Each measurement alternates anchor and marshaller, deletes its output first (so neither pays for truncating
 * an old file) and reports the median of {@code ROUNDS} after {@code WARMUP} unmeasured rounds. Files live in the
 * page cache (no fsync on either side), which is what a step's local artifact store sees.
 *
 * <p>Usage: {@code java -Xmx4g -cp "$BENCH_CP" dev.kale4j.bench.marshal.MarshalBench [dir]} (see bench/suites/marshal.sh).
 */
public final class MarshalBench {
    static final int WARMUP = 2;
    static final int ROUNDS = Integer.getInteger("rounds", 7);

    public record Row(long id, String symbol, double price, int quantity, boolean buy) {
    }

    private final Path dir;
    private final Marshaller marshaller = Marshaller.create(MarshalBench.class.getClassLoader());
    private final TypeResolver resolver = TypeResolver.of(MarshalBench.class.getClassLoader());

    MarshalBench(Path dir) {
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("kale4j-marshal-bench");
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "java %s, %d cpus, max heap %d MiB, dir %s, load average %.1f%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, dir,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        MarshalBench bench = new MarshalBench(dir);
        try {
            bench.crc();
            bench.doubles();
            bench.records();
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** How fast the checksum alone is, so its share of the marshalling time is known. */
    void crc() {
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
        CRC32C crc = new CRC32C();
        long total = 0;
        long best = Long.MAX_VALUE;
        for (int r = 0; r < WARMUP + ROUNDS; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 512; i++) {
                crc.update(b.clear());
            }
            best = Math.min(best, System.nanoTime() - t0);
            total += crc.getValue();
        }
        System.out.printf(Locale.ROOT, "crc32c over 512 MiB (1 MiB direct chunks): %.3f s = %.1f GB/s (checksum %d)%n",
                best / 1e9, (512L << 20) / (double) best, total & 1);
    }

    void doubles() throws IOException {
        int n = 64 << 20; // 64 Mi doubles = 512 MiB
        double[] data = new double[n];
        for (int i = 0; i < n; i++) {
            data[i] = i * 0.5;
        }
        ByteBuffer raw = ByteBuffer.allocateDirect(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asDoubleBuffer().put(data);
        Path anchorFile = dir.resolve("anchor.bin");
        Path artifact = dir.resolve("doubles.k4j");
        long[][] anchorW = new long[2][ROUNDS];
        long[] marshalW = new long[ROUNDS];
        long[][] anchorR = new long[2][ROUNDS];
        long[] marshalR = new long[ROUNDS];
        long[] plainR = new long[ROUNDS];
        ArtifactInfo info = null;
        for (int r = -WARMUP; r < ROUNDS; r++) {
            long mw = 0;
            for (int turn = 0; turn < 2; turn++) {
                sync();
                if ((turn + r & 1) == 0) {
                    anchorWrite(raw, anchorFile, anchorW, r);
                } else {
                    Files.deleteIfExists(artifact);
                    long t0 = System.nanoTime();
                    info = marshaller.write("data", data, "double[]", artifact);
                    mw = System.nanoTime() - t0;
                }
            }
            sync();
            anchorRead(raw, anchorFile, anchorR, r);
            sync();
            long t0 = System.nanoTime();
            double[] back = (double[]) marshaller.read(artifact, resolver);
            long mr = System.nanoTime() - t0;
            if (back.length != n || back[n - 1] != data[n - 1] || back[12345] != data[12345]) {
                throw new AssertionError("round trip changed the data");
            }
            back = null;
            sync();
            long pr = plainArrayRead(anchorFile, n);
            if (r >= 0) {
                marshalW[r] = mw;
                marshalR[r] = mr;
                plainR[r] = pr;
            }
        }
        report("double[] 512 MiB", info.bytes(), fastest(anchorW), marshalW, fastest(anchorR), marshalR);
        System.out.printf(Locale.ROOT, "  read vs a plain FileChannel loop into a new double[] (1 MiB direct buffer, "
                + "no format, no checksum) %.3f s: ratio of medians %.2f, of best %.2f%n", median(plainR) / 1e9,
                median(marshalR) / (double) median(plainR), min(marshalR) / (double) min(plainR));
        long[] alloc = new long[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            double[] fresh = new double[n];
            alloc[r] = System.nanoTime() - t0;
            fresh[n - 1] = 1;
        }
        System.out.printf(Locale.ROOT, "  (of the marshal read, allocating the zeroed 512 MiB result array alone takes "
                + "%.3f s median)%n", median(alloc) / 1e9);
    }

    void records() throws IOException {
        int n = 1_000_000;
        String[] symbols = {"AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "TSLA", "META", "ORCL"};
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(new Row(i, symbols[i & 7], 100 + (i % 1000) * 0.01, i % 500, (i & 1) == 0));
        }
        Path artifact = dir.resolve("rows.k4j");
        Path anchorFile = dir.resolve("anchor-rows.bin");
        ArtifactInfo info = marshaller.write("rows", rows, "List<Row>", artifact);
        ByteBuffer raw = ByteBuffer.allocateDirect((int) info.bytes());
        try (FileChannel ch = FileChannel.open(artifact)) {
            while (raw.hasRemaining() && ch.read(raw) >= 0) {
                // same bytes as the artifact
            }
        }
        long[][] anchorW = new long[2][ROUNDS];
        long[] marshalW = new long[ROUNDS];
        long[][] anchorR = new long[2][ROUNDS];
        long[] marshalR = new long[ROUNDS];
        for (int r = -WARMUP; r < ROUNDS; r++) {
            long mw = 0;
            for (int turn = 0; turn < 2; turn++) {
                sync();
                if ((turn + r & 1) == 0) {
                    anchorWrite(raw, anchorFile, anchorW, r);
                } else {
                    Files.deleteIfExists(artifact);
                    long t0 = System.nanoTime();
                    marshaller.write("rows", rows, "List<Row>", artifact);
                    mw = System.nanoTime() - t0;
                }
            }
            sync();
            anchorRead(raw, anchorFile, anchorR, r);
            sync();
            long t0 = System.nanoTime();
            @SuppressWarnings("unchecked")
            List<Row> back = (List<Row>) marshaller.read(artifact, resolver);
            long mr = System.nanoTime() - t0;
            if (back.size() != n || !back.get(n - 1).equals(rows.get(n - 1))) {
                throw new AssertionError("round trip changed the data");
            }
            if (r >= 0) {
                marshalW[r] = mw;
                marshalR[r] = mr;
            }
        }
        report("List<Row> 1M records", info.bytes(), fastest(anchorW), marshalW, fastest(anchorR), marshalR);
        System.out.printf(Locale.ROOT, "  (Row = record(long id, String symbol, double price, int quantity, boolean buy); "
                + "%.1f bytes/record; write %.0f ns/record, read %.0f ns/record)%n", info.bytes() / (double) n,
                median(marshalW) / (double) n, median(marshalR) / (double) n);
    }

    /**
     * Two plain FileChannel writes of the whole buffer to a fresh file: one call for everything, and 1 MiB slices.
     * Both are sampled every round; the anchor is whichever has the lower median (see {@link #fastest}), so it is
     * the best plain write can do here without being a best-of-two per round.
     */
    private static void anchorWrite(ByteBuffer raw, Path file, long[][] samples, int round) throws IOException {
        int[] chunks = {Integer.MAX_VALUE, CHUNK};
        for (int v = 0; v < chunks.length; v++) {
            Files.deleteIfExists(file);
            sync();
            long t0 = System.nanoTime();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = raw.duplicate().clear();
                while (b.hasRemaining()) {
                    b.limit((int) Math.min(b.capacity(), (long) b.position() + chunks[v]));
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    b.limit(b.capacity());
                }
            }
            if (round >= 0) {
                samples[v][round] = System.nanoTime() - t0;
            }
        }
    }

    /** Two plain FileChannel reads of the whole file into the (already allocated) buffer; as for writes. */
    private static void anchorRead(ByteBuffer raw, Path file, long[][] samples, int round) throws IOException {
        int[] chunks = {Integer.MAX_VALUE, CHUNK};
        for (int v = 0; v < chunks.length; v++) {
            sync();
            long t0 = System.nanoTime();
            try (FileChannel ch = FileChannel.open(file)) {
                ByteBuffer b = raw.duplicate().clear();
                while (b.hasRemaining()) {
                    b.limit((int) Math.min(b.capacity(), (long) b.position() + chunks[v]));
                    while (b.hasRemaining() && ch.read(b) >= 0) {
                        // keep reading
                    }
                    b.limit(b.capacity());
                }
            }
            if (round >= 0) {
                samples[v][round] = System.nanoTime() - t0;
            }
        }
    }

    /** The variant with the lower median. */
    private static long[] fastest(long[][] variants) {
        return median(variants[0]) <= median(variants[1]) ? variants[0] : variants[1];
    }

    static final int CHUNK = 1 << 20;

    /**
     * What reading a double[] takes with plain NIO and no format: allocate the array, read 1 MiB chunks into a direct
     * buffer, copy each into the array. Shows how much of the marshaller's read is the new array and the copy.
     */
    private static long plainArrayRead(Path file, int n) throws IOException {
        long t0 = System.nanoTime();
        double[] out = new double[n];
        ByteBuffer b = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file)) {
            int off = 0;
            while (off < n) {
                b.clear();
                b.limit((int) Math.min(CHUNK, (n - off) * 8L));
                while (b.hasRemaining() && ch.read(b) >= 0) {
                    // fill the chunk
                }
                b.flip();
                int k = b.remaining() / 8;
                b.asDoubleBuffer().get(out, off, k);
                off += k;
            }
        }
        long t = System.nanoTime() - t0;
        if (out[n - 1] != (n - 1) * 0.5) {
            throw new AssertionError("plain read got other data");
        }
        return t;
    }

    /**
     * Outside the timed regions: flushes dirty pages and collects garbage, so no measurement pays for another's
     * writeback or for the previous round's 512 MiB arrays.
     */
    private static void sync() {
        System.gc();
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
        } catch (IOException e) {
            // no sync binary: measurements are noisier, still valid
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static long min(long[] xs) {
        return Arrays.stream(xs).min().orElseThrow();
    }

    private static void report(String what, long bytes, long[] anchorW, long[] marshalW, long[] anchorR, long[] marshalR) {
        System.out.printf(Locale.ROOT, "%s (%d bytes), %d rounds, ratio = marshal time / FileChannel time:%n",
                what, bytes, ROUNDS);
        line("write", bytes, anchorW, marshalW);
        line("read ", bytes, anchorR, marshalR);
    }

    private static void line(String what, long bytes, long[] anchor, long[] marshal) {
        long a = median(anchor);
        long m = median(marshal);
        System.out.printf(Locale.ROOT, "  %s: marshal %.3f s (%.2f GB/s), FileChannel %.3f s (%.2f GB/s), "
                        + "ratio of medians %.2f, of best %.2f%n", what, m / 1e9, bytes / (double) m, a / 1e9,
                bytes / (double) a, m / (double) a, min(marshal) / (double) min(anchor));
    }
}
