package dev.kale4j.snapshot.pack;

import dev.kale4j.snapshot.Hash;

/**
 * Where one chunk lives: pack, byte offset, stored length (after compression) and raw length.
 * {@code compressed} says whether the stored bytes are a zstd frame or the raw chunk (incompressible data is
 * stored raw; compressing it again would only cost time).
 */
public record BlobEntry(Hash hash, String pack, long offset, int storedLength, int rawLength, boolean compressed) {
}
