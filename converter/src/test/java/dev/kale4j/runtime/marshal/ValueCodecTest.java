package dev.kale4j.runtime.marshal;

import dev.kale4j.runtime.marshal.TestCodecs.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueCodecTest {
    @TempDir
    Path dir;

    private final TypeResolver resolver = TypeResolver.of(getClass().getClassLoader());

    private static Matrix matrix() {
        return new Matrix(2, 2, new double[]{1, 2, 3, 4}, Map.of("name", "m", "shape", List.of(2, 2)));
    }

    @Test
    void aCodecRoundTripsItsTypeWithNestedValues() {
        Marshaller m = Marshaller.create(List.of(new TestCodecs.MatrixCodec()));
        Path file = dir.resolve("m.k4j");
        ArtifactInfo info = m.write("mat", matrix(), "Matrix", file);
        assertThat(info.codec()).isEqualTo("test.matrix");
        Matrix back = (Matrix) m.read(file, resolver);
        assertThat(back.rows).isEqualTo(2);
        assertThat(back.data).containsExactly(1, 2, 3, 4);
        assertThat(back.meta).isEqualTo(Map.of("name", "m", "shape", List.of(2, 2)));
        // Nested inside structural values, several times (codec id written once, referenced after).
        Path list = dir.resolve("l.k4j");
        assertThat(m.write("mats", List.of(matrix(), matrix()), "List<Matrix>", list).codec()).isEqualTo("kale4j.binary");
        assertThat((List<?>) m.read(list, resolver)).hasSize(2).allSatisfy(x -> assertThat(((Matrix) x).cols).isEqualTo(2));
    }

    @Test
    void higherPriorityWinsAndReservedIdsAreIgnored() {
        Marshaller m = Marshaller.create(List.of(new TestCodecs.MatrixCodec(), new TestCodecs.PreferredMatrixCodec(),
                new TestCodecs.ReservedIdCodec()));
        assertThat(m.codecs()).extracting(ValueCodec::id).containsExactly("test.matrix.preferred", "test.matrix");
        assertThat(m.write("mat", matrix(), "Matrix", dir.resolve("p.k4j")).codec()).isEqualTo("test.matrix.preferred");
    }

    @Test
    void aMissingCodecDownstreamIsReported() {
        Path file = dir.resolve("m.k4j");
        Marshaller.create(List.of(new TestCodecs.MatrixCodec())).write("mat", matrix(), "Matrix", file);
        assertThatThrownBy(() -> Marshaller.create(List.of()).read(file, resolver))
                .isInstanceOf(MarshalException.class)
                .hasMessageContaining("variable `mat` of type `Matrix`")
                .hasMessageContaining("ValueCodec `test.matrix`, which is not on this step's class path");
    }

    @Test
    void codecBugsAreCaught() {
        Path file = dir.resolve("s.k4j");
        Marshaller sloppy = Marshaller.create(List.of(new TestCodecs.SloppyCodec()));
        sloppy.write("mat", matrix(), "Matrix", file);
        assertThatThrownBy(() -> sloppy.read(file, resolver)).isInstanceOf(MarshalException.class)
                .hasMessageContaining("ValueCodec `test.sloppy` read back a different number of bytes than it wrote");
        assertThatThrownBy(() -> Marshaller.create(List.of(new TestCodecs.FailingCodec()))
                .write("model", matrix(), "Matrix", dir.resolve("f.k4j")))
                .isInstanceOf(MarshalException.class)
                .hasMessageContaining("variable `model` of type `Matrix` cannot be saved for downstream steps: "
                        + "its ValueCodec `test.failing` failed: java.lang.IllegalStateException: model is not fitted");
    }

    @Test
    void codecsAreFoundThroughServiceLoader() throws Exception {
        Path services = dir.resolve("cp/META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(ValueCodec.class.getName()),
                "# test\n" + TestCodecs.MatrixCodec.class.getName() + "\ncom.example.DoesNotExist\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[]{dir.resolve("cp").toUri().toURL()},
                getClass().getClassLoader())) {
            Marshaller m = Marshaller.create(loader);
            assertThat(m.codecs()).extracting(ValueCodec::id).containsExactly("test.matrix");
            Path file = dir.resolve("m.k4j");
            assertThat(m.write("mat", matrix(), "Matrix", file).codec()).isEqualTo("test.matrix");
            assertThat(((Matrix) m.read(file, resolver)).data).containsExactly(1, 2, 3, 4);
        }
        // Without the codec, Matrix has no shape kale4j can save.
        assertThatThrownBy(() -> Marshaller.create(getClass().getClassLoader())
                .write("mat", matrix(), "Matrix", dir.resolve("x.k4j")))
                .isInstanceOf(MarshalException.class).hasMessageContaining("register a ValueCodec");
    }
}
