package dev.kale4j.snapshot.pack;

import dev.kale4j.snapshot.Hash;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Pack file layout: the stored blobs back to back, then a header describing them, then a fixed trailer.
 * <pre>
 *   blob 0 | blob 1 | ... | header: n x (hash 32, flags 1, stored 4, raw 4) | headerLength 4 | crc32c 4 | "K4JPACK1"
 * </pre>
 * The header makes a pack self-describing, so the index can be rebuilt from packs alone and {@code verify}
 * can check that packs and index agree. The trailer's magic and CRC catch a truncated or damaged header.
 */
public final class PackFormat {
    static final byte[] MAGIC = "K4JPACK1".getBytes(StandardCharsets.US_ASCII);
    static final int ENTRY_BYTES = Hash.BYTES + 1 + 4 + 4;
    public static final int TRAILER_BYTES = 4 + 4 + MAGIC.length;
    static final byte FLAG_COMPRESSED = 1;

    private PackFormat() {
    }

    static byte[] header(List<BlobEntry> entries) {
        ByteBuffer bb = ByteBuffer.allocate(entries.size() * ENTRY_BYTES + TRAILER_BYTES);
        for (BlobEntry e : entries) {
            e.hash().write(bb);
            bb.put(e.compressed() ? FLAG_COMPRESSED : 0);
            bb.putInt(e.storedLength());
            bb.putInt(e.rawLength());
        }
        int headerLen = entries.size() * ENTRY_BYTES;
        CRC32C crc = new CRC32C();
        crc.update(bb.array(), 0, headerLen);
        bb.putInt(headerLen);
        bb.putInt((int) crc.getValue());
        bb.put(MAGIC);
        return bb.array();
    }

    /**
     * Parses the blob list of a pack given its last bytes ({@code tail}, at least the header and trailer) and
     * total size. Throws {@link CorruptPackException} if the pack is truncated or damaged.
     */
    public static List<BlobEntry> parse(String pack, byte[] tail, long packSize) throws CorruptPackException {
        if (tail.length < TRAILER_BYTES) {
            throw new CorruptPackException(pack, "is too short (" + packSize + " bytes) to be a pack");
        }
        ByteBuffer t = ByteBuffer.wrap(tail, tail.length - TRAILER_BYTES, TRAILER_BYTES);
        int headerLen = t.getInt();
        int crcValue = t.getInt();
        byte[] magic = new byte[MAGIC.length];
        t.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new CorruptPackException(pack, "has no pack trailer (truncated or damaged)");
        }
        if (headerLen < 0 || headerLen % ENTRY_BYTES != 0 || headerLen + TRAILER_BYTES > tail.length) {
            throw new CorruptPackException(pack, "has a damaged header length");
        }
        int hStart = tail.length - TRAILER_BYTES - headerLen;
        CRC32C crc = new CRC32C();
        crc.update(tail, hStart, headerLen);
        if ((int) crc.getValue() != crcValue) {
            throw new CorruptPackException(pack, "has a damaged header (checksum mismatch)");
        }
        ByteBuffer h = ByteBuffer.wrap(tail, hStart, headerLen);
        List<BlobEntry> out = new ArrayList<>(headerLen / ENTRY_BYTES);
        long offset = 0;
        while (h.hasRemaining()) {
            Hash hash = Hash.read(h);
            byte flags = h.get();
            int stored = h.getInt();
            int raw = h.getInt();
            out.add(new BlobEntry(hash, pack, offset, stored, raw, (flags & FLAG_COMPRESSED) != 0));
            offset += stored;
        }
        if (offset + headerLen + TRAILER_BYTES != packSize) {
            throw new CorruptPackException(pack, "has " + packSize + " bytes but its header describes "
                    + (offset + headerLen + TRAILER_BYTES) + " (truncated or damaged)");
        }
        return out;
    }
}
