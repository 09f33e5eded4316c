package dev.kale4j.cluster.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.Fixtures;
import dev.kale4j.cluster.argo.Argo;
import dev.kale4j.cluster.argo.ArgoCompiler;
import dev.kale4j.common.UserError;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the user reads when the cluster says no: one message with what to do (the CLI exits 2). */
@EnableKubernetesMockClient
class ClusterErrorsTest {
    static KubernetesMockServer server;
    static KubernetesClient client;
    static final String PATH = "/apis/argoproj.io/v1alpha1/namespaces/ns1/workflows";

    @TempDir
    Path dir;

    Argo.Workflow workflow() {
        return ArgoCompiler.build(Fixtures.plan(Fixtures.notebook(Fixtures.WORD_STATS, dir), CompileOptions.defaults()));
    }

    static Status status(int code, String reason, String message, String kind) {
        StatusBuilder b = new StatusBuilder().withCode(code).withReason(reason).withMessage(message)
                .withStatus("Failure");
        if (kind != null) {
            b.withNewDetails().withKind(kind).withName("x").endDetails();
        }
        return b.build();
    }

    @Test
    void missingCrdSaysToInstallArgo() {
        server.expect().post().withPath(PATH).andReturn(404, status(404, "NotFound",
                "the server could not find the requested resource", null)).once();
        assertThatThrownBy(() -> new ArgoRuns(client).submit(workflow(), Map.of(), "ns1"))
                .isInstanceOf(UserError.class).hasMessageContaining("no Workflow (argoproj.io/v1alpha1) resource")
                .hasMessageContaining("install Argo Workflows");
    }

    @Test
    void unavailableSaysWhyArgoCannotBeUsed() {
        server.expect().get().withPath(PATH + "?limit=1").andReturn(404, status(404, "NotFound",
                "the server could not find the requested resource", null)).once();
        assertThat(new ArgoRuns(client).unavailable("ns1")).contains("no Workflow (argoproj.io/v1alpha1) resource");
        server.expect().get().withPath(PATH + "?limit=1").andReturn(403, status(403, "Forbidden", "forbidden", null))
                .once();
        assertThat(new ArgoRuns(client).unavailable("ns1")).contains("forbidden (403)");
    }

    @Test
    void missingNamespaceIsNamed() {
        server.expect().post().withPath(PATH).andReturn(404, status(404, "NotFound", "namespaces \"ns1\" not found",
                "namespaces")).once();
        assertThatThrownBy(() -> new ArgoRuns(client).submit(workflow(), Map.of(), "ns1"))
                .isInstanceOf(UserError.class).hasMessageContaining("namespace ns1 does not exist");
    }

    @Test
    void unauthorizedForbiddenAndConflict() {
        server.expect().post().withPath(PATH).andReturn(401, status(401, "Unauthorized", "Unauthorized", null)).once();
        assertThatThrownBy(() -> new ArgoRuns(client).submit(workflow(), Map.of(), "ns1"))
                .isInstanceOf(UserError.class).hasMessageContaining("401").hasMessageContaining("Log in again");
        server.expect().post().withPath(PATH).andReturn(403, status(403, "Forbidden",
                "workflows.argoproj.io is forbidden: User \"bob\" cannot create resource", "workflows")).once();
        assertThatThrownBy(() -> new ArgoRuns(client).submit(workflow(), Map.of(), "ns1"))
                .isInstanceOf(UserError.class).hasMessageContaining("deploy/rbac.yaml").hasMessageContaining("bob");
        server.expect().post().withPath(PATH).andReturn(409, status(409, "AlreadyExists", "already exists",
                "workflows")).once();
        assertThatThrownBy(() -> new ArgoRuns(client).submit(workflow(), Map.of(), "ns1"))
                .isInstanceOf(UserError.class).hasMessageContaining("409");
    }

    @Test
    void unreachableServerSaysToCheckTheContext() {
        try (KubernetesClient down = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("https://127.0.0.1:1").withRequestRetryBackoffLimit(0).withConnectionTimeout(2000)
                .build()).build()) {
            assertThatThrownBy(() -> new ArgoRuns(down).submit(workflow(), Map.of(), "ns1"))
                    .isInstanceOf(UserError.class).hasMessageContaining("API server at https://127.0.0.1:1 is unreachable")
                    .hasMessageContaining("kubectl config current-context");
        }
    }

    @Test
    void logsAreTheStepPodsMainContainersInOrder() {
        var pods = new io.fabric8.kubernetes.api.model.PodListBuilder()
                .addNewItem().withNewMetadata().withName("wf1-report-2").withCreationTimestamp("2026-01-01T00:00:09Z")
                .addToLabels("kale4j.dev/step", "report").endMetadata().endItem()
                .addNewItem().withNewMetadata().withName("wf1-tokenize-1").withCreationTimestamp("2026-01-01T00:00:01Z")
                .addToLabels("kale4j.dev/step", "tokenize").endMetadata().endItem().build();
        server.expect().get().withPath("/api/v1/namespaces/ns1/pods?labelSelector=workflows.argoproj.io%2Fworkflow%3Dwf1")
                .andReturn(200, pods).once();
        server.expect().get().withPath("/api/v1/namespaces/ns1/pods/wf1-tokenize-1/log?pretty=false&container=main")
                .andReturn(200, "tokens: 11\n").once();
        server.expect().get().withPath("/api/v1/namespaces/ns1/pods/wf1-report-2/log?pretty=false&container=main")
                .andReturn(200, "[the, quick] 3.8").once();
        String logs = new ArgoRuns(client).logs("wf1", "ns1", null);
        assertThat(logs).isEqualTo("==> tokenize (wf1-tokenize-1) <==\ntokens: 11\n==> report (wf1-report-2) <==\n"
                + "[the, quick] 3.8\n");
        server.expect().get().withPath("/api/v1/namespaces/ns1/pods?labelSelector=workflows.argoproj.io%2Fworkflow%3Dwf2")
                .andReturn(200, new io.fabric8.kubernetes.api.model.PodListBuilder().build()).once();
        assertThatThrownBy(() -> new ArgoRuns(client).logs("wf2", "ns1", null)).isInstanceOf(UserError.class)
                .hasMessageContaining("no pods for run wf2");
    }

    @Test
    void katibConflictSaysHowToDelete() {
        server.expect().post().withPath("/apis/kubeflow.org/v1beta1/namespaces/ns1/experiments")
                .andReturn(409, status(409, "AlreadyExists", "exists", "experiments")).once();
        var exp = dev.kale4j.cluster.Manifests.jsonMapper().createObjectNode();
        exp.put("apiVersion", "kubeflow.org/v1beta1").put("kind", "Experiment").putObject("metadata").put("name", "e1");
        assertThatThrownBy(() -> new KatibRuns(client, java.time.Duration.ofMillis(10)).create(exp, "ns1"))
                .isInstanceOf(UserError.class).hasMessageContaining("kubectl delete experiment e1 -n ns1");
        assertThat(server.getRequestCount()).isPositive();
    }
}
