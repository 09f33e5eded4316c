package dev.kale4j.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.common.UserError;
import dev.kale4j.converter.PipelineCompiler;
import dev.kale4j.pipeline.Pipeline;
import dev.kale4j.testing.NotebookBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real pipelines, each step in its own JVM unless stated otherwise. */
class LocalRunnerTest {
    @TempDir
    Path dir;

    private Pipeline pipeline(NotebookBuilder nb) {
        return PipelineCompiler.compile(NotebookReader.read(nb.write(dir.resolve("nb.ipynb")))).pipeline();
    }

    private RunSummary run(Pipeline p, RunOptions o) throws InterruptedException {
        return new LocalRunner(o, RunListener.NONE, null).run(p);
    }

    private RunOptions options() {
        return new RunOptions(Map.of(), dir.resolve(".kale4j"), 2, null, null, false, true, false);
    }

    private static RunSummary.StepSummary step(RunSummary s, String name) {
        return s.steps().get(name);
    }

    @Test
    void failedStepSkipsItsDescendantsWhileAnIndependentBranchFinishes() throws Exception {
        Pipeline p = pipeline(new NotebookBuilder()
                .cell("int base = 10;", "step:root")
                .cell("int zero = 0;\nint bad = base / zero;", "step:broken", "prev:root")
                .cell("int after = bad + 1;", "step:child", "prev:broken")
                .cell("int good = base * 2;", "step:other", "prev:root")
                .cell("good", "pipeline-metrics"));
        RunSummary s = run(p, options());
        assertThat(s.status()).isEqualTo("Failed");
        assertThat(step(s, "root").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(step(s, "broken").status()).isEqualTo(StepStatus.FAILED);
        assertThat(step(s, "broken").error())
                .startsWith("step broken failed at cell 1 (id c1), line 2: java.lang.ArithmeticException: / by zero");
        assertThat(step(s, "child").status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(step(s, "other").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(s.metrics()).containsEntry("good", 20.0);
        assertThat(Files.readString(new RunLayout(options().home(), s.runId()).summaryFile())).contains("\"Skipped\"");
    }

    @Test
    void systemExitAndUnmarshallableValuesFailOnlyTheirStep() throws Exception {
        Pipeline p = pipeline(new NotebookBuilder()
                .cell("System.exit(3);", "step:quitter")
                .cell("Thread worker = new Thread(() -> {});", "step:threads")
                .cell("String name = worker.getName();", "step:user", "prev:threads")
                .cell("int fine = 1;", "step:fine"));
        RunSummary s = run(p, options());
        assertThat(step(s, "quitter").status()).isEqualTo(StepStatus.FAILED);
        assertThat(step(s, "quitter").error()).contains("exit code 3");
        assertThat(step(s, "threads").status()).isEqualTo(StepStatus.FAILED);
        assertThat(step(s, "threads").error()).contains("`worker`").contains("Thread");
        assertThat(step(s, "user").status()).isEqualTo(StepStatus.SKIPPED);
        assertThat(step(s, "fine").status()).isEqualTo(StepStatus.SUCCEEDED);
    }

    @Test
    void retriesUntilSuccessAndTimesOut() throws Exception {
        Pipeline p = pipeline(new NotebookBuilder()
                .cell("Path f = Path.of(\"attempts\");\nint n = Files.exists(f) ? Integer.parseInt(Files.readString(f)) : 0;\n"
                        + "Files.writeString(f, \"\" + (n + 1));\nif (n < 2) throw new IllegalStateException(\"flaky \" + n);",
                        "step:flaky", "retry:2", "cache:disabled")
                .cell("Thread.sleep(60_000);", "step:slow", "timeout:2s"));
        long t0 = System.nanoTime();
        RunSummary s = run(p, options());
        assertThat(step(s, "flaky").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(step(s, "flaky").attempts()).isEqualTo(3);
        assertThat(step(s, "slow").status()).isEqualTo(StepStatus.FAILED);
        assertThat(step(s, "slow").error()).isEqualTo("step slow timed out after 2s (timeout: tag)");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(40);
    }

    @Test
    void unchangedStepsAreCachedAndFromReusesUpstreamOutputs() throws Exception {
        NotebookBuilder nb = new NotebookBuilder()
                .cell("int factor = 3;", "pipeline-parameters")
                .cell("record Item(String name, int qty) {}\nList<Item> items = List.of(new Item(\"a\", 2), new Item(\"b\", 5));", "step:load")
                .cell("int total = items.stream().mapToInt(Item::qty).sum() * factor;", "step:sum")
                .cell("total", "pipeline-metrics");
        Pipeline p = pipeline(nb);
        RunSummary first = run(p, options());
        assertThat(first.metrics()).containsEntry("total", 21.0);
        RunSummary second = run(p, options());
        assertThat(step(second, "load").status()).isEqualTo(StepStatus.CACHED);
        assertThat(step(second, "sum").status()).isEqualTo(StepStatus.CACHED);
        assertThat(second.metrics()).containsEntry("total", 21.0);

        RunOptions changed = new RunOptions(Map.of("factor", "10"), options().home(), 2, null, null, false, true, false);
        RunSummary third = run(p, changed);
        assertThat(step(third, "load").status()).isEqualTo(StepStatus.CACHED);
        assertThat(step(third, "sum").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(third.metrics()).containsEntry("total", 70.0);
        assertThat(third.parameters()).containsEntry("factor", 10);

        RunOptions from = new RunOptions(Map.of(), options().home(), 2, "sum", first.runId(), false, false, false);
        RunSummary resumed = run(p, from);
        assertThat(step(resumed, "load").status()).isEqualTo(StepStatus.CACHED);
        assertThat(step(resumed, "load").cachedFrom()).isEqualTo(first.runId());
        assertThat(step(resumed, "sum").status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(resumed.metrics()).containsEntry("total", 21.0);
    }

    @Test
    void inProcessModeGivesTheSameResults() throws Exception {
        Pipeline p = PipelineCompiler.compile(NotebookReader.read(Path.of("../samples/word-stats.ipynb"))).pipeline();
        RunOptions o = new RunOptions(Map.of("top", "3"), dir.resolve(".kale4j"), 2, null, null, true, false, false);
        RunSummary s = run(p, o);
        assertThat(s.status()).isEqualTo("Succeeded");
        assertThat(s.metrics()).containsEntry("distinct", 9.0);
        RunLayout layout = new RunLayout(o.home(), s.runId());
        assertThat(Files.readString(layout.stepDir("report").resolve("stdout.log"))).contains("[the, brown, dog]");
        assertThat(layout.outputs("tokenize").resolve("tokens.k4j")).exists();
    }

    @Test
    void badParameterOverridesAreUserErrors() {
        Pipeline p = pipeline(new NotebookBuilder().cell("int n = 1;", "hparams").cell("int m = n;", "step:a"));
        assertThatThrownBy(() -> LocalRunner.parameterValues(p, Map.of("n", "x")))
                .isInstanceOf(UserError.class).hasMessage("parameter n is int, and \"x\" is not a valid int value");
        assertThatThrownBy(() -> LocalRunner.parameterValues(p, Map.of("q", "1")))
                .isInstanceOf(UserError.class).hasMessage("unknown parameter q; parameters are n");
    }
}
