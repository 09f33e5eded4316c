package dev.kale4j.runtime.marshal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Buffered little-endian output to a file channel that checksums everything it writes.
 *
 * <p>Why a direct buffer: {@code FileChannel.write} of a heap buffer copies it into a temporary direct buffer first;
 * writing from a direct buffer saves that copy, and bulk puts of primitive arrays into a little-endian view of a
 * direct buffer are a plain memory copy on little-endian hardware (no per-element work, no boxing). The CRC32C is
 * computed over each chunk while it is still in cache, right before it goes to the channel.
 */
final class ChannelSink {
    /** The file could not be written (disk full, permissions...), as opposed to a codec failing. */
    static final class StorageFailure extends IOException {
        StorageFailure(IOException cause) {
            super(cause.toString(), cause);
        }
    }

    private final FileChannel channel;
    private final ByteBuffer buf;
    private final CRC32C crc = new CRC32C();
    private long flushed;

    ChannelSink(FileChannel channel, int bufferSize) {
        this.channel = channel;
        this.buf = ByteBuffer.allocateDirect(bufferSize).order(ByteOrder.LITTLE_ENDIAN);
    }

    long bytesWritten() {
        return flushed + buf.position();
    }

    int crc() {
        return (int) crc.getValue();
    }

    void flush() throws IOException {
        buf.flip();
        int end = buf.limit();
        crc.update(buf);
        buf.position(0).limit(end);
        try {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        } catch (IOException e) {
            throw new StorageFailure(e);
        }
        flushed += end;
        buf.clear();
    }

    private void ensure(int n) throws IOException {
        if (buf.remaining() < n) {
            flush();
        }
    }

    void writeByte(int v) throws IOException {
        ensure(1);
        buf.put((byte) v);
    }

    void writeShort(short v) throws IOException {
        ensure(2);
        buf.putShort(v);
    }

    void writeChar(char v) throws IOException {
        ensure(2);
        buf.putChar(v);
    }

    void writeInt(int v) throws IOException {
        ensure(4);
        buf.putInt(v);
    }

    void writeLong(long v) throws IOException {
        ensure(8);
        buf.putLong(v);
    }

    void writeFloat(float v) throws IOException {
        ensure(4);
        buf.putFloat(v);
    }

    void writeDouble(double v) throws IOException {
        ensure(8);
        buf.putDouble(v);
    }

    /** Unsigned LEB128; lengths, counts and table indexes are mostly tiny. */
    void writeVarInt(int v) throws IOException {
        ensure(5);
        while ((v & ~0x7F) != 0) {
            buf.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buf.put((byte) v);
    }

    /** Null is length 0, otherwise UTF-8 length + 1. */
    void writeString(String s) throws IOException {
        if (s == null) {
            writeVarInt(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(b.length + 1);
        if (b.length <= 16 && buf.remaining() >= b.length) {
            for (byte x : b) { // cheaper than a bulk put for the short strings records are full of
                buf.put(x);
            }
        } else {
            writeRaw(b, 0, b.length);
        }
    }

    void writeRaw(byte[] a, int off, int len) throws IOException {
        while (len > 0) {
            if (!buf.hasRemaining()) {
                flush();
            }
            int n = Math.min(len, buf.remaining());
            buf.put(a, off, n);
            off += n;
            len -= n;
        }
    }

    void writeBooleans(boolean[] a) throws IOException {
        for (boolean v : a) {
            ensure(1);
            buf.put(v ? (byte) 1 : 0);
        }
    }

    // The bulk writers fill the buffer through a typed view in as few chunks as the buffer size allows.

    void writeShorts(short[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            ensure(2);
            int n = Math.min(a.length - off, buf.remaining() >>> 1);
            buf.asShortBuffer().put(a, off, n);
            buf.position(buf.position() + (n << 1));
            off += n;
        }
    }

    void writeChars(char[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            ensure(2);
            int n = Math.min(a.length - off, buf.remaining() >>> 1);
            buf.asCharBuffer().put(a, off, n);
            buf.position(buf.position() + (n << 1));
            off += n;
        }
    }

    void writeInts(int[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            ensure(4);
            int n = Math.min(a.length - off, buf.remaining() >>> 2);
            buf.asIntBuffer().put(a, off, n);
            buf.position(buf.position() + (n << 2));
            off += n;
        }
    }

    void writeFloats(float[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            ensure(4);
            int n = Math.min(a.length - off, buf.remaining() >>> 2);
            buf.asFloatBuffer().put(a, off, n);
            buf.position(buf.position() + (n << 2));
            off += n;
        }
    }

    void writeLongs(long[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            ensure(8);
            int n = Math.min(a.length - off, buf.remaining() >>> 3);
            buf.asLongBuffer().put(a, off, n);
            buf.position(buf.position() + (n << 3));
            off += n;
        }
    }

    void writeDoubles(double[] a) throws IOException {
        int off = 0;
        while (off < a.length) {
            ensure(8);
            int n = Math.min(a.length - off, buf.remaining() >>> 3);
            buf.asDoubleBuffer().put(a, off, n);
            buf.position(buf.position() + (n << 3));
            off += n;
        }
    }
}
