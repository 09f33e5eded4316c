package dev.kale4j.cluster.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kale4j.cluster.ClusterPlan;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.Fixtures;
import dev.kale4j.cluster.Schemas;
import dev.kale4j.cluster.StepPlan;
import dev.kale4j.runtime.StepSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The step wrapper runs real steps (the local step runtime in a child JVM) the way KFP runs them: engine-given
 * input and output paths, run-time parameters as text, the executor input, and metrics for the engines.
 */
class ClusterStepMainTest {
    @TempDir
    Path dir;

    /** The compiled spec with this machine's paths instead of the container's. */
    StepSpec local(StepPlan p) {
        StepSpec s = p.spec();
        List<StepSpec.InputArtifact> inputs = new ArrayList<>();
        for (StepSpec.InputArtifact in : s.inputs()) {
            inputs.add(new StepSpec.InputArtifact(in.variable(), in.step(), "/nonexistent/" + in.variable()));
        }
        return new StepSpec(s.pipeline(), s.step(), s.prelude(), s.body(), s.parameters(), inputs, s.outputs(),
                s.metrics(), dir.resolve("${RUN}").resolve(s.step()).toString(), dir.toString(), s.classpath());
    }

    int run(List<String> args, ByteArrayOutputStream stdout) throws Exception {
        PrintStream old = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            return ClusterStepMain.run(args.toArray(String[]::new));
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void runsAChainOfStepsWithKfpPathsParametersAndMetrics() throws Exception {
        ClusterPlan plan = Fixtures.plan(Fixtures.SHORT_TAGS, dir.resolve("nb"));
        Path kfp = dir.resolve("kfp");
        // prepare: outputs xs, ys to the paths KFP gives.
        StepPlan prepare = plan.step("prepare");
        List<String> args = new ArrayList<>(List.of("--spec", SpecCodec.encode(local(prepare)), "--run", "r1"));
        for (String o : prepare.step().outputs()) {
            args.addAll(List.of("--output", o, kfp.resolve("prepare/" + o).toString()));
        }
        args.addAll(List.of("--digest-out", dir.resolve("d1/digest").toString()));
        assertThat(run(args, new ByteArrayOutputStream())).isZero();
        assertThat(kfp.resolve("prepare/xs")).exists();
        assertThat(dir.resolve("r1/prepare/result.json")).exists();
        // The digest (Argo memoization keys of consumers) depends on the output data only, not on the run.
        String digest = Files.readString(dir.resolve("d1/digest"));
        assertThat(digest).matches("[0-9a-f]{64}");
        List<String> again = new ArrayList<>(args.subList(0, args.size() - 1));
        again.set(again.indexOf("r1"), "r2");
        again.add(dir.resolve("d2/digest").toString());
        assertThat(run(again, new ByteArrayOutputStream())).isZero();
        assertThat(Files.readString(dir.resolve("d2/digest"))).isEqualTo(digest);
        assertThat(OutputDigest.of(dir.resolve("r1/prepare"), prepare.step().outputs())).isEqualTo(digest);
        Path xs = dir.resolve("r2/prepare/xs.k4j");
        byte[] bytes = Files.readAllBytes(xs);
        bytes[bytes.length - 1] ^= 1;
        Files.write(xs, bytes);
        assertThat(OutputDigest.of(dir.resolve("r2/prepare"), prepare.step().outputs())).isNotEqualTo(digest);

        // train: epochs arrives as "20.0" (a JSON number rendered by the engine), inputs from KFP paths.
        StepPlan train = plan.step("train");
        args = new ArrayList<>(List.of("--spec", SpecCodec.encode(local(train)), "--run", "r1",
                "--param", "epochs", "5.0", "--param", "learningRate", "0.01"));
        for (var in : train.step().inputs()) {
            args.addAll(List.of("--input", in.variable(), kfp.resolve(in.step() + "/" + in.variable()).toString()));
        }
        for (String o : train.step().outputs()) {
            args.addAll(List.of("--output", o, kfp.resolve("train/" + o).toString()));
        }
        assertThat(run(args, new ByteArrayOutputStream())).isZero();

        // evaluate: reports mse on stdout (Katib), in metrics.json (Argo) and as system.Metrics metadata (KFP).
        StepPlan evaluate = plan.step("evaluate");
        Path executorOutput = dir.resolve("executor_output.json");
        String executorInput = "{\"inputs\":{},\"outputs\":{\"artifacts\":{\"metrics\":{\"artifacts\":[{\"name\":"
                + "\"metrics\",\"type\":{\"schemaTitle\":\"system.Metrics\"},\"uri\":\"minio://b/r1/evaluate/metrics\"}]}},"
                + "\"outputFile\":\"" + executorOutput + "\"}}";
        args = new ArrayList<>(List.of("--spec", SpecCodec.encode(local(evaluate)), "--run", "r1",
                "--kfp-executor-input", executorInput, "--metrics-out", dir.resolve("m/metrics.json").toString()));
        for (var in : evaluate.step().inputs()) {
            args.addAll(List.of("--input", in.variable(), kfp.resolve(in.step() + "/" + in.variable()).toString()));
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        assertThat(run(args, stdout)).isZero();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).containsPattern("(?m)^mse=[0-9.E-]+$");
        JsonNode metrics = Schemas.JSON.readTree(dir.resolve("m/metrics.json").toFile());
        assertThat(metrics.path("mse").isNumber()).isTrue();
        JsonNode out = Schemas.JSON.readTree(executorOutput.toFile());
        JsonNode art = out.path("artifacts").path("metrics").path("artifacts").get(0);
        assertThat(art.path("uri").asText()).isEqualTo("minio://b/r1/evaluate/metrics");
        assertThat(art.path("metadata").path("mse").asDouble()).isEqualTo(metrics.path("mse").asDouble());
    }

    @Test
    void aFailingStepExitsNonZeroAndWritesNoExecutorOutput() throws Exception {
        ClusterPlan plan = Fixtures.plan(Fixtures.SHORT_TAGS, dir.resolve("nb"));
        StepPlan train = plan.step("train");
        // Inputs that do not exist: the step runtime reports the failure, the wrapper passes its exit code on.
        Path executorOutput = dir.resolve("executor_output.json");
        int exit = run(List.of("--spec", SpecCodec.encode(local(train)), "--kfp-executor-input",
                "{\"outputs\":{\"outputFile\":\"" + executorOutput + "\"}}"), new ByteArrayOutputStream());
        assertThat(exit).isNotZero();
        assertThat(executorOutput).doesNotExist();
        assertThat(ClusterStepMain.run(new String[] {"--bogus", "x"})).isEqualTo(2);
    }

    @Test
    void integerParametersRenderedAsDoublesAreNormalised() {
        StepPlan train = Fixtures.plan(Fixtures.SHORT_TAGS, dir.resolve("nb")).step("train");
        assertThat(ClusterStepMain.normalise(train.spec(), "epochs=20.0")).isEqualTo("epochs=20");
        assertThat(ClusterStepMain.normalise(train.spec(), "learningRate=0.5")).isEqualTo("learningRate=0.5");
    }

    @Test
    void specRoundTripsThroughTheArgument() {
        StepPlan train = Fixtures.plan(Fixtures.LINREG, dir.resolve("nb")).step("prepare");
        String arg = SpecCodec.encode(train.spec());
        assertThat(arg).doesNotContain("{{").matches("[A-Za-z0-9+/=]+");
        assertThat(SpecCodec.decode(arg)).isEqualTo(train.spec());
        // The fixture's code has "{{1, 2}, {3, 4}}", which an engine would try to substitute in plain text.
        assertThat(train.spec().body().get(0).source() + train.spec().body().stream().map(b -> b.source()).toList())
                .contains("{{1, 2}");
    }

    @Test
    void theSnapshotAgentRunsWithParallelGcAndTheImagesArchiveWhenThereIsOne() throws Exception {
        List<String> without = ClusterStepMain.snapshotJvm(dir.resolve("no-such.jsa"));
        assertThat(without).contains("-XX:+UseParallelGC").noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"));
        Path jsa = Files.writeString(dir.resolve("agent.jsa"), "archive");
        List<String> with = ClusterStepMain.snapshotJvm(jsa);
        assertThat(with).contains("-XX:+UseParallelGC", "-XX:SharedArchiveFile=" + jsa);
        assertThat(with.get(with.size() - 2)).as("the class path comes last, before the main class").isEqualTo("-cp");
        assertThat(with).containsSubsequence(dev.kale4j.common.SnapshotAgentJvm.OPTIONS);
    }

    @Test
    void theSnapshotAgentsJvmOptionsAreAcceptedByThisJvm() throws Exception {
        // A misspelt -XX option stops the JVM before the agent runs; every step's snapshot would fail.
        List<String> cmd = new java.util.ArrayList<>(ClusterStepMain.snapshotJvm(dir.resolve("no-such.jsa")));
        cmd.subList(cmd.size() - 2, cmd.size()).clear();
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).doesNotContain("Unrecognized", "Error", "CompileCommand:");
    }
}
