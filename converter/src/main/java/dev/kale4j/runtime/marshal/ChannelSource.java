package dev.kale4j.runtime.marshal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Buffered little-endian input over the body of an artifact; checksums every byte as it comes off the channel, so
 * the caller can compare with the recorded checksum once the body is consumed (see {@link #drain()}).
 * Lengths read from the stream are checked against the bytes left before anything is allocated, so a corrupted
 * length fails with {@link EOFException} instead of an {@code OutOfMemoryError}.
 */
final class ChannelSource {
    /**
     * Primitive arrays at least this large are read through a memory mapping of their region: the checksum and the
     * copy into the array then read the page cache directly, saving the kernel's copy into our buffer.
     */
    static final long MAP_MIN_BYTES = Long.getLong("kale4j.marshal.mapMinBytes", 16L << 20);
    private final long mapMinBytes;
    private static final int MAP_WINDOW = 1 << 28;

    private final FileChannel channel;
    private final long bodyEnd;
    private final ByteBuffer buf;
    private final CRC32C crc = new CRC32C();
    private long unread;
    private byte[] scratch = new byte[256];

    ChannelSource(FileChannel channel, long start, long bodyLength, int bufferSize) throws IOException {
        this(channel, start, bodyLength, bufferSize, MAP_MIN_BYTES);
    }

    ChannelSource(FileChannel channel, long start, long bodyLength, int bufferSize, long mapMinBytes)
            throws IOException {
        this.mapMinBytes = mapMinBytes;
        this.channel = channel;
        channel.position(start);
        this.bodyEnd = start + bodyLength;
        this.unread = bodyLength;
        int size = (int) Math.max(64, Math.min(bufferSize, bodyLength));
        this.buf = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        buf.limit(0);
    }

    /** Bytes of the body not consumed yet. */
    long available() {
        return buf.remaining() + unread;
    }

    int crc() {
        return (int) crc.getValue();
    }

    /** Consumes (and checksums) the rest of the body; returns how many bytes were left. */
    long drain() throws IOException {
        long left = available();
        buf.position(buf.limit());
        while (unread > 0) {
            fill();
            buf.position(buf.limit());
        }
        return left;
    }

    /** Compacts and reads as much of the body as fits; checksums the new bytes. */
    private void fill() throws IOException {
        buf.compact();
        int start = buf.position();
        int want = (int) Math.min(buf.remaining(), unread);
        buf.limit(start + want);
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                throw new EOFException("artifact ended early");
            }
        }
        unread -= want;
        ByteBuffer fresh = buf.duplicate();
        fresh.position(start);
        crc.update(fresh);
        buf.flip();
    }

    private void need(int n) throws IOException {
        if (buf.remaining() < n) {
            if (available() < n) {
                throw new EOFException("value runs past the end of the artifact");
            }
            fill();
        }
    }

    /** Checks that {@code count} elements of {@code size} bytes can still be in the body. */
    int checkLength(long count, int size) throws EOFException {
        if (count < 0 || count > Integer.MAX_VALUE - 8 || count * size > available()) {
            throw new EOFException("length " + count + " runs past the end of the artifact");
        }
        return (int) count;
    }

    byte readByte() throws IOException {
        need(1);
        return buf.get();
    }

    short readShort() throws IOException {
        need(2);
        return buf.getShort();
    }

    char readChar() throws IOException {
        need(2);
        return buf.getChar();
    }

    int readInt() throws IOException {
        need(4);
        return buf.getInt();
    }

    long readLong() throws IOException {
        need(8);
        return buf.getLong();
    }

    float readFloat() throws IOException {
        need(4);
        return buf.getFloat();
    }

    double readDouble() throws IOException {
        need(8);
        return buf.getDouble();
    }

    int readVarInt() throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = readByte();
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new EOFException("malformed length");
    }

    /** Reads a count of elements of {@code size} bytes each, checked against what is left. */
    int readLength(int size) throws IOException {
        return checkLength(Integer.toUnsignedLong(readVarInt()), size);
    }

    String readString() throws IOException {
        int n = readVarInt();
        if (n == 0) {
            return null;
        }
        int len = checkLength(Integer.toUnsignedLong(n) - 1, 1);
        if (len <= buf.capacity()) {
            need(len);
            if (scratch.length < len) {
                scratch = new byte[Math.max(len, scratch.length * 2)];
            }
            buf.get(scratch, 0, len);
            return new String(scratch, 0, len, StandardCharsets.UTF_8);
        }
        byte[] b = new byte[len];
        readRaw(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    void readRaw(byte[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            need(1);
            int n = Math.min(a.length - off, buf.remaining());
            buf.get(a, off, n);
            off += n;
        }
    }

    /** Copies {@code count} elements from a little-endian region into the target array, starting at {@code off}. */
    @FunctionalInterface
    private interface Copier {
        void copy(ByteBuffer region, int off, int count);
    }

    /**
     * Reads {@code count} elements of {@code size} bytes at {@code off}: from the buffer while it has whole
     * elements; large remainders through {@link #mapped} once the buffer is empty (a partial element left in the
     * buffer is completed first, so the mapping starts on an element boundary).
     */
    private void readElements(int size, int length, Copier copier) throws IOException {
        int off = 0;
        while (off < length) {
            int inBuffer = buf.remaining() / size;
            if (inBuffer > 0) {
                int n = Math.min(length - off, inBuffer);
                copier.copy(buf, off, n);
                buf.position(buf.position() + n * size);
                off += n;
            } else if ((long) (length - off) * size >= mapMinBytes) {
                if (buf.hasRemaining()) {
                    completeElement(size);
                } else {
                    mapped(size, off, length - off, copier);
                    off = length;
                }
            } else {
                need(size);
            }
        }
    }

    /** Reads just enough to complete the partial element at the end of the buffer. */
    private void completeElement(int size) throws IOException {
        int have = buf.remaining();
        buf.compact();
        buf.limit(size);
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                throw new EOFException("artifact ended early");
            }
        }
        unread -= size - have;
        ByteBuffer fresh = buf.duplicate();
        fresh.position(have);
        crc.update(fresh);
        buf.flip();
    }

    private void mapped(int size, int off, int count, Copier copier) throws IOException {
        long bytes = (long) count * size;
        long position = bodyEnd - unread;
        int perChunk = Math.max(1, buf.capacity() / size);
        long done = 0;
        while (done < bytes) {
            long window = Math.min(bytes - done, (long) MAP_WINDOW / size * size);
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, position + done, window);
            map.order(ByteOrder.LITTLE_ENDIAN);
            for (int at = 0; at < window; ) {
                int n = (int) Math.min(perChunk, (window - at) / size);
                ByteBuffer chunk = map.slice(at, n * size).order(ByteOrder.LITTLE_ENDIAN);
                crc.update(chunk.duplicate()); // brings the chunk into cache for the copy that follows
                copier.copy(chunk, off, n);
                off += n;
                at += n * size;
            }
            done += window;
        }
        unread -= bytes;
        channel.position(position + bytes);
    }

    void readBooleans(boolean[] a) throws IOException {
        for (int i = 0; i < a.length; i++) {
            a[i] = readByte() != 0;
        }
    }

    void readShorts(short[] a) throws IOException {
        readElements(2, a.length, (region, off, n) -> region.asShortBuffer().get(a, off, n));
    }

    void readChars(char[] a) throws IOException {
        readElements(2, a.length, (region, off, n) -> region.asCharBuffer().get(a, off, n));
    }

    void readInts(int[] a) throws IOException {
        readElements(4, a.length, (region, off, n) -> region.asIntBuffer().get(a, off, n));
    }

    void readFloats(float[] a) throws IOException {
        readElements(4, a.length, (region, off, n) -> region.asFloatBuffer().get(a, off, n));
    }

    void readLongs(long[] a) throws IOException {
        readElements(8, a.length, (region, off, n) -> region.asLongBuffer().get(a, off, n));
    }

    void readDoubles(double[] a) throws IOException {
        readElements(8, a.length, (region, off, n) -> region.asDoubleBuffer().get(a, off, n));
    }
}
