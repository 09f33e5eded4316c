package dev.kale4j.snapshot;

import dev.kale4j.common.UserError;
import dev.kale4j.snapshot.manifest.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotRepositoryTest {
    @TempDir
    Path tmp;

    @Test
    void restoresEveryKindOfEntryExactly() throws Exception {
        Path src = TestTrees.mixed(tmp.resolve("src"), 1);
        try (SnapshotRepository repo = SnapshotRepository.open(tmp.resolve("repo").toString())) {
            SnapshotInfo s = repo.create(src, Map.of("run", "r1", "step", "load"));
            assertThat(s.id()).hasSize(64);
            assertThat(s.files()).isEqualTo(6);
            Path out = tmp.resolve("out");
            repo.restore(s.id().substring(0, 10), out);
            TestTrees.assertSameTree(src, out);
            // The 24 MiB sparse file comes back sparse: far fewer blocks than its size.
            assertThat(TestTrees.allocatedBlocks(out.resolve("data/sparse.img")) * 512).isLessThan(4L << 20);
            assertThat(repo.verify().errors()).isEmpty();
        }
    }

    @Test
    void restoresTheSameWithAndWithoutDirectIo() throws Exception {
        // Files that cross segment boundaries, with holes at unaligned offsets, repeated chunks, a file that ends
        // in a short hole, tiny and empty files: O_DIRECT segments and the page-cache path give the same tree.
        Path src = Files.createDirectories(tmp.resolve("src"));
        Random r = new Random(11);
        try (RandomAccessFile f = new RandomAccessFile(src.resolve("mixed.bin").toFile(), "rw")) {
            f.write(TestTrees.random(r, (5 << 20) + 123));
            f.seek(f.getFilePointer() + 100_001); // zeros: a hole
            f.write(TestTrees.random(r, (1 << 20) + 777));
            f.setLength(f.getFilePointer() + 40_000); // ends in zeros
        }
        byte[] twice = TestTrees.random(r, 3 << 20);
        byte[] both = new byte[twice.length * 2 + 4099];
        System.arraycopy(twice, 0, both, 0, twice.length);
        System.arraycopy(twice, 0, both, twice.length + 4099, twice.length);
        TestTrees.write(src.resolve("twice.bin"), both);
        TestTrees.write(src.resolve("copy.bin"), twice);
        TestTrees.write(src.resolve("tiny.txt"), "ten bytes!".getBytes());
        TestTrees.write(src.resolve("empty"), new byte[0]);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            text.append(i).append(',').append(i * 7 % 13).append('\n');
        }
        TestTrees.write(src.resolve("table.csv"), text.toString().getBytes());
        String was = System.getProperty("kale4j.snapshot.directIo");
        try (SnapshotRepository repo = SnapshotRepository.open(tmp.resolve("repo").toString())) {
            SnapshotInfo s = repo.create(src, Map.of());
            for (String direct : List.of("true", "false")) {
                System.setProperty("kale4j.snapshot.directIo", direct);
                Path out = tmp.resolve("out-" + direct);
                repo.restore(s.id(), out);
                TestTrees.assertSameTree(src, out);
                assertThat(Files.mismatch(src.resolve("mixed.bin"), out.resolve("mixed.bin"))).isEqualTo(-1);
                assertThat(Files.mismatch(src.resolve("twice.bin"), out.resolve("twice.bin"))).isEqualTo(-1);
                assertThat(Files.mismatch(src.resolve("table.csv"), out.resolve("table.csv"))).isEqualTo(-1);
            }
        } finally {
            if (was == null) {
                System.clearProperty("kale4j.snapshot.directIo");
            } else {
                System.setProperty("kale4j.snapshot.directIo", was);
            }
        }
    }

    @Test
    void aRepositoryInsideTheSourceIsLeftOut() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("work"));
        Files.writeString(src.resolve("data.txt"), "step output");
        try (SnapshotRepository repo = SnapshotRepository.open(src.resolve(".snapshots").toString())) {
            SnapshotInfo first = repo.create(src, Map.of());
            SnapshotInfo second = repo.create(src, Map.of());
            assertThat(repo.entries(second.id())).extracting(Entry::path).containsExactly("", "data.txt");
            assertThat(second.addedRawBytes()).isZero();
            assertThat(repo.diff(first.id(), second.id())).isEmpty();
        }
    }

    @Test
    void hugeSparseFileBeyondTwoGiBRoundTrips() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Path huge = src.resolve("huge.img");
        byte[] head = TestTrees.random(new Random(7), 300_000);
        byte[] tail = TestTrees.random(new Random(8), 70_000);
        long tailAt = (5L << 29) + 12345; // 2.5 GiB + a bit: offsets past Integer.MAX_VALUE
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.write(head);
            f.seek(tailAt);
            f.write(tail);
        }
        try (SnapshotRepository repo = SnapshotRepository.open(tmp.resolve("repo").toString())) {
            SnapshotInfo s = repo.create(src, Map.of());
            assertThat(s.totalBytes()).isEqualTo(tailAt + tail.length);
            assertThat(s.addedRawBytes()).isLessThan(2_000_000); // the zeros are holes, not data
            Path out = tmp.resolve("out");
            repo.restore(s.id(), out);
            Path back = out.resolve("huge.img");
            assertThat(Files.size(back)).isEqualTo(tailAt + tail.length);
            assertThat(TestTrees.allocatedBlocks(back) * 512).isLessThan(8L << 20);
            try (RandomAccessFile f = new RandomAccessFile(back.toFile(), "r")) {
                byte[] h = new byte[head.length];
                f.readFully(h);
                assertThat(h).isEqualTo(head);
                f.seek(tailAt - 10);
                byte[] t = new byte[tail.length + 10];
                f.readFully(t);
                assertThat(java.util.Arrays.copyOfRange(t, 10, t.length)).isEqualTo(tail);
                assertThat(java.util.Arrays.copyOfRange(t, 0, 10)).containsOnly((byte) 0);
            }
        }
    }

    @Test
    void deduplicatesAndStoresLittleForASmallChange() throws Exception {
        Path src = TestTrees.mixed(tmp.resolve("src"), 2);
        try (SnapshotRepository repo = SnapshotRepository.open(tmp.resolve("repo").toString())) {
            SnapshotInfo first = repo.create(src, Map.of("step", "a"));
            // copy.bin duplicates random.bin: stored once, so less than the raw total is added.
            assertThat(first.addedRawBytes()).isLessThan(first.totalBytes() - 2_900_000);
            SnapshotInfo same = repo.create(src, Map.of("step", "b"));
            assertThat(same.reusedFiles()).isEqualTo(6);
            assertThat(same.addedRawBytes()).isZero();
            // Change 10 KB in the middle of the 3 MB random file.
            Path f = src.resolve("data/random.bin");
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                raf.seek(1_500_000);
                raf.write(TestTrees.random(new Random(9), 10_000));
            }
            SnapshotInfo changed = repo.create(src, Map.of("step", "c"));
            assertThat(changed.reusedFiles()).isEqualTo(5);
            // At most the chunks around the edit: well under the file size.
            assertThat(changed.addedRawBytes()).isBetween(10_000L, 1_200_000L);
            assertThat(changed.parent()).isEqualTo(same.id());
            Path out = tmp.resolve("out");
            repo.restore(changed.id(), out);
            TestTrees.assertSameTree(src, out);
        }
    }

    @Test
    void chunksThatCompressPoorlyAreStoredAsTheyAreAndTextStillCompresses() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Random r = new Random(5);
        // A float32 checkpoint: zstd saves ~7% on it, under the 1/8 that makes compressing a file's chunks worth it.
        java.nio.ByteBuffer floats = java.nio.ByteBuffer.allocate(4 << 20).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (floats.hasRemaining()) {
            floats.putFloat((float) (r.nextGaussian() * 0.02));
        }
        Files.write(src.resolve("weights.f32"), floats.array());
        StringBuilder csv = new StringBuilder();
        while (csv.length() < 2 << 20) {
            csv.append(csv.length()).append(',').append(r.nextInt(100_000)).append(",alpha\n");
        }
        try (SnapshotRepository repo = SnapshotRepository.open(tmp.resolve("repo").toString())) {
            SnapshotInfo weights = repo.create(src, Map.of("step", "a"));
            // zstd on every chunk would store ~93%; after two poor chunks the rest are only probed and stored as
            // they are.
            assertThat(weights.addedBytes()).isGreaterThan(weights.addedRawBytes() * 97 / 100);
            // Random bytes, then text, in one file: the probe at each chunk's ends finds the text half.
            byte[] mixed = new byte[4 << 20];
            r.nextBytes(mixed);
            byte[] text = csv.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, mixed, 2 << 20, 2 << 20);
            Files.write(src.resolve("mixed.bin"), mixed);
            SnapshotInfo withMixed = repo.create(src, Map.of("step", "b"));
            assertThat(withMixed.addedRawBytes()).isGreaterThan(4_000_000L);
            assertThat(withMixed.addedBytes()).isLessThan(withMixed.addedRawBytes() - (1 << 20));
            Path out = tmp.resolve("out");
            repo.restore(withMixed.id(), out);
            TestTrees.assertSameTree(src, out);
            assertThat(repo.verify().errors()).isEmpty();
        }
    }

    @Test
    void listFindDiffForgetAndGc() throws Exception {
        Path src = TestTrees.mixed(tmp.resolve("src"), 3);
        String repoDir = tmp.resolve("repo").toString();
        try (SnapshotRepository repo = SnapshotRepository.open(repoDir)) {
            SnapshotInfo a = repo.create(src, Map.of("run", "1", "step", "load"));
            Files.delete(src.resolve("data/table.csv"));
            Files.writeString(src.resolve("new.txt"), "new");
            TestTrees.write(src.resolve("data/nested/small.txt"), "changed".getBytes());
            Files.setPosixFilePermissions(src.resolve("empty-dir"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            SnapshotInfo b = repo.create(src, Map.of("run", "1", "step", "train"));

            assertThat(repo.list()).extracting(SnapshotInfo::id).containsExactly(b.id(), a.id());
            assertThat(repo.find(Map.of("step", "train"))).extracting(SnapshotInfo::id).containsExactly(b.id());
            assertThat(repo.find(Map.of("run", "1"))).hasSize(2);
            assertThat(repo.find(Map.of("run", "2"))).isEmpty();

            List<DiffEntry> diff = repo.diff(a.id(), b.id());
            assertThat(diff).extracting(d -> d.kind() + " " + d.path()).contains(
                    "- data/table.csv", "+ new.txt", "M data/nested/small.txt", "T empty-dir");
            assertThat(diff).noneMatch(d -> d.path().equals("data/random.bin"));

            long before = repo.storedBytes();
            repo.forget(a.id());
            assertThat(repo.list()).extracting(SnapshotInfo::id).containsExactly(b.id());
            SnapshotRepository.GcResult gc = repo.gc();
            assertThat(gc.bytesAfter()).isLessThan(gc.bytesBefore());
            // table.csv (about 0.7 MB of text, compressed) was only in the forgotten snapshot.
            assertThat(repo.storedBytes()).isLessThan(before - 100_000);
            assertThat(repo.verify().errors()).isEmpty();
            Path out = tmp.resolve("out");
            repo.restore(b.id(), out);
            TestTrees.assertSameTree(src, out);
        }
        // A fresh instance sees the same state (nothing only in memory).
        try (SnapshotRepository again = SnapshotRepository.open(repoDir)) {
            assertThat(again.list()).hasSize(1);
            assertThat(again.entries(again.list().get(0).id())).extracting(Entry::path).contains("new.txt");
        }
    }

    @Test
    void badInputIsAUserErrorNamingTheCulprit() throws Exception {
        Path missing = tmp.resolve("no-repo");
        try (SnapshotRepository repo = SnapshotRepository.open(missing.toString())) {
            assertThatThrownBy(repo::list).isInstanceOf(UserError.class)
                    .hasMessageContaining("no kale4j snapshot repository at " + missing);
            assertThatThrownBy(() -> repo.create(tmp.resolve("nope"), Map.of())).isInstanceOf(UserError.class)
                    .hasMessageContaining("is not a directory");
        }
        Path src = TestTrees.mixed(tmp.resolve("src"), 4);
        try (SnapshotRepository repo = SnapshotRepository.open(tmp.resolve("repo").toString())) {
            SnapshotInfo s = repo.create(src, Map.of());
            assertThatThrownBy(() -> repo.restore("ffff", tmp.resolve("t1"))).isInstanceOf(UserError.class)
                    .hasMessageContaining("no snapshot ffff");
            assertThatThrownBy(() -> repo.restore("../x", tmp.resolve("t1"))).isInstanceOf(UserError.class)
                    .hasMessageContaining("is not a snapshot id");
            Path full = Files.createDirectories(tmp.resolve("full"));
            Files.writeString(full.resolve("keep.txt"), "precious");
            assertThatThrownBy(() -> repo.restore(s.id(), full)).isInstanceOf(UserError.class)
                    .hasMessageContaining("is not empty");
            assertThat(Files.readString(full.resolve("keep.txt"))).isEqualTo("precious");
        }
        assertThatThrownBy(() -> SnapshotRepository.open("ftp://x/y")).isInstanceOf(UserError.class);
        Path notRepo = Files.createDirectories(tmp.resolve("not-a-repo"));
        Files.writeString(notRepo.resolve("config"), "user settings, not ours");
        try (SnapshotRepository repo = SnapshotRepository.open(notRepo.toString())) {
            assertThatThrownBy(repo::list).isInstanceOf(UserError.class)
                    .hasMessageContaining(notRepo + " is not a kale4j snapshot repository");
        }
    }
}
