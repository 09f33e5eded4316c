package dev.kale4j.runtime.marshal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/** Hand-built artifacts with valid checksums, for tests of what a reader must refuse. */
final class Forge {
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    Forge tag(byte tag) {
        body.write(tag);
        return this;
    }

    Forge varInt(int v) {
        while ((v & ~0x7F) != 0) {
            body.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        body.write(v);
        return this;
    }

    Forge string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varInt(b.length + 1);
        body.writeBytes(b);
        return this;
    }

    Forge bytes(byte[] b) {
        varInt(b.length);
        body.writeBytes(b);
        return this;
    }

    void writeTo(Path file, String variable, String typeName, String codec) throws IOException {
        byte[] b = body.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(b);
        byte[] header = new ArtifactFormat.Header(variable, typeName, codec).encode();
        var pre = new ArtifactFormat.Preamble(ArtifactFormat.VERSION, header.length, b.length, (int) crc.getValue(), 0);
        int headerCrc = ArtifactFormat.headerCrc(pre.encode(), header);
        pre = new ArtifactFormat.Preamble(ArtifactFormat.VERSION, header.length, b.length, (int) crc.getValue(), headerCrc);
        ByteBuffer out = ByteBuffer.allocate((int) pre.fileSize());
        out.put(pre.encode()).put(b).put(header);
        Files.write(file, out.array());
    }
}
