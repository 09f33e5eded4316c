package dev.kale4j.runtime.marshal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Large primitive arrays are read through a memory mapping; the threshold is lowered so small tests use it. */
class MappedReadTest {
    @TempDir
    Path dir;

    private final Marshaller marshaller = Marshaller.create(getClass().getClassLoader()).mapMinBytes(1024);
    private final TypeResolver resolver = TypeResolver.of(getClass().getClassLoader());

    record Sample(String label, double[] values, int[] counts, long[] ids, float[] weights, short[] s, char[] c) {
    }

    @Test
    void arraysOfEveryWidthAtOddOffsetsRoundTrip() {
        Random rnd = new Random(7);
        for (int length : new int[]{0, 1, 127, 128, 129, 5_000, 300_001}) {
            double[] d = rnd.doubles(length).toArray();
            int[] i = rnd.ints(length).toArray();
            long[] l = rnd.longs(length).toArray();
            float[] f = new float[length];
            short[] s = new short[length];
            char[] c = new char[length];
            for (int k = 0; k < length; k++) {
                f[k] = rnd.nextFloat();
                s[k] = (short) rnd.nextInt();
                c[k] = (char) rnd.nextInt();
            }
            // The label's length shifts everything after it off any alignment.
            Sample sample = new Sample("x".repeat(length % 7 + 1), d, i, l, f, s, c);
            Path file = dir.resolve("s" + length + ".k4j");
            marshaller.write("s", List.of(sample, sample), "List<Sample>", file);
            List<?> back = (List<?>) marshaller.read(file, resolver);
            for (Object o : back) {
                Sample b = (Sample) o;
                assertThat(b.values()).isEqualTo(d);
                assertThat(b.counts()).isEqualTo(i);
                assertThat(b.ids()).isEqualTo(l);
                assertThat(b.weights()).isEqualTo(f);
                assertThat(b.s()).isEqualTo(s);
                assertThat(b.c()).isEqualTo(c);
            }
        }
    }

    @Test
    void corruptionInsideTheMappedRegionIsDetected() throws Exception {
        double[] d = new Random(3).doubles(200_000).toArray();
        Path file = dir.resolve("d.k4j");
        marshaller.write("d", d, "double[]", file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(1_000_000);
            int b = raf.read();
            raf.seek(1_000_000);
            raf.write(b ^ 1);
        }
        assertThatThrownBy(() -> marshaller.read(file, resolver)).isInstanceOf(MarshalException.class)
                .hasMessageContaining("checksum mismatch");
    }
}
