package dev.kale4j.bench.snapshot;

import dev.kale4j.snapshot.SnapshotInfo;
import dev.kale4j.snapshot.SnapshotRepository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The snapshot agent as the pipeline runner uses it: the library inside an already running JVM, so no JVM
 * start-up per snapshot. Measures first snapshot, incremental snapshot after the generator's 1% change, and
 * restore, best of REPS, and prints one tab-separated line: first incr restore repoBytes addedBytes.
 *
 * <pre>java -cp BENCH_CP dev.kale4j.bench.snapshot.SnapshotBench PRISTINE WORKDIR SCRATCH REPS GENERATOR</pre>
 */
public final class SnapshotBench {
    private SnapshotBench() {
    }

    public static void main(String[] args) throws Exception {
        Path pristine = Path.of(args[0]);
        Path work = Path.of(args[1]);
        Path scratch = Path.of(args[2]);
        int reps = Integer.parseInt(args[3]);
        String generator = args[4];
        Files.createDirectories(scratch);
        // Warm up as a runner that has already snapshotted earlier steps would be.
        rm(work);
        sh("cp", "-a", pristine.toString(), work.toString());
        Path warm = scratch.resolve("warm-repo");
        try (SnapshotRepository r = SnapshotRepository.open(warm.toString())) {
            SnapshotInfo s = r.create(work, Map.of());
            r.restore(s.id(), scratch.resolve("warm-out"));
        }
        rm(warm);
        rm(scratch.resolve("warm-out"));

        List<Double> first = new ArrayList<>();
        List<Double> incr = new ArrayList<>();
        List<Double> restore = new ArrayList<>();
        long repoBytes = 0;
        long added = 0;
        for (int i = 0; i < reps; i++) {
            rm(work);
            sh("cp", "-a", pristine.toString(), work.toString());
            Path repoDir = scratch.resolve("repo");
            rm(repoDir);
            try (SnapshotRepository r = SnapshotRepository.open(repoDir.toString())) {
                long t0 = System.nanoTime();
                r.create(work, Map.of("bench", "first"));
                first.add((System.nanoTime() - t0) / 1e9);
                long before = r.storedBytes();
                sh("python3", generator, "--modify", work.toString());
                t0 = System.nanoTime();
                SnapshotInfo s = r.create(work, Map.of("bench", "incremental"));
                incr.add((System.nanoTime() - t0) / 1e9);
                repoBytes = r.storedBytes();
                added = repoBytes - before;
                Path out = scratch.resolve("out");
                rm(out);
                sh("sync");
                t0 = System.nanoTime();
                r.restore(s.id(), out);
                restore.add((System.nanoTime() - t0) / 1e9);
                rm(out);
            }
            rm(repoDir);
        }
        System.out.printf("%.3f\t%.3f\t%.3f\t%d\t%d%n", Collections.min(first), Collections.min(incr),
                Collections.min(restore), repoBytes, added);
    }

    private static void rm(Path p) throws IOException, InterruptedException {
        if (Files.exists(p)) {
            sh("rm", "-rf", p.toString());
        }
    }

    private static void sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed");
        }
    }
}
