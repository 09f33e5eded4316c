package dev.kale4j.cluster.argo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.cluster.ClusterPlan;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.DataPassing;
import dev.kale4j.cluster.Fixtures;
import dev.kale4j.cluster.Manifests;
import dev.kale4j.cluster.Schemas;
import dev.kale4j.cluster.Targets;
import dev.kale4j.cluster.runtime.SpecCodec;
import dev.kale4j.common.UserError;
import dev.kale4j.converter.PipelineCompiler;
import dev.kale4j.pipeline.Step;
import dev.kale4j.runtime.StepSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArgoCompilerTest {
    static final String WF = "io.argoproj.workflow.v1alpha1.Workflow";
    static final String WFT = "io.argoproj.workflow.v1alpha1.WorkflowTemplate";

    @TempDir
    Path dir;

    static JsonNode json(Object o) {
        return Manifests.jsonMapper().valueToTree(o);
    }

    JsonNode compile(String fixture, Consumer<ObjectNode> edit, CompileOptions options) {
        Notebook nb = Fixtures.notebook(fixture, dir.resolve("nb"), edit);
        return json(ArgoCompiler.build(Fixtures.plan(nb, options), options.workflowTemplate()));
    }

    static void assertValid(JsonNode wf, String definition) {
        assertThat(Schemas.validate(Schemas.ARGO_V4, definition, wf)).as("Argo v4.1.2 schema").isEmpty();
        assertThat(Schemas.validate(Schemas.ARGO_V3, definition, wf)).as("Argo v3.7.18 schema").isEmpty();
        assertThat(Schemas.unknownArgoKeys(definition, wf)).as("keys the schema does not know").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {Fixtures.WORD_STATS, Fixtures.SHORT_TAGS, Fixtures.LINREG})
    void everyFixtureValidatesInEveryDataPassingMode(String fixture) {
        assertValid(compile(fixture, kn -> { }, CompileOptions.defaults()), WF);
        assertValid(compile(fixture, kn -> { }, CompileOptions.defaults().withWorkflowTemplate(true)), WFT);
        assertValid(compile(fixture, kn -> { }, CompileOptions.defaults().withDataPassing(DataPassing.VOLUME)), WF);
        assertValid(compile(fixture, kn -> kn.putObject("cluster").putObject("snapshot").put("repo", "s3://b/p")
                .put("s3_secret", "s3").put("s3_endpoint", "http://minio:9000"), CompileOptions.defaults()), WF);
        assertValid(compile(fixture, kn -> kn.putObject("cluster").put("data_passing", "volume")
                .putObject("snapshot").put("volume_snapshot_class", "csi-snap"), CompileOptions.defaults()), WF);
    }

    @Test
    void theCheckerCatchesAMisspelledKey() {
        ObjectNode wf = (ObjectNode) compile(Fixtures.WORD_STATS, kn -> { }, CompileOptions.defaults());
        ((ObjectNode) wf.path("spec").path("templates").get(1)).put("retryStrategey", "x");
        ((ObjectNode) wf.path("spec").path("templates").get(1).path("container")).put("imagee", "x");
        assertThat(Schemas.validate(Schemas.ARGO_V4, WF, wf)).isEmpty();
        assertThat(Schemas.unknownArgoKeys(WF, wf))
                .containsExactlyInAnyOrder(".spec.templates[1].retryStrategey", ".spec.templates[1].container.imagee");
        // And the schema itself does catch wrong values.
        ((ObjectNode) wf.path("spec")).putArray("templates").addObject().put("name", 5);
        wf.put("apiVersion", "v1");
        assertThat(Schemas.validate(Schemas.ARGO_V4, WF, wf)).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void dagDependenciesAreTheResolvedEdgesAndBranchesStayParallel() {
        Notebook nb = Fixtures.notebook(Fixtures.WORD_STATS, dir);
        var pipeline = PipelineCompiler.compile(nb).pipeline();
        JsonNode wf = compile(Fixtures.WORD_STATS, kn -> { }, CompileOptions.defaults());
        Map<String, List<String>> deps = new HashMap<>();
        for (JsonNode t : wf.path("spec").path("templates").get(0).path("dag").path("tasks")) {
            List<String> d = new ArrayList<>();
            t.path("dependencies").forEach(x -> d.add(x.asText()));
            deps.put(t.path("name").asText(), d);
        }
        for (Step s : pipeline.steps()) {
            assertThat(deps.get(s.name())).as(s.name()).containsExactlyElementsOf(s.dependencies());
        }
        // frequencies and lengths only need tokenize: Argo may run them at the same time.
        assertThat(deps.get("frequencies")).containsExactly("tokenize");
        assertThat(deps.get("lengths")).containsExactly("tokenize");
        assertThat(deps.get("report")).containsExactlyInAnyOrder("frequencies", "lengths");
    }

    @Test
    void parametersAreWorkflowArgumentsPassedToTheStepsThatUseThem() {
        JsonNode wf = compile(Fixtures.LINREG, kn -> { }, CompileOptions.defaults());
        JsonNode args = wf.path("spec").path("arguments").path("parameters");
        assertThat(args.findValuesAsText("name")).containsExactly("learningRate", "epochs", "mode", "normalize");
        assertThat(args.get(0).path("value").asText()).isEqualTo("0.05");
        assertThat(args.get(1).path("value").asText()).isEqualTo("20");
        JsonNode tasks = wf.path("spec").path("templates").get(0).path("dag").path("tasks");
        JsonNode train = task(tasks, "train");
        assertThat(train.path("arguments").path("parameters").findValuesAsText("value"))
                .containsExactly("{{workflow.parameters.learningRate}}", "{{workflow.parameters.epochs}}",
                        "{{workflow.parameters.normalize}}");
        assertThat(task(tasks, "prepare").has("arguments")).isFalse();
        JsonNode tmpl = template(wf, "train");
        assertThat(tmpl.path("inputs").path("parameters").findValuesAsText("name"))
                .containsExactly("learningRate", "epochs", "normalize");
        List<String> cargs = new ArrayList<>();
        tmpl.path("container").path("args").forEach(a -> cargs.add(a.asText()));
        assertThat(cargs).containsSequence("-p", "learningRate={{inputs.parameters.learningRate}}");
    }

    @Test
    void stepContainersCarryTheirSettings() {
        JsonNode wf = compile(Fixtures.LINREG, kn -> { }, CompileOptions.defaults());
        JsonNode train = template(wf, "train");
        JsonNode c = train.path("container");
        assertThat(c.path("image").asText()).isEqualTo("registry.example.com/trainer:2");
        assertThat(template(wf, "prepare").path("container").path("image").asText())
                .isEqualTo("registry.example.com/kale4j-step:1");
        assertThat(c.path("resources").path("limits").path("nvidia.com/gpu").asText()).isEqualTo("1");
        assertThat(c.path("resources").path("limits").path("cpu").asText()).isEqualTo("2");
        assertThat(c.path("resources").path("limits").path("memory").asText()).isEqualTo("2Gi");
        // cpu 250m <= the 2 cpu limit; memory 512Mi <= 2Gi.
        assertThat(c.path("resources").path("requests").path("cpu").asText()).isEqualTo("250m");
        assertThat(c.path("env").get(0).path("valueFrom").path("secretKeyRef").path("name").asText())
                .isEqualTo("db-creds");
        assertThat(c.path("env").get(0).path("name").asText()).isEqualTo("DB_PASSWORD");
        assertThat(train.path("retryStrategy").path("limit").asText()).isEqualTo("2");
        assertThat(train.path("activeDeadlineSeconds").asText()).isEqualTo("600");
        assertThat(train.path("metadata").path("labels").path("team").asText()).isEqualTo("ml");
        assertThat(train.path("metadata").path("annotations").path("team.example.com/owner").asText()).isEqualTo("ml");
        assertThat(wf.path("spec").path("nodeSelector").path("pool").asText()).isEqualTo("batch");
        assertThat(wf.path("spec").path("tolerations").get(0).path("key").asText()).isEqualTo("dedicated");
        assertThat(wf.path("spec").path("serviceAccountName").asText()).isEqualTo("kale4j-runner");
        assertThat(c.path("command").get(3).asText()).isEqualTo("dev.kale4j.cluster.runtime.ClusterStepMain");
        assertThat(c.path("volumeMounts").findValuesAsText("mountPath")).containsExactly("/workspace", "/kale4j/outputs");
        // No image anywhere: the configured default.
        JsonNode ws = compile(Fixtures.WORD_STATS, kn -> { }, new CompileOptions("example.org/step:9", null, false, null));
        assertThat(template(ws, "tokenize").path("container").path("image").asText()).isEqualTo("example.org/step:9");
    }

    @Test
    void artifactsConnectProducersAndTheSpecPointsAtThem() {
        JsonNode wf = compile(Fixtures.WORD_STATS, kn -> { }, CompileOptions.defaults());
        JsonNode report = task(wf.path("spec").path("templates").get(0).path("dag").path("tasks"), "report");
        assertThat(report.path("arguments").path("artifacts").findValuesAsText("from"))
                .contains("{{tasks.frequencies.outputs.artifacts.freq}}", "{{tasks.lengths.outputs.artifacts.meanLength}}");
        JsonNode tmpl = template(wf, "report");
        assertThat(tmpl.path("inputs").path("artifacts").findValuesAsText("path"))
                .contains("/kale4j/inputs/frequencies/freq.k4j");
        StepSpec spec = SpecCodec.decode(tmpl.path("container").path("args").get(1).asText());
        assertThat(spec.step()).isEqualTo("report");
        assertThat(spec.inputs()).extracting(StepSpec.InputArtifact::path).contains("/kale4j/inputs/frequencies/freq.k4j");
        assertThat(spec.outputDir()).isEqualTo("/kale4j/outputs");
        JsonNode freq = template(wf, "frequencies");
        assertThat(freq.path("outputs").path("artifacts").get(0).path("path").asText())
                .isEqualTo("/kale4j/outputs/freq.k4j");
    }

    @Test
    void readWriteOnceWorkspacePinsStepsToOneNodeAndManyDoesNot() {
        JsonNode rwo = compile(Fixtures.WORD_STATS, kn -> kn.putObject("cluster").put("data_passing", "volume"),
                CompileOptions.defaults());
        assertThat(rwo.path("spec").path("volumeClaimTemplates").get(0).path("spec").path("accessModes").get(0).asText())
                .isEqualTo("ReadWriteOnce");
        JsonNode aff = template(rwo, "tokenize").path("affinity").path("podAffinity")
                .path("requiredDuringSchedulingIgnoredDuringExecution").get(0);
        assertThat(aff.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
        assertThat(aff.path("labelSelector").path("matchLabels").path("workflows.argoproj.io/workflow").asText())
                .isEqualTo("{{workflow.name}}");
        assertThat(template(rwo, "tokenize").path("outputs").has("artifacts")).isFalse();
        StepSpec spec = SpecCodec.decode(template(rwo, "report").path("container").path("args").get(1).asText());
        assertThat(spec.inputs().get(0).path()).startsWith("/workspace/.kale4j/${RUN}/");

        JsonNode rwx = compile(Fixtures.WORD_STATS, kn -> kn.putObject("cluster").put("data_passing", "volume")
                .putObject("workspace").put("access_mode", "ReadWriteMany").put("claim_name", "shared"),
                CompileOptions.defaults());
        assertThat(template(rwx, "tokenize").has("affinity")).isFalse();
        assertThat(rwx.path("spec").path("volumes").get(0).path("persistentVolumeClaim").path("claimName").asText())
                .isEqualTo("shared");
    }

    @Test
    void snapshotsGoToTheAgentRepositoryOrToVolumeSnapshots() throws Exception {
        JsonNode s3 = compile(Fixtures.WORD_STATS, kn -> kn.putObject("cluster").putObject("snapshot")
                .put("repo", "s3://bucket/runs").put("s3_secret", "s3-creds"), CompileOptions.defaults());
        JsonNode t = template(s3, "tokenize");
        List<String> args = new ArrayList<>();
        t.path("container").path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).containsSequence("--snapshot-repo", "s3://bucket/runs")
                .containsSequence("--snapshot-tag", "step=tokenize").containsSequence("--snapshot-tag", "run={{workflow.name}}");
        assertThat(t.path("outputs").path("parameters").findValuesAsText("name")).contains("snapshot");
        assertThat(t.path("container").path("env").findValuesAsText("name"))
                .contains("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");

        JsonNode csi = compile(Fixtures.WORD_STATS, kn -> kn.putObject("cluster").put("data_passing", "volume")
                .putObject("snapshot").put("volume_snapshot_class", "csi-snap"), CompileOptions.defaults());
        JsonNode tasks = csi.path("spec").path("templates").get(0).path("dag").path("tasks");
        assertThat(task(tasks, "snapshot-tokenize").path("dependencies").get(0).asText()).isEqualTo("tokenize");
        JsonNode snapT = template(csi, ArgoCompiler.SNAPSHOT_TEMPLATE);
        String manifest = snapT.path("resource").path("manifest").asText()
                .replace("{{workflow.name}}", "word-stats-x1").replace("{{inputs.parameters.step}}", "tokenize");
        JsonNode vs = Schemas.YAML.readTree(manifest);
        assertThat(Schemas.validateCrd(
                "cluster/snapshot/external-snapshotter-v8.6.0-snapshot.storage.k8s.io_volumesnapshots.yaml", vs)).isEmpty();
        assertThat(vs.path("spec").path("source").path("persistentVolumeClaimName").asText())
                .isEqualTo("word-stats-x1-workspace");
        assertThat(vs.path("metadata").path("labels").path("kale4j.dev/step").asText()).isEqualTo("tokenize");

        assertThatThrownBy(() -> compile(Fixtures.WORD_STATS, kn -> kn.putObject("cluster").putObject("snapshot")
                .put("volume_snapshot_class", "csi-snap"), CompileOptions.defaults()))
                .isInstanceOf(UserError.class).hasMessageContaining("data_passing");
    }

    @Test
    void cachedStepsAreMemoizedByCodeParametersAndUpstreamData() {
        JsonNode wf = compile(Fixtures.WORD_STATS, kn -> { }, CompileOptions.defaults());
        assertValid(wf, WF);
        String cache = "kale4j-cache-word-stats";
        for (String step : List.of("tokenize", "frequencies", "lengths", "report")) {
            JsonNode t = template(wf, step);
            // Every step publishes the digest of its outputs for its consumers' keys.
            assertThat(t.path("outputs").path("parameters").findValuesAsText("name")).contains("digest");
            assertThat(containerArgs(t)).containsSequence("--digest-out", "/kale4j/outputs/digest");
            assertThat(t.path("memoize").path("cache").path("configMap").path("name").asText()).isEqualTo(cache);
            assertThat(t.path("memoize").path("maxAge").asText()).isEqualTo("720h");
        }
        JsonNode report = template(wf, "report");
        String key = report.path("memoize").path("key").asText();
        assertThat(key).startsWith("{{=sprig.sha256sum('").endsWith(")}}")
                .contains("inputs.parameters['kale4j-digest-frequencies']", "inputs.parameters['kale4j-digest-lengths']");
        assertThat(report.path("inputs").path("parameters").findValuesAsText("name"))
                .contains("kale4j-digest-frequencies", "kale4j-digest-lengths");
        JsonNode reportTask = task(wf.path("spec").path("templates").get(0).path("dag").path("tasks"), "report");
        assertThat(reportTask.path("arguments").path("parameters").findValuesAsText("value"))
                .contains("{{tasks.frequencies.outputs.parameters.digest}}", "{{tasks.lengths.outputs.parameters.digest}}");
        // Whatever the key references must be an input of the template, or Argo cannot resolve it.
        List<String> inputs = report.path("inputs").path("parameters").findValuesAsText("name");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("inputs\\.parameters\\['([^']+)'\\]").matcher(key);
        int refs = 0;
        while (m.find()) {
            assertThat(inputs).contains(m.group(1));
            refs++;
        }
        assertThat(refs).isEqualTo(inputs.size());
        assertThat(template(wf, "tokenize").path("memoize").path("key").asText())
                .contains("inputs.parameters['text']");
        // A step with neither parameters nor inputs has a constant key: a valid ConfigMap key as it stands.
        String prepare = template(compile(Fixtures.LINREG, kn -> { }, CompileOptions.defaults()), "prepare")
                .path("memoize").path("key").asText();
        assertThat(prepare).matches("[0-9a-f]{64}");
        // The key covers the code and the image: another default image is another key.
        JsonNode other = compile(Fixtures.LINREG, kn -> kn.put("docker_image", "example.org/step:9"),
                CompileOptions.defaults());
        assertThat(template(other, "prepare").path("container").path("image").asText()).isEqualTo("example.org/step:9");
        assertThat(template(other, "prepare").path("memoize").path("key").asText()).isNotEqualTo(prepare);
        assertThat(template(compile(Fixtures.LINREG, kn -> { }, CompileOptions.defaults()), "prepare")
                .path("memoize").path("key").asText()).as("deterministic").isEqualTo(prepare);
    }

    @Test
    void parametersEnterTheKeyAndCacheDisabledOrAVolumeMeansNoMemoization() {
        JsonNode wf = compile(Fixtures.LINREG, kn -> kn.putObject("cluster").put("cache_max_age", "24h"),
                CompileOptions.defaults());
        assertValid(wf, WF);
        assertThat(template(wf, "train").has("memoize")).as("cache:disabled").isFalse();
        assertThat(template(wf, "train").path("inputs").path("parameters").findValuesAsText("name"))
                .doesNotContain("kale4j-digest-prepare");
        JsonNode evaluate = template(wf, "evaluate");
        assertThat(evaluate.path("memoize").path("maxAge").asText()).isEqualTo("24h");
        String key = evaluate.path("memoize").path("key").asText();
        // evaluate consumes train's and baseline_model's outputs (train is not memoized but still publishes).
        assertThat(key).contains("kale4j-digest-train", "kale4j-digest-baseline-model");
        assertThat(template(wf, "train").path("outputs").path("parameters").findValuesAsText("name")).contains("digest");
        String reportKey = template(wf, "report").path("memoize").path("key").asText();
        assertThat(reportKey).contains("inputs.parameters['mode']");

        JsonNode vol = compile(Fixtures.WORD_STATS, kn -> kn.putObject("cluster").put("data_passing", "volume"),
                CompileOptions.defaults());
        for (JsonNode t : vol.path("spec").path("templates")) {
            assertThat(t.has("memoize")).as(t.path("name").asText()).isFalse();
            assertThat(t.path("outputs").path("parameters").findValuesAsText("name")).doesNotContain("digest");
        }
        assertThatThrownBy(() -> compile(Fixtures.WORD_STATS, kn -> kn.putObject("cluster").put("cache_max_age", "7d"),
                CompileOptions.defaults())).isInstanceOf(UserError.class).hasMessageContaining("cache_max_age")
                .hasMessageContaining("7d");
    }

    static List<String> containerArgs(JsonNode template) {
        List<String> args = new ArrayList<>();
        template.path("container").path("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    @Test
    void badClusterSettingsAreNamed() {
        assertThatThrownBy(() -> compile(Fixtures.WORD_STATS, kn -> kn.putObject("cluster").put("node_selectr", "x"),
                CompileOptions.defaults())).isInstanceOf(UserError.class).hasMessageContaining("node_selectr");
        assertThatThrownBy(() -> compile(Fixtures.WORD_STATS, kn -> kn.putObject("cluster").put("data_passing", "nfs"),
                CompileOptions.defaults())).isInstanceOf(UserError.class).hasMessageContaining("artifacts");
    }

    @Test
    void compileWritesYamlThroughTheTargetRegistry() throws Exception {
        Notebook nb = Fixtures.notebook(Fixtures.WORD_STATS, dir);
        List<Path> files = Targets.find("argo").compile(PipelineCompiler.compile(nb), nb,
                CompileOptions.defaults().withWorkflowTemplate(true), dir.resolve("out"));
        assertThat(files).hasSize(1);
        assertThat(files.get(0).getFileName().toString()).isEqualTo("word-stats-workflowtemplate.yaml");
        JsonNode wft = Schemas.YAML.readTree(Files.readString(files.get(0)));
        assertThat(wft.path("kind").asText()).isEqualTo("WorkflowTemplate");
        assertThat(wft.path("metadata").path("name").asText()).isEqualTo("word-stats");
        assertValid(wft, WFT);
        assertThatThrownBy(() -> Targets.find("airflow")).isInstanceOf(UserError.class).hasMessageContaining("argo");
    }

    static JsonNode task(JsonNode tasks, String name) {
        for (JsonNode t : tasks) {
            if (t.path("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no task " + name);
    }

    static JsonNode template(JsonNode wf, String name) {
        for (JsonNode t : wf.path("spec").path("templates")) {
            if (t.path("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no template " + name);
    }
}
