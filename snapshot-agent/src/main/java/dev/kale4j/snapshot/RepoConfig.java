package dev.kale4j.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/**
 * Per-repository settings, fixed when the repository is created ({@code config} object). Chunking parameters
 * must stay the same for the life of a repository so that new snapshots deduplicate against old ones.
 *
 * <p>Defaults are measured (bench/RESULTS.md): an average chunk of 128 KiB keeps the bytes stored for a 1%
 * in-place change of the bench volume under 1.5x the changed bytes while costing little speed; 1 MiB chunks
 * (restic's choice) store about 3x the changed bytes there.
 */
public record RepoConfig(int version, int chunkMin, int chunkAvg, int chunkMax, long gearSeed, int packSize,
                         int zstdLevel) {
    public static final String KEY = "config";
    public static final int VERSION = 2; // 2: entries in trees/, summaries in snapshots/
    private static final ObjectMapper JSON = new ObjectMapper();

    public static RepoConfig defaults() {
        int avg = Integer.getInteger("kale4j.snapshot.chunkAvg", 128 * 1024);
        return new RepoConfig(VERSION, avg / 4, avg, avg * 4, 0x6b616c65346aL,
                Integer.getInteger("kale4j.snapshot.packSize", 16 << 20), 1);
    }

    byte[] encode() throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
    }

    static RepoConfig decode(byte[] data) throws IOException {
        return JSON.readValue(data, RepoConfig.class);
    }
}
