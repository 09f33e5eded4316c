package dev.kale4j.runtime.marshal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    private final FileChannel channel;
    private final ByteBuffer buf;
    private final CRC32C crc = new CRC32C();
    private long unread;
    private byte[] scratch = new byte[256];

    ChannelSource(FileChannel channel, long start, long bodyLength, int bufferSize) throws IOException {
        this.channel = channel;
        channel.position(start);
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

    void readBooleans(boolean[] a) throws IOException {
        for (int i = 0; i < a.length; i++) {
            a[i] = readByte() != 0;
        }
    }

    void readShorts(short[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            need(2);
            int n = Math.min(a.length - off, buf.remaining() >>> 1);
            buf.asShortBuffer().get(a, off, n);
            buf.position(buf.position() + (n << 1));
            off += n;
        }
    }

    void readChars(char[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            need(2);
            int n = Math.min(a.length - off, buf.remaining() >>> 1);
            buf.asCharBuffer().get(a, off, n);
            buf.position(buf.position() + (n << 1));
            off += n;
        }
    }

    void readInts(int[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            need(4);
            int n = Math.min(a.length - off, buf.remaining() >>> 2);
            buf.asIntBuffer().get(a, off, n);
            buf.position(buf.position() + (n << 2));
            off += n;
        }
    }

    void readFloats(float[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            need(4);
            int n = Math.min(a.length - off, buf.remaining() >>> 2);
            buf.asFloatBuffer().get(a, off, n);
            buf.position(buf.position() + (n << 2));
            off += n;
        }
    }

    void readLongs(long[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            need(8);
            int n = Math.min(a.length - off, buf.remaining() >>> 3);
            buf.asLongBuffer().get(a, off, n);
            buf.position(buf.position() + (n << 3));
            off += n;
        }
    }

    void readDoubles(double[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            need(8);
            int n = Math.min(a.length - off, buf.remaining() >>> 3);
            buf.asDoubleBuffer().get(a, off, n);
            buf.position(buf.position() + (n << 3));
            off += n;
        }
    }
}
