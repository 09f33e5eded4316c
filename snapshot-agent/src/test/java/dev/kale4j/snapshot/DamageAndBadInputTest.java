package dev.kale4j.snapshot;

import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.manifest.Entry;
import dev.kale4j.snapshot.manifest.Manifest;
import dev.kale4j.snapshot.store.Backend;
import dev.kale4j.snapshot.store.LocalBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DamageAndBadInputTest {
    @TempDir
    Path tmp;

    private static List<Path> packs(Path repo) throws IOException {
        try (Stream<Path> s = Files.walk(repo.resolve("packs"))) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void verifyFindsASingleFlippedByteAndRestoreRefusesIt() throws Exception {
        Path src = TestTrees.mixed(tmp.resolve("src"), 11);
        Path repoDir = tmp.resolve("repo");
        SnapshotInfo s;
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            s = repo.create(src, Map.of());
            assertThat(repo.verify().ok()).isTrue();
        }
        Path pack = packs(repoDir).get(0);
        byte[] data = Files.readAllBytes(pack);
        Files.write(pack, TestTrees.flip(data, data.length / 3));
        String packId = pack.getFileName().toString();
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            SnapshotRepository.VerifyResult v = repo.verify();
            assertThat(v.ok()).isFalse();
            assertThat(v.errors()).hasSize(1);
            assertThat(v.errors().get(0)).contains("pack " + packId).contains("damaged");
            assertThatThrownBy(() -> repo.restore(s.id(), tmp.resolve("out"))).isInstanceOf(UserError.class)
                    .hasMessageContaining(packId).hasMessageContaining("damaged");
        }
        // Flipping it back makes everything whole again: verify found exactly that byte's chunk.
        Files.write(pack, data);
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            assertThat(repo.verify().ok()).isTrue();
        }
    }

    @Test
    void restoreRefusesAFlippedByteInACompressedAndInAStoredChunk() throws Exception {
        // Restore checks every chunk's SHA-256 (compressed frames also carry zstd's checksum):
        // a flipped byte in the middle of either kind must stop it.
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("text.csv"), "1,2,3,alpha\n".repeat(40_000));
        byte[] random = new byte[300_000];
        new java.util.Random(3).nextBytes(random);
        Files.write(src.resolve("random.bin"), random);
        Path repoDir = tmp.resolve("repo");
        SnapshotInfo s;
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            s = repo.create(src, Map.of());
        }
        Path pack = packs(repoDir).get(0);
        byte[] data = Files.readAllBytes(pack);
        List<dev.kale4j.snapshot.pack.BlobEntry> blobs = dev.kale4j.snapshot.pack.PackFormat.parse("p", data,
                data.length);
        assertThat(blobs).anyMatch(dev.kale4j.snapshot.pack.BlobEntry::compressed)
                .anyMatch(b -> !b.compressed());
        for (boolean compressed : new boolean[] {true, false}) {
            dev.kale4j.snapshot.pack.BlobEntry b = blobs.stream().filter(x -> x.compressed() == compressed)
                    .findFirst().orElseThrow();
            if (compressed) {
                assertThat(Restore.hasContentChecksum(java.nio.ByteBuffer.wrap(data), (int) b.offset(),
                        b.storedLength())).isTrue();
            }
            Files.write(pack, TestTrees.flip(data, (int) (b.offset() + b.storedLength() / 2)));
            Path out = tmp.resolve("out-" + compressed);
            try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
                assertThatThrownBy(() -> repo.restore(s.id(), out)).isInstanceOf(UserError.class)
                        .hasMessageContaining(b.hash().hex()).hasMessageContaining("damaged");
            }
        }
        Files.write(pack, data);
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            repo.restore(s.id(), tmp.resolve("out-ok"));
        }
        assertThat(Files.readAllBytes(tmp.resolve("out-ok/random.bin"))).isEqualTo(random);
    }

    @Test
    void truncatedPackIsReportedClearly() throws Exception {
        Path src = TestTrees.mixed(tmp.resolve("src"), 12);
        Path repoDir = tmp.resolve("repo");
        SnapshotInfo s;
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            s = repo.create(src, Map.of());
        }
        Path pack = packs(repoDir).get(0);
        try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            SnapshotRepository.VerifyResult v = repo.verify();
            assertThat(v.errors()).anyMatch(e -> e.contains(pack.getFileName().toString()) && e.contains("truncated"));
            assertThatThrownBy(() -> repo.restore(s.id(), tmp.resolve("out"))).isInstanceOf(UserError.class)
                    .hasMessageContaining(pack.getFileName().toString());
        }
    }

    /** Stores a manifest as a new snapshot (as an attacker or a bug could) and returns its id. */
    private static String plant(Path repoDir, Manifest m) throws IOException {
        return SnapshotRepository.store(new LocalBackend(repoDir), m.encode());
    }

    @Test
    void pathsThatWouldEscapeTheTargetAreRefused() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("a.txt"), "payload");
        Path repoDir = tmp.resolve("repo");
        Manifest good;
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            SnapshotInfo s = repo.create(src, Map.of());
            good = repo.manifest(s.id());
        }
        Entry file = good.entries().stream().filter(e -> e.path().equals("a.txt")).findFirst().orElseThrow();
        Entry root = good.entries().get(0);
        List<List<Entry>> attacks = List.of(
                List.of(root, rename(file, "../escaped.txt")),
                List.of(root, rename(file, "/tmp/escaped-abs.txt")),
                List.of(root, new Entry("link", Entry.Type.symlink, 0777, 0, 0, tmp.toString(), null, 0, 0),
                        rename(file, "link/escaped-via-link.txt")));
        for (List<Entry> entries : attacks) {
            String id = plant(repoDir, new Manifest(1, good.time(), good.host(), good.source(), good.tags(), null,
                    good.stats(), entries));
            Path target = tmp.resolve("target-" + id.substring(0, 6));
            try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
                assertThatThrownBy(() -> repo.restore(id, target)).isInstanceOf(UserError.class)
                        .hasMessageContaining("unsafe entry").hasMessageContaining(id);
                assertThat(repo.verify().errors()).anyMatch(e -> e.contains("unsafe entry"));
            }
        }
        assertThat(tmp.resolve("escaped.txt")).doesNotExist();
        assertThat(tmp.resolve("escaped-via-link.txt")).doesNotExist();
        assertThat(Path.of("/tmp/escaped-abs.txt")).doesNotExist();
    }

    private static Entry rename(Entry e, String path) {
        return new Entry(path, e.type(), e.mode(), e.mtimeNanos(), e.size(), e.target(), e.chunks(), e.inode(),
                e.ctimeNanos());
    }

    /** A local backend that reports ENOSPC once more than {@code limit} bytes were written. */
    private static final class FullDisk implements Backend {
        final LocalBackend inner;
        final AtomicLong budget;

        FullDisk(Path root, long limit) {
            inner = new LocalBackend(root);
            budget = new AtomicLong(limit);
        }

        @Override public String location() { return inner.location(); }
        @Override public boolean exists(String key) { return inner.exists(key); }
        @Override public byte[] get(String key) throws IOException { return inner.get(key); }
        @Override public byte[] getRange(String k, long o, int l) throws IOException { return inner.getRange(k, o, l); }
        @Override public void delete(String key) throws IOException { inner.delete(key); }
        @Override public List<ObjectInfo> list(String dir) throws IOException { return inner.list(dir); }
        @Override public void put(String key, byte[] data, int length) throws IOException {
            if (budget.addAndGet(-length) < 0) {
                throw new IOException("No space left on device");
            }
            inner.put(key, data, length);
        }
    }

    @Test
    void fullDiskIsAClearErrorAndLosesNothing() throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small"));
        Files.writeString(small.resolve("x.txt"), "kept");
        Path big = TestTrees.mixed(tmp.resolve("big"), 13);
        Path repoDir = tmp.resolve("repo");
        SnapshotInfo first;
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            first = repo.create(small, Map.of());
        }
        try (SnapshotRepository repo = SnapshotRepository.open(new FullDisk(repoDir, 1 << 20))) {
            assertThatThrownBy(() -> repo.create(big, Map.of())).isInstanceOf(UserError.class)
                    .hasMessageContaining("no space left").hasMessageContaining(repoDir.toString());
        }
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            assertThat(repo.list()).extracting(SnapshotInfo::id).containsExactly(first.id());
            assertThat(repo.verify().ok()).isTrue();
            repo.restore(first.id(), tmp.resolve("out"));
            TestTrees.assertSameTree(small, tmp.resolve("out"));
            repo.gc();
            assertThat(repo.verify().notes()).isEmpty();
        }
    }

    /** The same with a real, tiny tmpfs where we may mount one (root in a VM or privileged container). */
    @Test
    void fullRealFileSystem() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor() == 0, "cannot mount a tmpfs here");
        try {
            Path small = Files.createDirectories(tmp.resolve("small"));
            Files.writeString(small.resolve("x.txt"), "kept");
            Path big = TestTrees.mixed(tmp.resolve("big"), 14);
            Path repoDir = mnt.resolve("repo");
            try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
                SnapshotInfo first = repo.create(small, Map.of());
                assertThatThrownBy(() -> repo.create(big, Map.of())).isInstanceOf(UserError.class)
                        .hasMessageContaining("no space left");
                assertThat(repo.list()).extracting(SnapshotInfo::id).containsExactly(first.id());
                repo.restore(first.id(), tmp.resolve("out"));
                TestTrees.assertSameTree(small, tmp.resolve("out"));
                repo.gc();
                assertThat(repo.verify().ok()).isTrue();
            }
        } finally {
            new ProcessBuilder("umount", mnt.toString()).start().waitFor();
        }
    }

    @Test
    void damagedSnapshotFileIsNamed() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("a.txt"), "a");
        Path repoDir = tmp.resolve("repo");
        String id;
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            id = repo.create(src, Map.of()).id();
        }
        Path snap = repoDir.resolve("snapshots").resolve(id);
        Files.write(snap, TestTrees.flip(Files.readAllBytes(snap), 5));
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            assertThatThrownBy(repo::list).isInstanceOf(UserError.class).hasMessageContaining("snapshot " + id)
                    .hasMessageContaining("damaged");
            assertThat(repo.verify().errors()).anyMatch(e -> e.contains(id));
        }
    }

    @Test
    void missingOrDamagedTreeIsNamed() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("a.txt"), "a");
        Path repoDir = tmp.resolve("repo");
        String id;
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            id = repo.create(src, Map.of()).id();
        }
        Path tree;
        try (Stream<Path> s = Files.list(repoDir.resolve("trees"))) {
            tree = s.findFirst().orElseThrow();
        }
        Files.write(tree, TestTrees.flip(Files.readAllBytes(tree), 3));
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            assertThat(repo.list()).hasSize(1); // the summary is intact
            assertThatThrownBy(() -> repo.restore(id, tmp.resolve("out"))).isInstanceOf(UserError.class)
                    .hasMessageContaining("snapshot " + id).hasMessageContaining("does not match its name");
            assertThat(repo.verify().errors()).anyMatch(e -> e.contains(id));
        }
        Files.delete(tree);
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir.toString())) {
            assertThat(repo.verify().errors()).anyMatch(e -> e.contains(id) && e.contains("missing"));
        }
    }
}
