package dev.kale4j.bench.snapshot;

import dev.kale4j.snapshot.chunking.FastCdc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the chunker's minimum costs and saves, without timing anything: for each FastCDC parameter set, the share of
 * bytes the chunker scans (it skips a chunk's first {@code min} bytes), the mean chunk, and the bytes of chunks that
 * a changed copy of the volume adds to the original's (SHA-256 of every chunk, raw bytes before compression).
 * Usage: {@code ChunkingSim ORIGINAL_DIR CHANGED_DIR... -- MIN_KIB,AVG_KIB,MAX_KIB...}
 */
public final class ChunkingSim {
    private static final long SEED = 0x6b616c65346aL; // RepoConfig's gear seed

    private ChunkingSim() {
    }

    public static void main(String[] args) throws Exception {
        int sep = List.of(args).indexOf("--");
        if (sep < 2 || sep == args.length - 1) {
            System.err.println("usage: ChunkingSim ORIGINAL_DIR CHANGED_DIR... -- MIN_KIB,AVG_KIB,MAX_KIB...");
            System.exit(2);
        }
        Path original = Path.of(args[0]);
        List<Path> changed = new ArrayList<>();
        for (int i = 1; i < sep; i++) {
            changed.add(Path.of(args[i]));
        }
        StringBuilder head = new StringBuilder("| min, avg, max (KiB) | scanned | mean chunk |");
        for (Path c : changed) {
            head.append(' ').append(c.getFileName()).append(" |");
        }
        System.out.println(head);
        System.out.println("|---|---|---|" + "---|".repeat(changed.size()));
        for (int i = sep + 1; i < args.length; i++) {
            String[] p = args[i].split(",");
            FastCdc cdc = new FastCdc(Integer.parseInt(p[0]) << 10, Integer.parseInt(p[1]) << 10,
                    Integer.parseInt(p[2]) << 10, SEED);
            Set<String> known = new HashSet<>();
            Stats base = chunk(cdc, original, known);
            StringBuilder row = new StringBuilder(String.format("| %s | %.1f%% | %d KiB |", args[i],
                    100.0 * base.scanned / base.bytes, base.bytes / base.chunks >> 10));
            for (Path c : changed) {
                Stats s = chunk(cdc, c, new HashSet<>(known));
                row.append(String.format(" %.2f MiB |", s.added / 1048576.0));
            }
            System.out.println(row);
        }
    }

    private record Stats(long chunks, long bytes, long scanned, long added) {
    }

    /** Chunks every regular file under {@code root}; {@code known} collects hashes, {@code added} counts new ones. */
    private static Stats chunk(FastCdc cdc, Path root, Set<String> known) throws IOException,
            NoSuchAlgorithmException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long chunks = 0, bytes = 0, scanned = 0, added = 0;
        for (Path f : files) {
            byte[] b = Files.readAllBytes(f);
            for (int pos = 0; pos < b.length; ) {
                int n = cdc.cut(b, pos, b.length - pos);
                scanned += Math.max(0, n - cdc.min());
                sha.update(b, pos, n);
                if (known.add(java.util.HexFormat.of().formatHex(sha.digest()))) {
                    added += n;
                }
                pos += n;
                chunks++;
                bytes += n;
            }
        }
        return new Stats(chunks, bytes, scanned, added);
    }
}
