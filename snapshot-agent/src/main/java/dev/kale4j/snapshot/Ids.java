package dev.kale4j.snapshot;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique names for packs, locks and temporary files: 32 hex digits, like a UUID without dashes.
 * {@link java.util.UUID#randomUUID()} seeds a {@code SecureRandom} on first use, which measured 25-35 ms of
 * every agent run (the lock is the first thing a command takes). Names need to be unique, not unpredictable:
 * 64 random bits (first, so {@code packs/xx/} directories stay evenly filled), then the process id and a
 * per-process counter, so two agents on one host can never collide and agents on different hosts
 * (a shared S3 repository) only with the odds of a 64-bit random match.
 */
public final class Ids {
    private static final SplittableRandom RANDOM = new SplittableRandom(
            System.nanoTime() ^ System.currentTimeMillis() * 0x9E3779B97F4A7C15L
                    ^ ProcessHandle.current().pid() << 40 ^ System.identityHashCode(new Object()));
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicLong COUNTER = new AtomicLong();

    private Ids() {
    }

    public static String unique() {
        long r;
        synchronized (RANDOM) {
            r = RANDOM.nextLong();
        }
        // Not String.format: the Formatter's first use loads locale data (milliseconds at start-up).
        char[] out = new char[32];
        hex(out, 0, r, 16);
        hex(out, 16, PID & 0xffffffffL, 8);
        hex(out, 24, COUNTER.incrementAndGet() & 0xffffffffL, 8);
        return new String(out);
    }

    private static void hex(char[] out, int at, long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            out[at + i] = Character.forDigit((int) (v & 0xf), 16);
            v >>>= 4;
        }
    }
}
