package dev.kale4j.snapshot;

import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.lock.RepoLock;
import dev.kale4j.snapshot.store.LocalBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConcurrencyTest {
    @TempDir
    Path tmp;

    @Test
    void twoAgentProcessesWriteOneRepositoryAtOnce() throws Exception {
        Path a = TestTrees.mixed(tmp.resolve("a"), 31);
        Path b = TestTrees.mixed(tmp.resolve("b"), 32);
        // Shared content between the two: both will try to store the same chunks at the same time.
        byte[] shared = TestTrees.random(new Random(33), 6 << 20);
        TestTrees.write(a.resolve("shared.bin"), shared);
        TestTrees.write(b.resolve("shared.bin"), shared);
        Path repoDir = tmp.resolve("repo");
        Process pa = ChildAgent.start(tmp.resolve("a.log"), "create", "--repo", repoDir.toString(), "--source",
                a.toString(), "--tag", "who=a");
        Process pb = ChildAgent.start(tmp.resolve("b.log"), "create", "--repo", repoDir.toString(), "--source",
                b.toString(), "--tag", "who=b");
        assertThat(pa.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(pb.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(pa.exitValue()).as(Files.readString(tmp.resolve("a.log"))).isZero();
        assertThat(pb.exitValue()).as(Files.readString(tmp.resolve("b.log"))).isZero();
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            assertThat(repo.verify().errors()).isEmpty();
            for (String who : List.of("a", "b")) {
                SnapshotInfo s = repo.find(Map.of("who", who)).get(0);
                repo.restore(s.id(), tmp.resolve("out-" + who));
                TestTrees.assertSameTree(tmp.resolve(who), tmp.resolve("out-" + who));
            }
        }
    }

    @Test
    void gcWaitsForARunningWriterAndNeverNeedsAManualUnlock() throws Exception {
        Path src = TestTrees.mixed(tmp.resolve("src"), 34);
        Path repoDir = tmp.resolve("repo");
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            repo.create(src, Map.of());
        }
        LocalBackend backend = new LocalBackend(repoDir);
        // A writer holds a shared lock: an exclusive one (gc) cannot be had until it is released...
        RepoLock writer = RepoLock.acquire(backend, false, Duration.ofSeconds(30), Duration.ZERO);
        assertThatThrownBy(() -> RepoLock.acquire(backend, true, Duration.ofSeconds(30), Duration.ofMillis(500)))
                .isInstanceOf(UserError.class).hasMessageContaining("is locked by process "
                        + ProcessHandle.current().pid());
        // ...while other writers share it.
        RepoLock second = RepoLock.acquire(backend, false, Duration.ofSeconds(30), Duration.ZERO);
        second.release();
        writer.release();
        RepoLock.acquire(backend, true, Duration.ofSeconds(30), Duration.ZERO).release();

        // A lock left by a killed process is stale at once (dead pid on this host): gc does not wait.
        Process victim = ChildAgent.start(tmp.resolve("v.log"), "create", "--repo", repoDir.toString(),
                "--source", src.toString());
        long deadline = System.currentTimeMillis() + 20_000;
        while (count(repoDir.resolve("locks")) == 0 && System.currentTimeMillis() < deadline && victim.isAlive()) {
            Thread.sleep(2);
        }
        victim.destroyForcibly().waitFor();
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            long t0 = System.nanoTime();
            repo.gc();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            assertThat(repo.verify().ok()).isTrue();
        }
        // A lock from another host whose lease ran out is ignored as well.
        Files.writeString(repoDir.resolve("locks/foreign"), "{\"exclusive\":true,\"host\":\"elsewhere\",\"pid\":1,"
                + "\"createdMillis\":0,\"expiresMillis\":" + (System.currentTimeMillis() - 1000) + "}");
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            assertThat(repo.create(src, Map.of()).id()).hasSize(64);
        }
    }

    private static long count(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }
}
