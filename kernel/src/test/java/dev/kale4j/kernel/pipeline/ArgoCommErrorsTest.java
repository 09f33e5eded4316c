package dev.kale4j.kernel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the cluster answers (no Workflow CRD, forbidden) comes back as a structured error reply. */
@EnableKubernetesMockClient
class ArgoCommErrorsTest {
    static KubernetesMockServer server;
    static KubernetesClient client;
    static final String PATH = "/apis/argoproj.io/v1alpha1/namespaces/ns1/workflows";

    @TempDir
    Path dir;

    static Status status(int code, String reason, String message) {
        return new StatusBuilder().withCode(code).withReason(reason).withMessage(message).withStatus("Failure").build();
    }

    ObjectNode run(CommProbe comm) throws Exception {
        Path nb = CommProbe.notebook(dir, Map.of("namespace", "ns1"));
        return comm.call(CommProbe.request("run", "notebook", nb.toString(), "target", "argo"));
    }

    @Test
    void missingWorkflowCrdIsAClearErrorAndArgoIsNotATarget() throws Exception {
        CommProbe comm = new CommProbe(client, null, Map.of());
        server.expect().post().withPath(PATH).andReturn(404, status(404, "NotFound",
                "the server could not find the requested resource")).once();
        ObjectNode reply = run(comm);
        assertThat(reply.path("ok").asBoolean()).isFalse();
        assertThat(reply.path("action").asText()).isEqualTo("run");
        assertThat(reply.path("error").asText()).contains("no Workflow (argoproj.io/v1alpha1) resource")
                .contains("install Argo Workflows");

        server.expect().get().withPath(PATH + "?limit=1").andReturn(404, status(404, "NotFound",
                "the server could not find the requested resource")).once();
        ObjectNode targets = comm.call(CommProbe.request("targets", "namespace", "ns1"));
        assertThat(targets.path("ok").asBoolean()).isTrue();
        assertThat(targets.path("available").toString()).isEqualTo("[\"local\"]");
        assertThat(targets.path("reasons").path("argo").asText()).contains("install Argo Workflows");
    }

    @Test
    void forbiddenSaysWhichRoleToGrant() throws Exception {
        server.expect().post().withPath(PATH).andReturn(403, status(403, "Forbidden",
                "workflows.argoproj.io is forbidden: User \"alice\" cannot create resource")).once();
        ObjectNode reply = run(new CommProbe(client, null, Map.of()));
        assertThat(reply.path("ok").asBoolean()).isFalse();
        assertThat(reply.path("error").asText()).contains("forbidden (403)").contains("deploy/rbac.yaml -n ns1")
                .contains("User \"alice\"");
    }
}
