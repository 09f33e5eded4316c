package dev.kale4j.snapshot.chunking;

/**
 * Content-defined chunking after FastCDC (Xia et al., USENIX ATC '16): a gear rolling hash, no hashing inside
 * the first {@code min} bytes of a chunk, and normalized chunking (a stricter mask before the average size,
 * a looser one after) so chunk sizes cluster around the average. Boundaries depend only on nearby content, so
 * an edit moves at most the chunks around it; that is what makes a 1% change store about 1%.
 *
 * <p>The parameters are fixed per repository (see {@code RepoConfig}); changing them would stop deduplication
 * against older snapshots, not break them.
 */
public final class FastCdc {
    private final long[] gear = new long[256];
    private final int min;
    private final int avg;
    private final int max;
    private final long maskSmall;
    private final long maskLarge;

    public FastCdc(int min, int avg, int max, long seed) {
        if (!(0 < min && min <= avg && avg <= max) || Integer.bitCount(avg) != 1) {
            throw new IllegalArgumentException("chunk sizes need 0 < min <= avg <= max and avg a power of two");
        }
        this.min = min;
        this.avg = avg;
        this.max = max;
        int bits = Integer.numberOfTrailingZeros(avg);
        // The gear hash shifts left, so the high bits depend on the last 64 bytes: test those.
        this.maskSmall = -1L << (64 - (bits + 2));
        this.maskLarge = -1L << (64 - (bits - 2));
        long s = seed;
        for (int i = 0; i < 256; i++) {
            // SplitMix64: a deterministic, well-mixed table from the seed.
            s += 0x9E3779B97F4A7C15L;
            long z = s;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            gear[i] = z ^ (z >>> 31);
        }
    }

    public int min() {
        return min;
    }

    public int avg() {
        return avg;
    }

    public int max() {
        return max;
    }

    /**
     * Length of the next chunk starting at {@code off}, given {@code len} readable bytes. The caller passes
     * at least {@code max} bytes unless it is at the end of the input, where the rest may be one chunk.
     */
    public int cut(byte[] buf, int off, int len) {
        if (len <= min) {
            return len;
        }
        int n = Math.min(len, max);
        int normal = Math.min(n, avg);
        long fp = 0;
        long[] g = gear;
        int i = min;
        for (; i < normal; i++) {
            fp = (fp << 1) + g[buf[off + i] & 0xff];
            if ((fp & maskSmall) == 0) {
                return i + 1;
            }
        }
        for (; i < n; i++) {
            fp = (fp << 1) + g[buf[off + i] & 0xff];
            if ((fp & maskLarge) == 0) {
                return i + 1;
            }
        }
        return n;
    }
}
