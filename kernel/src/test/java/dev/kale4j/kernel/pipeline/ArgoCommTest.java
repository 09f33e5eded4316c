package dev.kale4j.kernel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.cluster.submit.ArgoRuns;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Comm runs on Argo against fabric8's mock API server in CRUD mode: the test plays the Argo controller (node
 * status updates) and checks what the extension receives.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ArgoCommTest {
    static KubernetesClient client;
    static final String NS = "team-a";

    @TempDir
    Path dir;

    @BeforeEach
    void installWorkflowCrd() {
        CustomResourceDefinition wf = new CustomResourceDefinitionBuilder().withNewMetadata()
                .withName("workflows.argoproj.io").endMetadata().withNewSpec().withGroup("argoproj.io")
                .withScope("Namespaced").withNewNames().withKind("Workflow").withPlural("workflows")
                .withSingular("workflow").endNames().addNewVersion().withName("v1alpha1").withServed(true)
                .withStorage(true).endVersion().endSpec().build();
        client.apiextensions().v1().customResourceDefinitions().resource(wf).createOr(c -> c.update());
    }

    GenericKubernetesResource stored(String name) {
        return client.genericKubernetesResources(ArgoRuns.WORKFLOWS).inNamespace(NS).withName(name).get();
    }

    /** Plays the Argo controller: the workflow phase and one Pod node per step (Cached = a memoization hit). */
    void play(String name, String phase, String message, String... stepPhases) {
        GenericKubernetesResource wf = stored(name);
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (int i = 0; i < stepPhases.length; i += 2) {
            String p = stepPhases[i + 1];
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("id", name + "-" + i);
            node.put("displayName", stepPhases[i]);
            node.put("type", "Pod");
            node.put("phase", p.equals("Cached") ? "Succeeded" : p);
            node.put("startedAt", "2026-01-01T00:00:0" + i + "Z");
            if (!p.equals("Running") && !p.equals("Pending")) {
                node.put("finishedAt", "2026-01-01T00:00:0" + (i + 2) + "Z");
            }
            if (p.equals("Cached")) {
                node.put("memoizationStatus", Map.of("hit", true, "key", "k", "cacheName", "kale4j-cache"));
            }
            if (p.equals("Failed")) {
                node.put("message", "Error (exit code 1)");
            }
            nodes.put(name + "-" + i, node);
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("phase", phase);
        if (message != null) {
            status.put("message", message);
        }
        status.put("nodes", nodes);
        wf.setAdditionalProperty("status", status);
        client.genericKubernetesResources(ArgoRuns.WORKFLOWS).inNamespace(NS).resource(wf).update();
    }

    @Test
    void runOnArgoCreatesTheWorkflowWithTheParametersAndStreamsStepStatus() throws Exception {
        CommProbe comm = new CommProbe(client, null, Map.of());
        Path nb = CommProbe.notebook(dir, Map.of("namespace", NS, "argo_ui", "https://argo.example.com/"));
        ObjectNode reply = comm.call(CommProbe.request("run", "notebook", nb.toString(), "target", "argo",
                "parameters", Map.of("top", "5")));
        assertThat(reply.path("ok").asBoolean()).as(reply.toString()).isTrue();
        String name = reply.path("run_id").asText();
        assertThat(name).startsWith("word-count-");
        assertThat(reply.path("target").asText()).isEqualTo("argo");
        assertThat(reply.path("namespace").asText()).as("the notebook's cluster.namespace").isEqualTo(NS);
        assertThat(reply.path("ui_url").asText()).isEqualTo("https://argo.example.com/workflows/team-a/" + name);
        assertThat(reply.path("steps").findValuesAsText("name")).containsExactly("prepare", "count", "report");

        JsonNode created = CommProbe.JSON.valueToTree(stored(name));
        Map<String, String> args = new LinkedHashMap<>();
        created.path("spec").path("arguments").path("parameters").forEach(p -> args.put(p.path("name").asText(),
                p.path("value").asText()));
        assertThat(args).containsEntry("top", "5");

        play(name, "Running", null, "prepare", "Running");
        ObjectNode running = comm.progress("prepare", "Running");
        assertThat(running.path("run_id").asText()).isEqualTo(name);
        play(name, "Running", null, "prepare", "Succeeded", "count", "Cached", "report", "Running");
        assertThat(comm.progress("prepare", "Succeeded").path("duration_ms").asLong()).isEqualTo(2000);
        comm.progress("count", "Cached");
        comm.progress("report", "Running");

        ObjectNode status = comm.call(CommProbe.request("run_status", "run_id", name));
        assertThat(status.path("run").path("status").asText()).isEqualTo("Running");
        assertThat(status.path("run").path("active").asBoolean()).isTrue();
        assertThat(status.path("run").path("steps").get(1).path("status").asText()).isEqualTo("Cached");
        assertThat(status.path("run").path("steps").get(1).path("deps").get(0).asText()).isEqualTo("prepare");

        play(name, "Failed", "child 'report' failed", "prepare", "Succeeded", "count", "Cached", "report", "Failed");
        assertThat(comm.progress("report", "Failed").path("message").asText()).isEqualTo("Error (exit code 1)");
        ObjectNode finished = comm.next(m -> m.path("action").asText().equals("run_finished"), 10);
        assertThat(finished.path("run_id").asText()).isEqualTo(name);
        assertThat(finished.path("status").asText()).isEqualTo("Failed");
        assertThat(finished.path("active").asBoolean()).isFalse();
        assertThat(finished.path("ui_url").asText()).endsWith("/workflows/team-a/" + name);

        ObjectNode listed = comm.call(CommProbe.request("list_runs", "notebook", nb.toString()));
        assertThat(listed.path("runs").findValuesAsText("run_id")).contains(name);
    }

    @Test
    void stopSetsShutdownAndTheRunEndsStopped() throws Exception {
        // The environment's UI address wins over the notebook's; the request's namespace over the notebook's.
        CommProbe comm = new CommProbe(client, null, Map.of("KALE4J_ARGO_UI", "http://localhost:2746"));
        Path nb = CommProbe.notebook(dir, Map.of("namespace", "elsewhere", "argo_ui", "https://argo.example.com"));
        ObjectNode reply = comm.call(CommProbe.request("run", "notebook", nb.toString(), "target", "argo",
                "namespace", NS));
        String name = reply.path("run_id").asText();
        assertThat(reply.path("ui_url").asText()).isEqualTo("http://localhost:2746/workflows/team-a/" + name);
        play(name, "Running", null, "prepare", "Running");
        comm.progress("prepare", "Running");

        ObjectNode stop = comm.call(CommProbe.request("stop", "run_id", name, "wait_ms", 0));
        assertThat(stop.path("ok").asBoolean()).as(stop.toString()).isTrue();
        assertThat(stop.path("was_running").asBoolean()).isTrue();
        assertThat(stop.path("target").asText()).isEqualTo("argo");
        assertThat(CommProbe.JSON.valueToTree(stored(name)).path("spec").path("shutdown").asText()).isEqualTo("Stop");

        // The controller ends it: running pods killed, the workflow Failed with Argo's stop message.
        play(name, "Failed", "Stopped with strategy 'Stop'", "prepare", "Failed");
        ObjectNode finished = comm.next(m -> m.path("action").asText().equals("run_finished"), 10);
        assertThat(finished.path("status").asText()).isEqualTo("Stopped");
        assertThat(comm.call(CommProbe.request("run_status", "run_id", name)).path("run").path("status").asText())
                .isEqualTo("Stopped");
    }

    @Test
    void argoIsATargetWhenTheClusterHasWorkflows() throws Exception {
        ObjectNode targets = new CommProbe(client, null, Map.of()).call(CommProbe.request("targets"));
        assertThat(CommProbe.texts((com.fasterxml.jackson.databind.node.ArrayNode) targets.path("available")))
                .containsExactly("local", "argo");
        assertThat(targets.path("reasons").path("kfp").asText()).as("no KFP_URL here").contains("KFP_URL");
        assertThat(targets.path("reasons").path("katib").asText()).contains("kale4j submit --target katib");
        assertThat(targets.path("reasons").has("argo")).isFalse();
    }

    @Test
    void withoutAKubeconfigOnlyLocalIsATargetAndRunSaysWhy() throws Exception {
        CommProbe comm = new CommProbe(client, "no Kubernetes configuration: no kubeconfig", Map.of());
        ObjectNode targets = comm.call(CommProbe.request("targets"));
        assertThat(targets.path("ok").asBoolean()).isTrue();
        assertThat(CommProbe.texts((com.fasterxml.jackson.databind.node.ArrayNode) targets.path("available")))
                .containsExactly("local");
        assertThat(targets.path("reasons").path("argo").asText()).contains("no kubeconfig");
        ObjectNode run = comm.call(CommProbe.request("run", "notebook", CommProbe.notebook(dir, Map.of()).toString(),
                "target", "argo"));
        assertThat(run.path("ok").asBoolean()).isFalse();
        assertThat(run.path("error").asText()).contains("cannot reach a cluster").contains("no kubeconfig");
    }
}
