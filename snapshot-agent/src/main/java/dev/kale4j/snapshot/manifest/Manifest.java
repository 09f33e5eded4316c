package dev.kale4j.snapshot.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import dev.kale4j.snapshot.Hash;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A snapshot: when, of what, with which tags, and every entry with its chunk list. Stored as zstd-compressed
 * JSON under {@code snapshots/<id>}, where the id is the SHA-256 of the stored bytes; writing it is the last
 * step of a snapshot, so a snapshot is visible only once everything it references is durable.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(int version, String time, String host, String source, Map<String, String> tags,
                       String parent, Stats stats, List<Entry> entries) {

    public static final String DIR = "snapshots";
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Sizes in bytes. {@code addedBytes} is what this snapshot added to the repository (packs, index, manifest). */
    public record Stats(long files, long dirs, long symlinks, long totalBytes, long addedBytes, long addedRawBytes,
                        long addedChunks, long reusedFiles, long durationMillis) {
    }

    public byte[] encode() throws IOException {
        byte[] json = JSON.writeValueAsBytes(this);
        return Zstd.compress(json, 3);
    }

    public static Manifest decode(byte[] stored) throws IOException {
        long size = Zstd.getFrameContentSize(stored);
        if (size < 0 || size > Integer.MAX_VALUE) {
            throw new IOException("not a zstd frame");
        }
        byte[] json = Zstd.decompress(stored, (int) size);
        return JSON.readValue(json, Manifest.class);
    }

    public static String idOf(byte[] stored) {
        return Hash.of(stored).hex();
    }

    public Manifest withStats(Stats s) {
        return new Manifest(version, time, host, source, tags, parent, s, entries);
    }
}
