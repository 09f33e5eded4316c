package dev.kale4j.snapshot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a real agent process with SIGKILL at several points of writing a snapshot (after its first pack, in
 * the middle, near the end, at random times) and checks each time that the repository verifies and every
 * earlier snapshot restores exactly, without any manual unlock.
 */
class CrashSafetyTest {
    @TempDir
    Path tmp;

    private static int count(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return (int) s.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void killNineAtAnyMomentLeavesAValidRepository() throws Exception {
        Path repoDir = tmp.resolve("repo");
        Map<String, Path> earlier = new LinkedHashMap<>();
        Path v1 = TestTrees.mixed(tmp.resolve("v1"), 21);
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            earlier.put(repo.create(v1, Map.of("n", "1")).id(), v1);
        }
        // A bigger source whose snapshot needs about 60 packs of 256 KiB.
        Path big = TestTrees.mixed(tmp.resolve("big"), 22);
        TestTrees.write(big.resolve("extra/random-12m.bin"), TestTrees.random(new Random(5), 12 << 20));
        int packsBefore = count(repoDir.resolve("packs"));
        IntSupplier newPacks = () -> count(repoDir.resolve("packs")) - packsBefore;
        // Kill points: after the first pack, after 20 and 45 packs, and at fixed times from process start.
        Object[] points = {1, 20, 45, 300L, 900L};
        int killed = 0;
        int round = 0;
        for (Object point : points) {
            round++;
            Path log = tmp.resolve("child.log");
            Process p = ChildAgent.start(log, "create", "--repo", repoDir.toString(), "--source", big.toString());
            long t0 = System.nanoTime();
            boolean finished = false;
            while (true) {
                if (!p.isAlive()) {
                    finished = true;
                    break;
                }
                if (point instanceof Integer n && newPacks.getAsInt() >= n) {
                    break;
                }
                if (point instanceof Long ms && System.nanoTime() - t0 >= ms * 1_000_000) {
                    break;
                }
                Thread.sleep(2);
            }
            p.destroyForcibly(); // SIGKILL
            p.waitFor(30, TimeUnit.SECONDS);
            if (!finished) {
                killed++;
            }
            System.out.printf("kill point %s: %s after %d ms, %d new packs%n", point,
                    finished ? "finished" : "killed", (System.nanoTime() - t0) / 1_000_000, newPacks.getAsInt());
            try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
                SnapshotRepository.VerifyResult v = repo.verify();
                assertThat(v.errors()).as("after kill at %s", point).isEmpty();
                for (Map.Entry<String, Path> e : earlier.entrySet()) {
                    Path out = tmp.resolve("out-" + round + "-" + e.getKey().substring(0, 8));
                    repo.restore(e.getKey(), out);
                    TestTrees.assertSameTree(e.getValue(), out);
                }
                // Whatever the kill left complete is a full snapshot too.
                for (SnapshotInfo s : repo.list()) {
                    if (!earlier.containsKey(s.id())) {
                        Path out = tmp.resolve("out-complete-" + round + "-" + s.id().substring(0, 8));
                        repo.restore(s.id(), out);
                        TestTrees.assertSameTree(big, out);
                    }
                }
            }
        }
        assertThat(killed).as("kills that hit a running snapshot").isGreaterThanOrEqualTo(3);
        // The repository is still writable at once (stale locks of killed agents are ignored) and gc cleans up.
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            SnapshotInfo last = repo.create(big, Map.of("n", "last"));
            repo.gc();
            SnapshotRepository.VerifyResult v = repo.verify();
            assertThat(v.errors()).isEmpty();
            assertThat(v.notes()).as("no leftover packs after gc").isEmpty();
            repo.restore(last.id(), tmp.resolve("out-last"));
            TestTrees.assertSameTree(big, tmp.resolve("out-last"));
            for (Map.Entry<String, Path> e : earlier.entrySet()) {
                repo.restore(e.getKey(), tmp.resolve("out-final-" + e.getKey().substring(0, 8)));
                TestTrees.assertSameTree(e.getValue(), tmp.resolve("out-final-" + e.getKey().substring(0, 8)));
            }
        }
        assertThat(Files.list(repoDir.resolve("tmp")).count()).isZero();
    }
}
