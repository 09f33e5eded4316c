package dev.kale4j.runner;

import dev.kale4j.common.UserError;
import dev.kale4j.pipeline.Metric;
import dev.kale4j.pipeline.Parameter;
import dev.kale4j.pipeline.Pipeline;
import dev.kale4j.pipeline.PipelineJson;
import dev.kale4j.pipeline.Step;
import dev.kale4j.runtime.StepExecutor;
import dev.kale4j.runtime.StepResult;
import dev.kale4j.runtime.StepSpec;
import dev.kale4j.runtime.marshal.ArtifactInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a pipeline on this machine: independent steps in parallel (up to {@link RunOptions#parallel}),
 * each in its own JVM unless in-process, with retries and timeouts from the step's tags, step caching,
 * resumption from a step of an earlier run, and an optional workspace snapshot after every step.
 * A failed step marks its descendants skipped while independent branches finish.
 */
public final class LocalRunner {
    private static final Logger LOG = LoggerFactory.getLogger(LocalRunner.class);
    /** Step JVMs are short-lived: C1 only and the serial collector start fastest. */
    public static final List<String> STEP_JVM_FLAGS =
            List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:-UsePerfData");

    private final RunOptions options;
    private final RunListener listener;
    private final WorkspaceSnapshots snapshots;

    public LocalRunner(RunOptions options, RunListener listener, WorkspaceSnapshots snapshots) {
        this.options = options;
        this.listener = listener;
        this.snapshots = options.snapshots() ? snapshots : null;
    }

    /** Resolves {@code -p} overrides against the pipeline's parameters; unknown or ill-typed ones are user errors. */
    public static Map<String, String> parameterValues(Pipeline pipeline, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        pipeline.parameters().forEach(p -> values.put(p.name(), p.defaultValue()));
        overrides.forEach((name, value) -> {
            Parameter p = pipeline.parameter(name).orElseThrow(() -> new UserError("unknown parameter " + name
                    + (pipeline.parameters().isEmpty() ? "; the pipeline has no parameters"
                    : "; parameters are " + String.join(", ", pipeline.parameters().stream().map(Parameter::name).toList()))));
            values.put(name, p.type().canonical(name, value));
        });
        return values;
    }

    public RunSummary run(Pipeline pipeline) throws InterruptedException {
        Map<String, String> params = parameterValues(pipeline, options.parameters());
        RunLayout layout = RunLayout.create(options.home());
        Optional<RunLayout> earlier = earlierRun(pipeline);
        try {
            Files.createDirectories(layout.workspace());
        } catch (IOException e) {
            throw new UserError("cannot create the run directory " + layout.dir() + ": " + e.getMessage());
        }
        PipelineJson.write(pipeline, layout.pipelineFile());
        long start = System.nanoTime();
        Map<String, StepStatus> status = new LinkedHashMap<>();
        pipeline.steps().forEach(s -> status.put(s.name(), StepStatus.PENDING));
        Map<String, StepResult> results = new HashMap<>();
        Map<String, RunSummary.StepSummary> summaries = new LinkedHashMap<>();
        Map<String, String> snapshotIds = new LinkedHashMap<>();
        listener.runStarted(layout.runId(), List.copyOf(status.keySet()));
        snapshot(layout, "_initial", snapshotIds);

        StepLauncher launcher = options.inProcess() ? new InProcessStepLauncher()
                : new ProcessStepLauncher(STEP_JVM_FLAGS, options.home().resolve("cache").resolve("cds"));
        StepCache cache = new StepCache(layout.cacheDir());
        List<String> reused = earlier.map(r -> upstreamOf(pipeline, options.fromStep())).orElse(List.of());

        ExecutorService pool = Executors.newFixedThreadPool(options.parallel(), r -> {
            Thread t = new Thread(r, "kale4j-runner");
            t.setDaemon(true);
            return t;
        });
        CompletionService<Outcome> done = new ExecutorCompletionService<>(pool);
        int running = 0;
        try {
            while (true) {
                for (Step s : pipeline.steps()) {
                    if (status.get(s.name()) != StepStatus.PENDING) {
                        continue;
                    }
                    if (s.dependencies().stream().anyMatch(d -> status.get(d).done() && !status.get(d).usable())) {
                        status.put(s.name(), StepStatus.SKIPPED);
                        String why = "skipped because an upstream step did not succeed";
                        summaries.put(s.name(), new RunSummary.StepSummary(StepStatus.SKIPPED, 0,
                                inputNames(s), s.outputs(), 0, why, null));
                        listener.stepChanged(s.name(), StepStatus.SKIPPED, 0, why);
                        continue;
                    }
                    if (!s.dependencies().stream().allMatch(d -> status.get(d).usable())) {
                        continue;
                    }
                    StepSpec spec = spec(pipeline, s, layout, params);
                    status.put(s.name(), StepStatus.RUNNING);
                    listener.stepChanged(s.name(), StepStatus.RUNNING, 0, null);
                    Map<String, StepResult> upstream = Map.copyOf(results);
                    boolean reuse = reused.contains(s.name());
                    done.submit(() -> execute(s, spec, layout, upstream, launcher, cache, reuse ? earlier.get() : null));
                    running++;
                }
                if (running == 0) {
                    break;
                }
                Outcome o = done.take().get();
                running--;
                results.put(o.step, o.result);
                StepStatus st = o.status;
                status.put(o.step, st);
                Step s = pipeline.step(o.step).orElseThrow();
                summaries.put(o.step, new RunSummary.StepSummary(st, o.result.durationMs(), inputNames(s),
                        o.result.outputs().stream().map(ArtifactInfo::variable).toList(), o.attempts,
                        o.result.error(), o.cachedFrom));
                if (st == StepStatus.SUCCEEDED) {
                    snapshot(layout, o.step, snapshotIds);
                }
                listener.stepChanged(o.step, st, o.result.durationMs(), o.result.error());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("runner failure", e.getCause());
        } finally {
            pool.shutdownNow();
            awaitSteps(pool);
        }
        RunSummary summary = summary(pipeline, layout, params, status, summaries, results, snapshotIds, start);
        PipelineJson.write(summary, layout.summaryFile());
        listener.runFinished(summary);
        return summary;
    }

    /**
     * After an interrupt (a stopped run) the step threads end their JVMs; waiting for them means no step JVM
     * outlives {@link #run}. The caller's interrupt status is kept.
     */
    private static void awaitSteps(ExecutorService pool) {
        boolean interrupted = Thread.interrupted();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("step threads still running 10 s after the run ended");
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private record Outcome(String step, StepStatus status, StepResult result, int attempts, String cachedFrom) {
    }

    private Outcome execute(Step s, StepSpec spec, RunLayout layout, Map<String, StepResult> upstream,
                            StepLauncher launcher, StepCache cache, RunLayout reuseFrom) throws Exception {
        Path stepDir = layout.stepDir(s.name());
        Files.createDirectories(stepDir);
        if (reuseFrom != null) {
            StepResult r = StepCache.adopt(reuseFrom.stepDir(s.name()), stepDir);
            return new Outcome(s.name(), StepStatus.CACHED, r, 0, reuseFrom.runId());
        }
        boolean cacheable = options.cache() && s.settings().cacheEnabled();
        String key = StepCache.key(spec, upstream);
        if (cacheable) {
            Optional<Path> hit = cache.lookup(key);
            if (hit.isPresent()) {
                StepResult r = StepCache.adopt(hit.get(), stepDir);
                LOG.debug("step {} reused from {}", s.name(), hit.get());
                return new Outcome(s.name(), StepStatus.CACHED, r, 0, hit.get().getParent().getParent().getFileName().toString());
            }
        }
        Duration timeout = s.settings().timeout();
        int attempts = 0;
        StepResult r;
        do {
            attempts++;
            r = launcher.launch(spec, stepDir, timeout);
        } while (!r.succeeded() && attempts <= s.settings().retryCount());
        if (r.succeeded()) {
            PipelineJson.write(r, Path.of(spec.outputDir()).resolve(StepResult.FILE));
            cache.store(key, stepDir);
        }
        return new Outcome(s.name(), r.succeeded() ? StepStatus.SUCCEEDED : StepStatus.FAILED, r, attempts, null);
    }

    private StepSpec spec(Pipeline pipeline, Step s, RunLayout layout, Map<String, String> params) {
        List<StepSpec.ParameterValue> values = new ArrayList<>();
        for (String name : s.parameters()) {
            Parameter p = pipeline.parameter(name).orElseThrow();
            values.add(new StepSpec.ParameterValue(name, p.type(), params.get(name)));
        }
        List<StepSpec.InputArtifact> inputs = s.inputs().stream()
                .map(i -> new StepSpec.InputArtifact(i.variable(), i.step(),
                        layout.outputs(i.step()).resolve(StepExecutor.artifactName(i.variable())).toString()))
                .toList();
        List<String> metrics = pipeline.metrics().stream().filter(m -> m.step().equals(s.name())).map(Metric::name).toList();
        return new StepSpec(pipeline.name(), s.name(), s.prelude(), s.body(), values, inputs, s.outputs(), metrics,
                layout.outputs(s.name()).toString(), layout.workspace().toString(), List.of());
    }

    private void snapshot(RunLayout layout, String step, Map<String, String> ids) {
        if (snapshots == null) {
            return;
        }
        String id = snapshots.snapshot(layout.workspace(), Map.of("run", layout.runId(), "step", step));
        ids.put(step, id);
    }

    /** The run to resume from with {@code --from}: the given one or the latest run of the same notebook. */
    private Optional<RunLayout> earlierRun(Pipeline pipeline) {
        if (options.fromStep() == null) {
            return Optional.empty();
        }
        if (pipeline.step(options.fromStep()).isEmpty()) {
            throw new UserError("--from " + options.fromStep() + ": no such step; steps are "
                    + String.join(", ", pipeline.steps().stream().map(Step::name).toList()));
        }
        if (options.fromRun() != null) {
            return Optional.of(RunLayout.existing(options.home(), options.fromRun()));
        }
        List<String> ids = RunLayout.runIds(options.home());
        for (int i = ids.size() - 1; i >= 0; i--) {
            RunLayout r = new RunLayout(options.home(), ids.get(i));
            if (Files.exists(r.pipelineFile())
                    && pipeline.notebook().equals(PipelineJson.read(r.pipelineFile(), Pipeline.class).notebook())) {
                return Optional.of(r);
            }
        }
        throw new UserError("--from " + options.fromStep() + ": no earlier run of " + pipeline.notebook()
                + " under " + options.home().resolve("runs") + " to take upstream outputs from");
    }

    /** Steps whose outputs are reused with {@code --from}: everything not downstream of the step. */
    private List<String> upstreamOf(Pipeline pipeline, String from) {
        List<String> downstream = pipeline.descendantsOf(from);
        return pipeline.steps().stream().map(Step::name).filter(n -> !downstream.contains(n)).toList();
    }

    private static List<String> inputNames(Step s) {
        return s.inputs().stream().map(i -> i.variable()).toList();
    }

    private static RunSummary summary(Pipeline pipeline, RunLayout layout, Map<String, String> params,
                                      Map<String, StepStatus> status, Map<String, RunSummary.StepSummary> summaries,
                                      Map<String, StepResult> results, Map<String, String> snapshotIds, long start) {
        Map<String, RunSummary.StepSummary> ordered = new LinkedHashMap<>();
        pipeline.steps().forEach(s -> ordered.put(s.name(), summaries.get(s.name())));
        boolean ok = status.values().stream().allMatch(StepStatus::usable);
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Metric m : pipeline.metrics()) {
            StepResult r = results.get(m.step());
            if (r != null && r.metrics() != null && r.metrics().containsKey(m.name())) {
                metrics.put(m.name(), r.metrics().get(m.name()));
            }
        }
        Map<String, Object> typed = new LinkedHashMap<>();
        pipeline.parameters().forEach(p -> typed.put(p.name(), p.type().value(params.get(p.name()))));
        return new RunSummary(layout.runId(), pipeline.name(), pipeline.notebook(), ok ? "Succeeded" : "Failed",
                (System.nanoTime() - start) / 1_000_000, ordered, metrics, typed,
                snapshotIds.isEmpty() ? null : snapshotIds);
    }

}
