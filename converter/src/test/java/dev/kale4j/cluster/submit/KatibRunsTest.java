package dev.kale4j.cluster.submit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.cluster.ClusterPlan;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.Fixtures;
import dev.kale4j.cluster.katib.KatibCompiler;
import dev.kale4j.cluster.katib.KatibSettings;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Katib Experiment creation and trial reporting on the CRUD mock server; the test plays the Katib controller. */
@EnableKubernetesMockClient(crud = true)
class KatibRunsTest {
    static KubernetesClient client;

    @TempDir
    Path dir;

    @Test
    void createsTheExperimentAndReportsTrialsAndTheBestParameters() throws Exception {
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("experiments.kubeflow.org").endMetadata().withNewSpec()
                .withGroup("kubeflow.org").withScope("Namespaced").withNewNames().withKind("Experiment")
                .withPlural("experiments").withSingular("experiment").endNames().addNewVersion().withName("v1beta1")
                .withServed(true).withStorage(true).endVersion().endSpec().build()).createOr(c -> c.update());
        Notebook nb = Fixtures.notebook(Fixtures.LINREG, dir);
        ClusterPlan plan = Fixtures.plan(nb, CompileOptions.defaults());
        ObjectNode exp = KatibCompiler.build(plan, KatibSettings.of(nb, plan.pipeline()));
        KatibRuns katib = new KatibRuns(client, Duration.ofMillis(50));
        String name = katib.create(exp, "ml");
        assertThat(name).isEqualTo("linreg-search");

        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<KatibRuns.ExperimentStatus> watching = CompletableFuture.supplyAsync(() -> {
            try {
                return katib.watch(name, "ml", Duration.ofSeconds(20), lines::add);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        play(name, "Running", 3, 1, 0, 2, null);
        ArgoRunsTest.awaitLine(lines, name + ": Running, trials 3 (1 succeeded, 2 running, 0 failed)");
        play(name, "Succeeded", 12, 11, 1, 0, Map.of("learningRate", "0.042", "epochs", "40"));
        KatibRuns.ExperimentStatus done = watching.get(10, TimeUnit.SECONDS);
        assertThat(done.finished()).isTrue();
        assertThat(done.bestTrial()).isEqualTo("linreg-search-abc");
        assertThat(done.bestParameters()).containsEntry("learningRate", "0.042").containsEntry("epochs", "40");
        assertThat(done.bestMetrics()).containsEntry("mse", "0.031");
        assertThat(lines.get(lines.size() - 1)).isEqualTo(name + ": Succeeded, trials 12 (11 succeeded, 0 running, 1 failed)");
    }

    void play(String name, String condition, int trials, int ok, int failed, int running, Map<String, String> best) {
        GenericKubernetesResource e = client.genericKubernetesResources(KatibRuns.EXPERIMENTS).inNamespace("ml")
                .withName(name).get();
        Map<String, Object> status = new java.util.LinkedHashMap<>();
        status.put("conditions", List.of(Map.of("type", "Created", "status", "True"),
                Map.of("type", "Running", "status", condition.equals("Running") ? "True" : "False"),
                Map.of("type", condition, "status", "True")));
        status.put("trials", trials);
        status.put("trialsSucceeded", ok);
        status.put("trialsFailed", failed);
        status.put("trialsRunning", running);
        if (best != null) {
            status.put("currentOptimalTrial", Map.of("bestTrialName", "linreg-search-abc",
                    "parameterAssignments", best.entrySet().stream().map(x -> Map.of("name", x.getKey(), "value",
                            x.getValue())).toList(),
                    "observation", Map.of("metrics", List.of(Map.of("name", "mse", "latest", "0.031", "min", "0.031",
                            "max", "0.2")))));
        }
        e.setAdditionalProperty("status", status);
        client.genericKubernetesResources(KatibRuns.EXPERIMENTS).inNamespace("ml").resource(e).update();
    }
}
