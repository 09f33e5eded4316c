package dev.kale4j.snapshot;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A SHA-256 digest, the content address of a chunk. Kept as four longs rather than a byte array so it can be
 * a cheap, correct hash-map key (millions of them live in the in-memory index).
 */
public final class Hash implements Comparable<Hash> {
    public static final int BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            // The JDK's SHA-256 uses the SHA-NI instructions through a HotSpot intrinsic on x86-64.
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JDK", e);
        }
    });

    private final long a;
    private final long b;
    private final long c;
    private final long d;

    private Hash(long a, long b, long c, long d) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.d = d;
    }

    public static Hash of(byte[] data, int off, int len) {
        MessageDigest md = SHA256.get();
        md.update(data, off, len);
        return fromBytes(md.digest(), 0);
    }

    /** The digest of {@code data}'s remaining bytes (heap or direct); does not move its position. */
    public static Hash of(ByteBuffer data) {
        MessageDigest md = SHA256.get();
        md.update(data.duplicate());
        return fromBytes(md.digest(), 0);
    }

    public static Hash of(byte[] data) {
        return of(data, 0, data.length);
    }

    public static Hash fromBytes(byte[] bytes, int off) {
        ByteBuffer bb = ByteBuffer.wrap(bytes, off, BYTES);
        return new Hash(bb.getLong(), bb.getLong(), bb.getLong(), bb.getLong());
    }

    public static Hash read(ByteBuffer bb) {
        return new Hash(bb.getLong(), bb.getLong(), bb.getLong(), bb.getLong());
    }

    /** Parses 64 hex digits; throws IllegalArgumentException otherwise. */
    public static Hash parse(String hex) {
        if (hex.length() != 2 * BYTES) {
            throw new IllegalArgumentException("not a SHA-256 hex digest: " + hex);
        }
        return fromBytes(HEX.parseHex(hex), 0);
    }

    public void write(ByteBuffer bb) {
        bb.putLong(a).putLong(b).putLong(c).putLong(d);
    }

    public byte[] toBytes() {
        ByteBuffer bb = ByteBuffer.allocate(BYTES);
        write(bb);
        return bb.array();
    }

    public String hex() {
        return HEX.formatHex(toBytes());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash h && h.a == a && h.b == b && h.c == c && h.d == d;
    }

    @Override
    public int hashCode() {
        // The digest is already uniformly distributed.
        return (int) (a ^ (a >>> 32));
    }

    @Override
    public int compareTo(Hash o) {
        int r = Long.compareUnsigned(a, o.a);
        if (r == 0) r = Long.compareUnsigned(b, o.b);
        if (r == 0) r = Long.compareUnsigned(c, o.c);
        if (r == 0) r = Long.compareUnsigned(d, o.d);
        return r;
    }

    @Override
    public String toString() {
        return hex();
    }
}
