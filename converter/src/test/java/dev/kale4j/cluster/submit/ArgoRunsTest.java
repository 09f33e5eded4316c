package dev.kale4j.cluster.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kale4j.cluster.ClusterPlan;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.Fixtures;
import dev.kale4j.cluster.Manifests;
import dev.kale4j.cluster.Schemas;
import dev.kale4j.cluster.argo.Argo;
import dev.kale4j.cluster.argo.ArgoCompiler;
import dev.kale4j.common.UserError;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.volumesnapshot.api.model.VolumeSnapshot;
import io.fabric8.volumesnapshot.api.model.VolumeSnapshotBuilder;
import io.fabric8.volumesnapshot.client.VolumeSnapshotClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argo submission against fabric8's mock API server in CRUD mode; the test plays the controller's status updates. */
@EnableKubernetesMockClient(crud = true)
class ArgoRunsTest {
    static KubernetesClient client;
    static final String NS = "team-a";

    @TempDir
    Path dir;

    @BeforeEach
    void installCrds() {
        CustomResourceDefinition wf = new CustomResourceDefinitionBuilder().withNewMetadata()
                .withName("workflows.argoproj.io").endMetadata().withNewSpec().withGroup("argoproj.io")
                .withScope("Namespaced").withNewNames().withKind("Workflow").withPlural("workflows")
                .withSingular("workflow").endNames().addNewVersion().withName("v1alpha1").withServed(true)
                .withStorage(true).endVersion().endSpec().build();
        client.apiextensions().v1().customResourceDefinitions().resource(wf).createOr(c -> c.update());
        CustomResourceDefinition vs = client.getKubernetesSerialization().convertValue(Schemas.resource(
                "cluster/snapshot/external-snapshotter-v8.6.0-snapshot.storage.k8s.io_volumesnapshots.yaml"),
                CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(vs).createOr(c -> c.update());
    }

    Argo.Workflow workflow() {
        ClusterPlan plan = Fixtures.plan(Fixtures.notebook(Fixtures.WORD_STATS, dir), CompileOptions.defaults());
        return ArgoCompiler.build(plan);
    }

    GenericKubernetesResource stored(String name) {
        return client.genericKubernetesResources(ArgoRuns.WORKFLOWS).inNamespace(NS).withName(name).get();
    }

    /** Plays the Argo controller: sets the workflow phase and its pod nodes. */
    void play(String name, String phase, String message, Map<String, String> steps) {
        GenericKubernetesResource wf = stored(name);
        Map<String, Object> nodes = new java.util.LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, String> s : steps.entrySet()) {
            Map<String, Object> node = new java.util.LinkedHashMap<>();
            node.put("id", name + "-" + i);
            node.put("displayName", s.getKey());
            node.put("templateName", s.getKey());
            node.put("type", "Pod");
            node.put("phase", s.getValue().equals("Cached") ? "Succeeded" : s.getValue());
            if (s.getValue().equals("Cached")) {
                node.put("memoizationStatus", Map.of("hit", true, "key", "0123abcd", "cacheName", "kale4j-cache-ws"));
            }
            node.put("startedAt", "2026-01-01T00:00:0" + i++ + "Z");
            if (s.getKey().equals("lengths") && s.getValue().equals("Succeeded")) {
                node.put("outputs", Map.of("parameters", List.of(Map.of("name", "metrics", "value",
                        "{\"meanLength\":3.8}"), Map.of("name", "snapshot", "value", "{\"id\":\"ab12cd\"}"))));
            }
            if (s.getValue().equals("Failed")) {
                node.put("message", "Error (exit code 1)");
            }
            nodes.put(name + "-" + i, node);
        }
        Map<String, Object> status = new java.util.LinkedHashMap<>();
        status.put("phase", phase);
        status.put("startedAt", "2026-01-01T00:00:00Z");
        if (message != null) {
            status.put("message", message);
        }
        status.put("nodes", nodes);
        wf.setAdditionalProperty("status", status);
        client.genericKubernetesResources(ArgoRuns.WORKFLOWS).inNamespace(NS).resource(wf).update();
    }

    @Test
    void submitsWithParametersAndStreamsStepStatusUntilSuccess() throws Exception {
        ArgoRuns runs = new ArgoRuns(client, Duration.ofMillis(200));
        String name = runs.submit(workflow(), Map.of("top", "5"), NS);
        assertThat(name).startsWith("word-stats-");
        JsonNode created = Manifests.jsonMapper().valueToTree(stored(name));
        JsonNode params = created.path("spec").path("arguments").path("parameters");
        assertThat(params.get(1).path("name").asText()).isEqualTo("top");
        assertThat(params.get(1).path("value").asText()).isEqualTo("5");
        assertThat(params.get(0).path("value").asText()).startsWith("the quick brown fox");
        assertThat(Schemas.validate(Schemas.ARGO_V4, "io.argoproj.workflow.v1alpha1.Workflow", created)).isEmpty();

        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<RunStatus> watching = CompletableFuture.supplyAsync(() -> {
            try {
                return runs.watch(name, NS, Duration.ofSeconds(30), lines::add);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        awaitLine(lines, name + ": Pending");
        play(name, "Running", null, Map.of("tokenize", "Running"));
        awaitLine(lines, "  tokenize: Running");
        play(name, "Running", null, ordered("tokenize", "Succeeded", "frequencies", "Running", "lengths", "Running"));
        awaitLine(lines, "  frequencies: Running");
        play(name, "Succeeded", null, ordered("tokenize", "Succeeded", "frequencies", "Succeeded", "lengths",
                "Succeeded", "report", "Succeeded"));
        RunStatus done = watching.get(20, TimeUnit.SECONDS);
        assertThat(done.succeeded()).isTrue();
        assertThat(lines).contains("  tokenize: Running", "  tokenize: Succeeded", "  frequencies: Running",
                "  report: Succeeded", name + ": Succeeded");
        assertThat(lines.indexOf("  tokenize: Running")).isLessThan(lines.indexOf("  tokenize: Succeeded"));

        RunStatus got = runs.get(name, NS);
        RunStatus.StepStatus lengths = got.steps().stream().filter(s -> s.step().equals("lengths")).findFirst().orElseThrow();
        assertThat(lengths.metrics()).isEqualTo("{\"meanLength\":3.8}");
        assertThat(lengths.snapshot()).isEqualTo("snapshot ab12cd");
        assertThat(runs.list(NS)).extracting(RunStatus::name).contains(name);
        assertThat(runs.list(NS).get(0).pipeline()).isEqualTo("word-stats");
        runs.delete(name, NS);
        assertThat(stored(name)).isNull();
        assertThatThrownBy(() -> runs.get(name, NS)).isInstanceOf(UserError.class).hasMessageContaining("does not exist");
    }

    @Test
    void aFailedRunIsReportedWithTheFailingStep() throws Exception {
        ArgoRuns runs = new ArgoRuns(client, Duration.ofMillis(200));
        String name = runs.submit(workflow(), Map.of(), NS);
        play(name, "Failed", "child 'frequencies' failed", ordered("tokenize", "Succeeded", "frequencies", "Failed",
                "lengths", "Succeeded"));
        List<String> lines = new CopyOnWriteArrayList<>();
        RunStatus s = runs.watch(name, NS, Duration.ofSeconds(10), lines::add);
        assertThat(s.finished()).isTrue();
        assertThat(s.succeeded()).isFalse();
        assertThat(lines).contains(name + ": Failed (child 'frequencies' failed)", "  frequencies: Failed (Error (exit code 1))");
    }

    @Test
    void aMemoizedStepShowsAsCached() {
        ArgoRuns runs = new ArgoRuns(client, Duration.ofMillis(200));
        String name = runs.submit(workflow(), Map.of(), NS);
        play(name, "Succeeded", null, ordered("tokenize", "Cached", "report", "Succeeded"));
        RunStatus got = runs.get(name, NS);
        assertThat(got.steps()).extracting(RunStatus.StepStatus::step, RunStatus.StepStatus::phase)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("tokenize", "Cached"),
                        org.assertj.core.groups.Tuple.tuple("report", "Succeeded"));
    }

    @Test
    void theRunRecordsWhichVolumeSnapshotBelongsToWhichStep() {
        ArgoRuns runs = new ArgoRuns(client, Duration.ofMillis(200));
        String name = runs.submit(workflow(), Map.of(), NS);
        play(name, "Succeeded", null, ordered("tokenize", "Succeeded", "report", "Succeeded"));
        // What the workflow's snapshot tasks create (ArgoCompiler's resource template), as the CSI controller leaves it.
        for (String step : List.of("tokenize", "report")) {
            VolumeSnapshot vs = new VolumeSnapshotBuilder().withNewMetadata().withName(name + "-" + step)
                    .addToLabels("kale4j.dev/run", name).addToLabels(ArgoCompiler.STEP_LABEL, step).endMetadata()
                    .withNewSpec().withVolumeSnapshotClassName("csi-snap").withNewSource()
                    .withPersistentVolumeClaimName(name + "-workspace").endSource().endSpec()
                    .withNewStatus().withReadyToUse(step.equals("tokenize")).endStatus().build();
            var api = client.adapt(VolumeSnapshotClient.class).volumeSnapshots().inNamespace(NS);
            api.resource(vs).create();
            // status is a subresource: the CSI controller sets it separately.
            VolumeSnapshot current = api.withName(vs.getMetadata().getName()).get();
            current.setStatus(vs.getStatus());
            api.resource(current).updateStatus();
        }
        RunStatus got = runs.get(name, NS);
        assertThat(got.steps()).extracting(RunStatus.StepStatus::snapshot).containsExactly(
                "VolumeSnapshot " + name + "-tokenize (ready)", "VolumeSnapshot " + name + "-report (not ready)");
    }

    @Test
    void parameterValuesAreCheckedAndUnchangedOnesKeepTheirDefaults() {
        ArgoRuns runs = new ArgoRuns(client, Duration.ofMillis(200));
        var plan = Fixtures.plan(Fixtures.notebook(Fixtures.WORD_STATS, dir.resolve("x")), CompileOptions.defaults());
        String name = runs.submit(ArgoCompiler.build(plan), dev.kale4j.runner.LocalRunner.parameterValues(
                plan.pipeline(), Map.of("top", "7")), NS);
        JsonNode params = Manifests.jsonMapper().valueToTree(stored(name)).path("spec").path("arguments").path("parameters");
        assertThat(params.get(0).path("value").asText()).isEqualTo(plan.pipeline().parameter("text").orElseThrow()
                .defaultValue());
        assertThat(params.get(1).path("value").asText()).isEqualTo("7");
        var pipeline = Fixtures.plan(Fixtures.notebook(Fixtures.WORD_STATS, dir), CompileOptions.defaults()).pipeline();
        // Submission uses the local runner's rules for -p values.
        var values = dev.kale4j.runner.LocalRunner.parameterValues(pipeline, Map.of("top", "3"));
        assertThat(values).containsEntry("top", "3").containsKey("text");
        assertThatThrownBy(() -> dev.kale4j.runner.LocalRunner.parameterValues(pipeline, Map.of("top", "three")))
                .isInstanceOf(UserError.class).hasMessageContaining("int");
        assertThatThrownBy(() -> dev.kale4j.runner.LocalRunner.parameterValues(pipeline, Map.of("tpo", "3")))
                .isInstanceOf(UserError.class).hasMessageContaining("text, top");
    }

    @Test
    void stopSetsShutdownAndAvailabilityIsChecked() {
        ArgoRuns runs = new ArgoRuns(client, Duration.ofMillis(200));
        assertThat(runs.unavailable(NS)).as("the Workflow CRD is installed").isNull();
        String name = runs.submit(workflow(), Map.of(), NS);
        assertThat(Manifests.jsonMapper().valueToTree(stored(name)).path("spec").has("shutdown")).isFalse();
        runs.stop(name, NS);
        JsonNode spec = Manifests.jsonMapper().valueToTree(stored(name)).path("spec");
        assertThat(spec.path("shutdown").asText()).isEqualTo("Stop");
        assertThat(spec.path("templates").size()).as("the rest of the spec is kept").isGreaterThan(1);
        assertThatThrownBy(() -> runs.stop("nope", NS)).isInstanceOf(UserError.class);
    }

    @Test
    void stepDurationsComeFromTheNodeTimes() {
        assertThat(ArgoRuns.durationMs("2026-01-01T00:00:01Z", "2026-01-01T00:00:03.5Z")).isEqualTo(2500);
        assertThat(ArgoRuns.durationMs("2026-01-01T00:00:01Z", null)).isZero();
        assertThat(ArgoRuns.durationMs("garbage", "2026-01-01T00:00:01Z")).isZero();
    }

    static void awaitLine(List<String> lines, String line) throws InterruptedException {
        for (int i = 0; i < 200 && !lines.contains(line); i++) {
            Thread.sleep(50);
        }
        assertThat(lines).contains(line);
    }

    static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
