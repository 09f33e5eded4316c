package dev.kale4j.kernel.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.common.UserError;
import dev.kale4j.converter.Compilation;
import dev.kale4j.converter.PipelineCompiler;
import dev.kale4j.pipeline.Pipeline;
import dev.kale4j.pipeline.PipelineJson;
import dev.kale4j.pipeline.Step;
import dev.kale4j.runner.LocalRunner;
import dev.kale4j.runner.RunLayout;
import dev.kale4j.runner.RunListener;
import dev.kale4j.runner.RunOptions;
import dev.kale4j.runner.RunSummary;
import dev.kale4j.runner.StepStatus;
import dev.kale4j.runner.WorkspaceSnapshots;
import dev.kale4j.snapshot.SnapshotRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local pipeline runs started from the kernel ({@code %pipeline run} and the comm's {@code run}): each
 * runs in a background thread, reports every step change to its {@link Events}, can be queried while
 * it runs and stopped (the runner's thread is interrupted, which ends the step JVMs), and versions the
 * run's workspace like {@code kale4j run} does (snapshot repository at {@code HOME/snapshots}).
 */
public final class PipelineRuns {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineRuns.class);
    /** Where the kernel records, per step, the snapshot of the workspace as the step started. */
    static final String BEFORE_FILE = "snapshots-before.json";

    /** Receives a run's progress; called from the run's thread. */
    public interface Events {
        default void step(Run run, String step, StepStatus status, long durationMs, String message) {
        }

        default void finished(Run run) {
        }
    }

    /** One step as the kernel last saw it. */
    public record StepView(String name, List<String> deps, StepStatus status, long durationMs, String message) {
    }

    /** A run started by this kernel. */
    public static final class Run {
        private final Path notebook;
        private final Path home;
        private final Pipeline pipeline;
        private final List<String> notes;
        private final Map<String, StepView> steps = new LinkedHashMap<>();
        private final Map<String, String> snapshots = new LinkedHashMap<>();
        private final Map<String, String> snapshotsBefore = new LinkedHashMap<>();
        private final CountDownLatch done = new CountDownLatch(1);
        private final long startNanos = System.nanoTime();
        private volatile String runId;
        private volatile String status = "Running";
        private volatile String error;
        private volatile String latestSnapshot;
        private volatile boolean stopRequested;
        private volatile RunSummary summary;
        private volatile long durationMs;
        private Thread thread;

        Run(Path notebook, Path home, Pipeline pipeline, List<String> notes) {
            this.notes = List.copyOf(notes);
            this.notebook = notebook;
            this.home = home;
            this.pipeline = pipeline;
            pipeline.steps().forEach(s -> steps.put(s.name(), new StepView(s.name(), s.dependencies(), StepStatus.PENDING, 0, null)));
        }

        public String runId() {
            return runId;
        }

        public Path notebook() {
            return notebook;
        }

        public Pipeline pipeline() {
            return pipeline;
        }

        /** The compiler's notes (added dependencies, ...). */
        public List<String> notes() {
            return notes;
        }

        /** {@code Running}, then {@code Succeeded}, {@code Failed} or {@code Stopped}. */
        public String status() {
            return status;
        }

        public boolean finished() {
            return done.getCount() == 0;
        }

        /** Why the run could not go on (not a step failure), or {@code null}. */
        public String error() {
            return error;
        }

        public synchronized List<StepView> steps() {
            return List.copyOf(steps.values());
        }

        /** Snapshot id per step ({@code _initial} before the first step), in the order they were taken. */
        public synchronized Map<String, String> snapshots() {
            return new LinkedHashMap<>(snapshots);
        }

        public RunSummary summary() {
            return summary;
        }

        public long durationMs() {
            return finished() ? durationMs : (System.nanoTime() - startNanos) / 1_000_000;
        }

        public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
            return done.await(timeout, unit);
        }

        synchronized void step(String name, StepStatus st, long ms, String message) {
            StepView old = steps.get(name);
            steps.put(name, new StepView(name, old == null ? List.of() : old.deps(), st, ms, message));
            if (st == StepStatus.RUNNING && latestSnapshot != null) {
                snapshotsBefore.put(name, latestSnapshot);
            }
        }

        synchronized void snapshotTaken(String step, String id) {
            snapshots.put(step, id);
            latestSnapshot = id;
        }
    }

    private final ObjectMapper json;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();

    public PipelineRuns(ObjectMapper json) {
        this.json = json;
        // A kernel that ends (shutdown, restart) leaves no step JVMs of its runs behind: a stopped runner ends
        // its step JVMs before it returns.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<Run> going = runs.values().stream().filter(r -> !r.finished()).toList();
            going.forEach(this::stop);
            for (Run r : going) {
                try {
                    r.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "kale4j-pipeline-runs-shutdown"));
    }

    /** The run this kernel started with that id, if any. */
    public Run get(String runId) {
        return runs.get(runId);
    }

    /**
     * Compiles the notebook (errors are thrown here, at once), starts the run in a background thread and
     * returns as soon as the runner has named the run.
     *
     * @param snapshotsWanted {@code false} to skip snapshots even if the notebook's settings ask for them
     */
    public Run start(Path notebook, Map<String, String> params, boolean inProcess, boolean snapshotsWanted, Events events)
            throws InterruptedException {
        Compilation c = PipelineCompiler.compile(NotebookReader.read(notebook));
        Path home = PipelineSupport.home(notebook);
        RunOptions d = RunOptions.defaults(home);
        boolean snapshotsOn = snapshotsWanted && c.pipeline().snapshots();
        RunOptions options = new RunOptions(params, d.home(), d.parallel(), null, null, inProcess, true, snapshotsOn);
        LocalRunner.parameterValues(c.pipeline(), params); // bad -p values are errors of the request
        Run run = new Run(notebook, options.home(), c.pipeline(), c.notes());
        CompletableFuture<String> named = new CompletableFuture<>();
        RunListener listener = new RunListener() {
            @Override
            public void runStarted(String runId, List<String> steps) {
                run.runId = runId;
                runs.put(runId, run);
                named.complete(runId);
            }

            @Override
            public void stepChanged(String step, StepStatus status, long durationMs, String message) {
                run.step(step, status, durationMs, message);
                events.step(run, step, status, durationMs, message);
            }
        };
        Thread t = new Thread(() -> execute(run, c, options, listener, events, named), "kale4j-pipeline-run");
        t.setDaemon(true);
        run.thread = t;
        t.start();
        try {
            named.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            stop(run);
            throw new UserError("the local runner did not start the run within 60 s");
        }
        return run;
    }

    private void execute(Run run, Compilation c, RunOptions options, RunListener listener, Events events,
                         CompletableFuture<String> named) {
        SnapshotRepository repo = null;
        try {
            WorkspaceSnapshots snapshots = null;
            if (options.snapshots()) {
                repo = SnapshotRepository.open(options.home().resolve("snapshots").toString());
                SnapshotRepository r = repo;
                snapshots = (workspace, tags) -> {
                    Map<String, String> all = new LinkedHashMap<>(tags);
                    all.put("notebook", c.pipeline().notebook());
                    all.put("pipeline", c.pipeline().name());
                    all.put("source", "kernel");
                    String id = r.create(workspace, all).id();
                    run.snapshotTaken(tags.get("step"), id);
                    return id;
                };
            }
            RunSummary s = new LocalRunner(options, listener, snapshots).run(c.pipeline());
            run.summary = s;
            run.status = s.status();
        } catch (InterruptedException e) {
            stopped(run, events);
        } catch (Throwable e) {
            if (run.stopRequested) {
                stopped(run, events);
            } else {
                LOG.warn("pipeline run {} failed in the runner", run.runId, e);
                run.error = e instanceof UserError ? e.getMessage() : e.toString();
                run.status = "Failed";
                named.completeExceptionally(e instanceof UserError u ? u : new UserError(run.error, e));
            }
        } finally {
            run.durationMs = (System.nanoTime() - run.startNanos) / 1_000_000;
            if (repo != null) {
                try {
                    repo.close();
                } catch (RuntimeException e) {
                    LOG.debug("closing the snapshot repository: {}", e.toString());
                }
            }
            if (run.runId != null) {
                writeBefore(run);
            }
            run.done.countDown();
            if (run.runId != null) {
                events.finished(run);
            }
        }
    }

    /**
     * Asks a run to stop: its thread is interrupted, the runner's pool stops and every step JVM of the run
     * is ended. Returns at once; {@link Run#await} waits for the end.
     */
    public void stop(Run run) {
        run.stopRequested = true;
        Thread t = run.thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Marks what was running as failed and what was waiting as skipped, ends leftover step JVMs, writes the summary. */
    private void stopped(Run run, Events events) {
        Thread.interrupted(); // clear the flag so the clean-up's I/O works
        run.status = "Stopped";
        if (run.runId == null) {
            return;
        }
        for (StepView s : run.steps()) {
            if (s.status() == StepStatus.RUNNING) {
                String why = "stopped by the user";
                run.step(s.name(), StepStatus.FAILED, (System.nanoTime() - run.startNanos) / 1_000_000, why);
                events.step(run, s.name(), StepStatus.FAILED, 0, why);
            } else if (s.status() == StepStatus.PENDING) {
                String why = "not run: the run was stopped";
                run.step(s.name(), StepStatus.SKIPPED, 0, why);
                events.step(run, s.name(), StepStatus.SKIPPED, 0, why);
            }
        }
        Map<String, RunSummary.StepSummary> steps = new LinkedHashMap<>();
        for (StepView v : run.steps()) {
            Step step = run.pipeline.step(v.name()).orElseThrow();
            steps.put(v.name(), new RunSummary.StepSummary(v.status(), v.durationMs(),
                    step.inputs().stream().map(i -> i.variable()).toList(), step.outputs(), 0, v.message(), null));
        }
        Map<String, String> snaps = run.snapshots();
        RunSummary summary = new RunSummary(run.runId, run.pipeline.name(), run.pipeline.notebook(), "Stopped",
                (System.nanoTime() - run.startNanos) / 1_000_000, steps, Map.of(), Map.of(), snaps.isEmpty() ? null : snaps);
        run.summary = summary;
        try {
            PipelineJson.write(summary, new RunLayout(run.home, run.runId).summaryFile());
        } catch (RuntimeException e) {
            LOG.warn("cannot write the summary of stopped run {}: {}", run.runId, e.toString());
        }
    }

    private void writeBefore(Run run) {
        Map<String, String> before;
        synchronized (run) {
            before = new LinkedHashMap<>(run.snapshotsBefore);
        }
        if (before.isEmpty()) {
            return;
        }
        try {
            json.writeValue(new RunLayout(run.home, run.runId).dir().resolve(BEFORE_FILE).toFile(), before);
        } catch (IOException e) {
            LOG.debug("cannot record the before-step snapshots: {}", e.toString());
        }
    }

    /**
     * The snapshot of the workspace as it was after {@code step} ({@code after}) or as the step started:
     * the one the kernel recorded at its start, else (runs of the CLI) the snapshot after the dependency
     * that finished last, or the initial one for a step without dependencies.
     */
    String snapshotOf(Path home, String runId, String step, boolean after) {
        RunLayout layout = RunLayout.existing(home, runId);
        Run active = runs.get(runId);
        if (active != null && !active.finished()) {
            throw new UserError("run " + runId + " is still running; restore its steps when it has finished");
        }
        if (!Files.isRegularFile(layout.summaryFile())) {
            throw new UserError("run " + runId + " has no summary (still running or interrupted); nothing to restore");
        }
        RunSummary summary = PipelineJson.read(layout.summaryFile(), RunSummary.class);
        Map<String, String> snaps = summary.snapshots() == null ? Map.of() : summary.snapshots();
        if (snaps.isEmpty()) {
            throw new UserError("run " + runId + " took no snapshots (snapshots are off in the notebook's settings "
                    + "or the run used --no-snapshots); re-run with snapshots on");
        }
        if (!step.equals("_initial") && (summary.steps() == null || !summary.steps().containsKey(step))) {
            throw new UserError("run " + runId + " has no step " + step + "; steps are "
                    + String.join(", ", summary.steps() == null ? List.of() : summary.steps().keySet()));
        }
        if (after || step.equals("_initial")) {
            String id = snaps.get(step);
            if (id == null) {
                throw new UserError("run " + runId + " has no snapshot after step " + step + " (it did not succeed); "
                        + "snapshots exist for: " + String.join(", ", snaps.keySet()));
            }
            return id;
        }
        Path beforeFile = layout.dir().resolve(BEFORE_FILE);
        if (Files.isRegularFile(beforeFile)) {
            try {
                Map<String, String> before = json.readValue(beforeFile.toFile(), new TypeReference<Map<String, String>>() { });
                if (before.containsKey(step)) {
                    return before.get(step);
                }
            } catch (IOException e) {
                LOG.debug("unreadable {}: {}", beforeFile, e.toString());
            }
        }
        Pipeline p = PipelineJson.read(layout.pipelineFile(), Pipeline.class);
        List<String> deps = p.step(step).map(Step::dependencies).orElse(List.of());
        String id = snaps.get("_initial");
        List<String> order = new ArrayList<>(snaps.keySet()); // insertion order = order taken
        int best = -1;
        for (String d : deps) {
            int i = order.indexOf(d);
            if (i > best) {
                best = i;
                id = snaps.get(d);
            }
        }
        if (id == null) {
            throw new UserError("run " + runId + " has no snapshot of the workspace before step " + step);
        }
        return id;
    }

    /** Restores a step's workspace snapshot into {@code target} (new or empty); returns the number of files. */
    long restoreFiles(Path home, String runId, String step, boolean after, Path target) {
        String id = snapshotOf(home, runId, step, after);
        try (SnapshotRepository repo = SnapshotRepository.open(home.resolve("snapshots").toString())) {
            repo.restore(id, target);
        }
        try (Stream<Path> files = Files.walk(target)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UserError("restored into " + target + " but cannot list it: " + e.getMessage());
        }
    }
}
