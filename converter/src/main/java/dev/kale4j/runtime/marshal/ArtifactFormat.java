package dev.kale4j.runtime.marshal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * File layout of an artifact:
 * <pre>
 * [0,8)    magic "K4JMRSHL"
 * [8,12)   format version (int, little endian)
 * [12,16)  header length H
 * [16,24)  body length B
 * [24,28)  CRC32C of the body
 * [28,32)  CRC32C of bytes [0,28) followed by the header
 * [32,32+B)      body: one tagged value (see {@link Tags})
 * [32+B,32+B+H)  header: variable, type name, codec id
 * </pre>
 * The header goes after the body because what it records (the codec of the top-level value) is only final once the
 * body is written (e.g. a bean Jackson cannot serialize falls back to {@code Serializable}); the fixed preamble
 * says where it is, so reading it stays two small reads.
 */
final class ArtifactFormat {
    static final byte[] MAGIC = "K4JMRSHL".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int PREAMBLE = 32;
    static final int MAX_HEADER = 1 << 20;

    private ArtifactFormat() {
    }

    record Header(String variable, String typeName, String codec) {
        byte[] encode() {
            try {
                ByteArrayOutputStream bos = new ByteArrayOutputStream(64);
                DataOutputStream out = new DataOutputStream(bos);
                out.writeUTF(variable);
                out.writeUTF(typeName);
                out.writeUTF(codec);
                out.writeShort(0); // number of extra key/value pairs, reserved for later fields
                return bos.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static Header decode(byte[] b) throws IOException {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
            Header h = new Header(in.readUTF(), in.readUTF(), in.readUTF());
            int extras = in.readUnsignedShort();
            for (int i = 0; i < extras; i++) {
                in.readUTF();
                in.readUTF();
            }
            return h;
        }
    }

    record Preamble(int version, int headerLength, long bodyLength, int bodyCrc, int headerCrc) {
        ByteBuffer encode() {
            ByteBuffer b = ByteBuffer.allocate(PREAMBLE).order(ByteOrder.LITTLE_ENDIAN);
            b.put(MAGIC).putInt(version).putInt(headerLength).putLong(bodyLength).putInt(bodyCrc).putInt(headerCrc);
            return b.flip();
        }

        long fileSize() {
            return PREAMBLE + bodyLength + headerLength;
        }
    }

    static int headerCrc(ByteBuffer preamble, byte[] header) {
        CRC32C crc = new CRC32C();
        crc.update(preamble.duplicate().position(0).limit(28));
        crc.update(header);
        return (int) crc.getValue();
    }

    static String checksum(int crc) {
        return String.format("crc32c:%08x", crc);
    }
}
