package dev.kale4j.snapshot;

import dev.kale4j.snapshot.manifest.Json;

import java.io.IOException;

/**
 * Per-repository settings, fixed when the repository is created ({@code config} object). Chunking parameters
 * must stay the same for the life of a repository so that new snapshots deduplicate against old ones.
 *
 * <p>Defaults are measured (bench/RESULTS.md): an average chunk of 128 KiB keeps the bytes stored for a 1%
 * in-place change of the bench volume under 1.5x the changed bytes while costing little speed; 1 MiB chunks
 * (restic's choice) store about 3x the changed bytes there. The minimum is 3/4 of the average: FastCDC never
 * looks at a chunk's first {@code chunkMin} bytes, so with 96 KiB instead of 32 KiB it scans 38% of the data
 * instead of 77%, and a first snapshot of the bench volume takes 6-12% less time (snapshot run 12). The price,
 * measured on six 1% changes of the 256 MiB bench volume: -18% to +17% new bytes per change, +5% over all six;
 * +2% for twelve small insertions.
 */
public record RepoConfig(int version, int chunkMin, int chunkAvg, int chunkMax, long gearSeed, int packSize,
                         int zstdLevel) {
    public static final String KEY = "config";
    public static final int VERSION = 2; // 2: entries in trees/, summaries in snapshots/

    public static RepoConfig defaults() {
        int avg = Integer.getInteger("kale4j.snapshot.chunkAvg", 128 * 1024);
        return new RepoConfig(VERSION, avg / 4 * 3, avg, avg * 4, 0x6b616c65346aL,
                Integer.getInteger("kale4j.snapshot.packSize", 16 << 20), 1);
    }

    byte[] encode() throws IOException {
        return Json.writePretty(g -> {
            g.writeStartObject();
            g.writeNumberField("version", version);
            g.writeNumberField("chunkMin", chunkMin);
            g.writeNumberField("chunkAvg", chunkAvg);
            g.writeNumberField("chunkMax", chunkMax);
            g.writeNumberField("gearSeed", gearSeed);
            g.writeNumberField("packSize", packSize);
            g.writeNumberField("zstdLevel", zstdLevel);
            g.writeEndObject();
        }).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static RepoConfig decode(byte[] data) throws IOException {
        long[] v = new long[7];
        boolean[] seen = new boolean[7];
        try (var p = Json.parser(data)) {
            Json.readObject(p, (name, q) -> {
                int i = switch (name) {
                    case "version" -> 0;
                    case "chunkMin" -> 1;
                    case "chunkAvg" -> 2;
                    case "chunkMax" -> 3;
                    case "gearSeed" -> 4;
                    case "packSize" -> 5;
                    case "zstdLevel" -> 6;
                    default -> -1;
                };
                if (i < 0) {
                    q.skipChildren();
                } else {
                    v[i] = q.getLongValue();
                    seen[i] = true;
                }
            });
        }
        for (boolean b : seen) {
            if (!b) {
                throw new IOException("incomplete repository config");
            }
        }
        return new RepoConfig((int) v[0], (int) v[1], (int) v[2], (int) v[3], v[4], (int) v[5], (int) v[6]);
    }
}
