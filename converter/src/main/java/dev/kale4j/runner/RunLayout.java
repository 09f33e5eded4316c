package dev.kale4j.runner;

import dev.kale4j.common.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Where a run keeps its files, so it can be inspected and resumed:
 * <pre>
 * HOME/runs/RUN/pipeline.json         the compiled pipeline
 * HOME/runs/RUN/summary.json          the run summary
 * HOME/runs/RUN/workspace/            the steps' working directory (the run's volume)
 * HOME/runs/RUN/steps/STEP/spec.json  what the step JVM ran, with code.jsh, stdout.log, stderr.log
 * HOME/runs/RUN/steps/STEP/outputs/   VAR.k4j artifacts and result.json
 * HOME/cache/steps/KEY                pointer to the step directory that produced a cache entry
 * HOME/snapshots/                     the snapshot repository of local runs
 * </pre>
 */
public record RunLayout(Path home, String runId) {
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    public static RunLayout create(Path home) {
        String id = LocalDateTime.now().format(ID) + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
        return new RunLayout(home, id);
    }

    /** An existing run, or a clear error naming what exists. */
    public static RunLayout existing(Path home, String runId) {
        RunLayout layout = new RunLayout(home, runId);
        if (!Files.isDirectory(layout.dir())) {
            List<String> runs = runIds(home);
            throw new UserError("no run " + runId + " under " + home.resolve("runs")
                    + (runs.isEmpty() ? " (there are no runs yet)" : "; the latest is " + runs.get(runs.size() - 1)));
        }
        return layout;
    }

    /** Run ids, oldest first (ids start with their start time). */
    public static List<String> runIds(Path home) {
        Path runs = home.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted(Comparator.naturalOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return home.resolve("runs").resolve(runId);
    }

    public Path pipelineFile() {
        return dir().resolve("pipeline.json");
    }

    public Path summaryFile() {
        return dir().resolve("summary.json");
    }

    public Path workspace() {
        return dir().resolve("workspace");
    }

    public Path stepDir(String step) {
        return dir().resolve("steps").resolve(step);
    }

    public Path outputs(String step) {
        return stepDir(step).resolve("outputs");
    }

    public Path cacheDir() {
        return home.resolve("cache").resolve("steps");
    }

    public Path snapshotRepository() {
        return home.resolve("snapshots");
    }
}
