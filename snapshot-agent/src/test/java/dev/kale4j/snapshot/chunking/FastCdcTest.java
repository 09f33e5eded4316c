package dev.kale4j.snapshot.chunking;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FastCdcTest {
    private final FastCdc cdc = new FastCdc(32 << 10, 128 << 10, 512 << 10, 42);

    private List<Integer> cuts(byte[] data) {
        List<Integer> out = new ArrayList<>();
        int pos = 0;
        while (pos < data.length) {
            int n = cdc.cut(data, pos, data.length - pos);
            out.add(n);
            pos += n;
        }
        return out;
    }

    private static Set<String> boundaries(List<Integer> sizes, int shift) {
        Set<String> out = new HashSet<>();
        long pos = shift;
        for (int n : sizes) {
            out.add(pos + ":" + n);
            pos += n;
        }
        return out;
    }

    @Test
    void chunkSizesStayInBoundsAndAverageNearTheTarget() {
        byte[] data = new byte[16 << 20];
        new Random(1).nextBytes(data);
        List<Integer> sizes = cuts(data);
        assertThat(sizes.subList(0, sizes.size() - 1)).allMatch(n -> n >= 32 << 10 && n <= 512 << 10);
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(data.length);
        double avg = data.length / (double) sizes.size();
        assertThat(avg).isBetween(100_000.0, 200_000.0);
    }

    @Test
    void anInsertionOnlyMovesTheChunksAroundIt() {
        byte[] data = new byte[8 << 20];
        new Random(2).nextBytes(data);
        byte[] shifted = new byte[data.length + 100];
        System.arraycopy(data, 0, shifted, 0, 4 << 20);
        System.arraycopy(data, 4 << 20, shifted, (4 << 20) + 100, data.length - (4 << 20));
        List<Integer> a = cuts(data);
        List<Integer> b = cuts(shifted);
        // Chunks after the edit are the same content at offsets shifted by 100.
        Set<String> after = new HashSet<>(boundaries(a, 100));
        after.retainAll(boundaries(b, 0));
        assertThat(after.size()).isGreaterThan(a.size() / 2 - 3);
        assertThat(cuts(data)).isEqualTo(a); // deterministic
    }

    @Test
    void zerosCutAtMaximumAndBadParametersAreRejected() {
        assertThat(cuts(new byte[2 << 20])).containsOnly(512 << 10);
        assertThatThrownBy(() -> new FastCdc(10, 100, 1000, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
