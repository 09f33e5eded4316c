package dev.kale4j.runtime.marshal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class IntegrityTest {
    @TempDir
    Path dir;

    private final Marshaller marshaller = Marshaller.create(getClass().getClassLoader());
    private final TypeResolver resolver = TypeResolver.of(getClass().getClassLoader());

    record Item(String name, int qty, double price) {
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x5A);
        }
    }

    @Test
    void aCorruptedByteInALargeBodyFailsTheChecksumAndNamesTheFile() throws IOException {
        double[] data = IntStream.range(0, 300_000).mapToDouble(i -> i).toArray(); // spans several buffers
        Path file = dir.resolve("data.k4j");
        marshaller.write("data", data, "double[]", file);
        flipByte(file, ArtifactFormat.PREAMBLE + 2_000_000);
        assertThat(marshaller.info(file).variable()).isEqualTo("data"); // the header is still fine
        assertThatThrownBy(() -> marshaller.read(file, resolver))
                .isInstanceOf(MarshalException.class)
                .hasMessageStartingWith("artifact " + file + " is corrupted: checksum mismatch (recorded crc32c:")
                .hasMessageEndingWith("Re-run the step that produced it.");
    }

    @Test
    void everySingleByteCorruptionIsDetected() throws IOException {
        Object value = Map.of("items", List.of(new Item("apple", 3, 0.5), new Item("pear", 1, 0.75)));
        Path good = dir.resolve("good.k4j");
        marshaller.write("basket", value, "Map<String, List<Item>>", good);
        long size = Files.size(good);
        for (long i = 0; i < size; i++) {
            Path bad = dir.resolve("bad.k4j");
            Files.copy(good, bad, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            flipByte(bad, i);
            try {
                Object back = marshaller.read(bad, resolver);
                fail("corruption at byte " + i + " was not detected; read " + back);
            } catch (MarshalException e) {
                assertThat(e.getMessage()).as("byte %d", i).contains(bad.toString());
            }
        }
        assertThat(marshaller.read(good, resolver)).isEqualTo(value);
    }

    @Test
    void truncationIsReported() throws IOException {
        Path file = dir.resolve("t.k4j");
        marshaller.write("xs", List.of(1, 2, 3), "List<Integer>", file);
        long size = Files.size(file);
        for (long keep : new long[]{size - 1, size - 20, 40, 31, 5, 0}) {
            Path cut = dir.resolve("cut.k4j");
            Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(file), (int) keep));
            assertThatThrownBy(() -> marshaller.read(cut, resolver))
                    .as("kept %d of %d bytes", keep, size)
                    .isInstanceOf(MarshalException.class)
                    .hasMessageContaining(cut.toString())
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void trailingBytesAndForeignFilesAndMissingFiles() throws IOException {
        Path file = dir.resolve("x.k4j");
        marshaller.write("x", 1, "int", file);
        Files.write(file, new byte[]{1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> marshaller.read(file, resolver)).isInstanceOf(MarshalException.class)
                .hasMessageContaining("3 unexpected trailing bytes");
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "this is not an artifact, just some text long enough");
        assertThatThrownBy(() -> marshaller.read(text, resolver)).isInstanceOf(MarshalException.class)
                .hasMessageContaining("is not a kale4j artifact");
        Path missing = dir.resolve("missing.k4j");
        assertThatThrownBy(() -> marshaller.read(missing, resolver)).isInstanceOf(MarshalException.class)
                .hasMessageContaining(missing + " does not exist");
        assertThatThrownBy(() -> marshaller.info(missing)).isInstanceOf(MarshalException.class);
    }

    @Test
    void checksumInInfoChangesWithContent() {
        Path a = dir.resolve("a.k4j");
        Path b = dir.resolve("b.k4j");
        String ca = marshaller.write("v", new double[]{1, 2}, "double[]", a).checksum();
        String cb = marshaller.write("v", new double[]{1, 3}, "double[]", b).checksum();
        assertThat(ca).isNotEqualTo(cb);
        assertThat(marshaller.write("v", new double[]{1, 2}, "double[]", b).checksum()).isEqualTo(ca);
    }
}
