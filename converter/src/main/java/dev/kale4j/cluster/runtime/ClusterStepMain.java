package dev.kale4j.cluster.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kale4j.cluster.ContainerPaths;
import dev.kale4j.common.SnapshotAgentJvm;
import dev.kale4j.pipeline.ParameterType;
import dev.kale4j.pipeline.PipelineJson;
import dev.kale4j.runtime.StepResult;
import dev.kale4j.runtime.StepSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The command of every cluster step container. Runs the step with the local step runtime
 * ({@code dev.kale4j.runtime.StepMain} in a child JVM, unchanged) and adapts it to the engine:
 * <pre>
 * ClusterStepMain --spec GZIP_BASE64 [--run ID] [-p NAME=VALUE | --param NAME VALUE]... [--input VAR PATH]...
 *                 [--output VAR PATH]... [--metrics-out FILE] [--kfp-executor-input JSON [--kfp-metrics-artifact KEY]]
 *                 [--snapshot-repo s3://... --snapshot-source DIR
 *                  [--snapshot-tag K=V]... [--snapshot-s3-endpoint URL] --snapshot-out FILE]
 * </pre>
 * It prints each metric as {@code name=value} on stdout (Katib's StdOut metrics collector reads these),
 * writes {@code metrics.json} beside {@code result.json} (Argo output parameter), the KFP executor output
 * for a {@code system.Metrics} artifact, copies outputs to engine-given paths (KFP), and snapshots the
 * workspace with the snapshot agent. Exits with the step's exit code. Engine placeholders are given whole
 * arguments ({@code --param x {{$.inputs.parameters['x']}}}) so no engine has to substitute inside a string.
 */
public final class ClusterStepMain {
    /** The snapshot agent's entry point (snapshot-agent module), run as a child JVM from the same class path. */
    static final String SNAPSHOT_MAIN = "dev.kale4j.snapshot.cli.AgentMain";
    static final String STEP_MAIN = System.getProperty("kale4j.stepMain", "dev.kale4j.runtime.StepMain");

    private ClusterStepMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Parsed command line. */
    record Args(String spec, String run, List<String> params, Map<String, String> inputs, Map<String, String> outputs,
                String metricsOut, String kfpExecutorInput, String kfpMetricsArtifact, String snapshotRepo, String snapshotSource, List<String> snapshotTags,
                String snapshotEndpoint, String snapshotOut, String digestOut) {
        static Args parse(String[] a) {
            String spec = null;
            String run = null;
            String kfp = null;
            String kfpMetrics = KfpMetricsWriter.METRICS_ARTIFACT;
            String metricsOut = null;
            String repo = null;
            String source = ContainerPaths.WORKSPACE;
            String endpoint = null;
            String snapOut = null;
            String digestOut = null;
            List<String> params = new ArrayList<>();
            List<String> tags = new ArrayList<>();
            Map<String, String> inputs = new LinkedHashMap<>();
            Map<String, String> outputs = new LinkedHashMap<>();
            for (int i = 0; i < a.length; i++) {
                String v = i + 1 < a.length ? a[i + 1] : null;
                if (v == null) {
                    throw new IllegalArgumentException(a[i] + " needs a value");
                }
                switch (a[i]) {
                    case "--spec" -> spec = v;
                    case "--run" -> run = v;
                    case "-p" -> params.add(v);
                    case "--param", "--input", "--output" -> {
                        if (i + 2 >= a.length) {
                            throw new IllegalArgumentException(a[i] + " needs two values");
                        }
                        String second = a[i + 2];
                        switch (a[i]) {
                            case "--param" -> params.add(v + "=" + second);
                            case "--input" -> inputs.put(v, second);
                            default -> outputs.put(v, second);
                        }
                        i++;
                    }
                    case "--metrics-out" -> metricsOut = v;
                    case "--kfp-executor-input" -> kfp = v;
                    case "--kfp-metrics-artifact" -> kfpMetrics = v;
                    case "--snapshot-repo" -> repo = v;
                    case "--snapshot-source" -> source = v;
                    case "--snapshot-tag" -> tags.add(v);
                    case "--snapshot-s3-endpoint" -> endpoint = v;
                    case "--snapshot-out" -> snapOut = v;
                    case "--digest-out" -> digestOut = v;
                    default -> throw new IllegalArgumentException("unknown option " + a[i]);
                }
                i++;
            }
            if (spec == null) {
                throw new IllegalArgumentException("--spec is required");
            }
            return new Args(spec, run, params, inputs, outputs, metricsOut, kfp, kfpMetrics, repo, source, tags,
                    endpoint, snapOut, digestOut);
        }
    }

    public static int run(String[] argv) throws IOException, InterruptedException {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("ClusterStepMain: " + e.getMessage());
            return 2;
        }
        StepSpec spec = prepare(SpecCodec.decode(args.spec()), args);
        Path specFile = Files.createTempFile("kale4j-step-", ".json");
        PipelineJson.write(spec, specFile);
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-cp", System.getProperty("java.class.path"),
                STEP_MAIN, specFile.toString()));
        for (String p : args.params()) {
            cmd.add("-p");
            cmd.add(normalise(spec, p));
        }
        int exit = new ProcessBuilder(cmd).inheritIO().start().waitFor();
        Path outDir = Path.of(spec.outputDir());
        Map<String, Double> metrics = readMetrics(outDir.resolve(StepResult.FILE));
        // Katib's StdOut collector parses "name=value" lines; harmless for the other engines.
        metrics.forEach((k, v) -> System.out.println(k + "=" + v));
        System.out.flush();
        Path metricsFile = args.metricsOut() != null ? Path.of(args.metricsOut()) : outDir.resolve("metrics.json");
        writeFile(metricsFile, PipelineJson.toJson(metrics));
        if (exit == 0) {
            for (Map.Entry<String, String> o : args.outputs().entrySet()) {
                Path target = Path.of(o.getValue());
                if (target.getParent() != null) {
                    Files.createDirectories(target.getParent());
                }
                Files.copy(outDir.resolve(o.getKey() + ".k4j"), target, StandardCopyOption.REPLACE_EXISTING);
            }
            if (args.kfpExecutorInput() != null) {
                KfpMetricsWriter.write(args.kfpExecutorInput(), args.kfpMetricsArtifact(), metrics);
            }
            if (args.digestOut() != null) {
                writeFile(Path.of(args.digestOut()), OutputDigest.of(outDir, spec.outputs()));
            }
        }
        if (args.snapshotRepo() != null) {
            snapshot(args, spec);
        }
        return exit;
    }

    private static void writeFile(Path file, String text) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** Puts the run id into the paths and the engine-given input paths into the spec. */
    static StepSpec prepare(StepSpec spec, Args args) {
        String run = args.run() == null ? "run" : args.run();
        List<StepSpec.InputArtifact> inputs = new ArrayList<>();
        for (StepSpec.InputArtifact in : spec.inputs()) {
            String path = args.inputs().getOrDefault(in.variable(), in.path().replace(ContainerPaths.RUN_TOKEN, run));
            inputs.add(new StepSpec.InputArtifact(in.variable(), in.step(), path));
        }
        return new StepSpec(spec.pipeline(), spec.step(), spec.prelude(), spec.body(), spec.parameters(), inputs,
                spec.outputs(), spec.metrics(), spec.outputDir().replace(ContainerPaths.RUN_TOKEN, run),
                spec.workDir(), spec.classpath());
    }

    /** Engines render integers from JSON numbers as {@code 20.0}; the step runtime wants {@code 20}. */
    static String normalise(StepSpec spec, String kv) {
        int eq = kv.indexOf('=');
        if (eq < 0) {
            return kv;
        }
        String name = kv.substring(0, eq);
        String value = kv.substring(eq + 1);
        ParameterType type = spec.parameters().stream().filter(p -> p.name().equals(name))
                .map(StepSpec.ParameterValue::type).findFirst().orElse(null);
        if ((type == ParameterType.INT || type == ParameterType.LONG) && value.matches("-?\\d+\\.0+")) {
            value = value.substring(0, value.indexOf('.'));
        }
        return name + "=" + value;
    }

    private static Map<String, Double> readMetrics(Path resultFile) {
        Map<String, Double> metrics = new TreeMap<>();
        if (!Files.exists(resultFile)) {
            return metrics;
        }
        try {
            JsonNode m = PipelineJson.mapper().readTree(resultFile.toFile()).path("metrics");
            m.fields().forEachRemaining(e -> {
                if (e.getValue().isNumber()) {
                    metrics.put(e.getKey(), e.getValue().asDouble());
                }
            });
        } catch (IOException e) {
            System.err.println("ClusterStepMain: cannot read " + resultFile + ": " + e.getMessage());
        }
        return metrics;
    }

    /** Snapshots the workspace; a failed snapshot is reported but does not fail the step. */
    private static void snapshot(Args args, StepSpec spec) throws IOException, InterruptedException {
        List<String> cmd = snapshotJvm(Path.of(System.getProperty("kale4j.agentArchive", AGENT_ARCHIVE)));
        cmd.addAll(List.of(SNAPSHOT_MAIN, "create", "--repo", args.snapshotRepo(), "--source", args.snapshotSource(),
                "--json"));
        if (args.snapshotEndpoint() != null) {
            cmd.addAll(List.of("--s3-endpoint", args.snapshotEndpoint()));
        }
        for (String t : args.snapshotTags()) {
            cmd.addAll(List.of("--tag", t));
        }
        Path out = args.snapshotOut() != null ? Path.of(args.snapshotOut()) : Path.of(spec.outputDir(), "snapshot.json");
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.createDirectories(Path.of(args.snapshotSource()));
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (p.waitFor() != 0) {
            System.err.println("ClusterStepMain: snapshot of " + args.snapshotSource() + " to " + args.snapshotRepo()
                    + " failed (the step's own result stands)");
            Files.writeString(out, "{}");
        }
    }

    /** The AppCDS archive of the snapshot agent that deploy/image/Dockerfile makes when the image is built. */
    static final String AGENT_ARCHIVE = "/opt/kale4j/agent.jsa";

    /**
     * The agent's JVM as docs/snapshots.md and the benchmark run it: {@link SnapshotAgentJvm#OPTIONS} (collector
     * and JIT thresholds for a short, CPU-bound run) and the image's AppCDS archive when there is one. A stale
     * or mismatched archive is ignored by the JVM (-Xshare:auto), quietly.
     */
    static List<String> snapshotJvm(Path archive) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(SnapshotAgentJvm.OPTIONS);
        if (Files.isRegularFile(archive)) {
            cmd.addAll(List.of("-Xshare:auto", "-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off,cds+dynamic=off"));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        return cmd;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
