package dev.kale4j.snapshot.csi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kale4j.common.UserError;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.volumesnapshot.api.model.VolumeSnapshot;
import io.fabric8.volumesnapshot.client.VolumeSnapshotClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CSI mode against fabric8's mock API server in CRUD mode, with the real VolumeSnapshot CRDs installed. */
@EnableKubernetesMockClient(crud = true)
class CsiSnapshotsTest {
    static KubernetesClient client;
    private static final String NS = "team-a";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode crd(String plural) throws Exception {
        try (InputStream in = CsiSnapshotsTest.class.getResourceAsStream(
                "/crds/external-snapshotter-v8.6.0-snapshot.storage.k8s.io_" + plural + ".yaml")) {
            return YAML.readTree(in);
        }
    }

    private static JsonNode schemaOf(JsonNode crd) {
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("name").asText().equals("v1")) {
                return v.path("schema").path("openAPIV3Schema");
            }
        }
        throw new AssertionError("no v1 schema");
    }

    @BeforeEach
    void installCrdsAndWorkspace() throws Exception {
        for (String plural : List.of("volumesnapshots", "volumesnapshotclasses", "volumesnapshotcontents")) {
            CustomResourceDefinition crd = client.getKubernetesSerialization()
                    .convertValue(crd(plural), CustomResourceDefinition.class);
            client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(c -> c.update());
        }
        PersistentVolumeClaim ws = new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("run-42-workspace").withNamespace(NS).endMetadata()
                .withNewSpec().withStorageClassName("csi-hostpath-sc").withAccessModes("ReadWriteOnce")
                .withNewResources().addToRequests("storage", new Quantity("10Gi")).endResources().endSpec().build();
        client.persistentVolumeClaims().inNamespace(NS).resource(ws).createOr(c -> c.update());
    }

    @Test
    void createsAValidVolumeSnapshotAndRestoresThroughAPvcDataSource() throws Exception {
        CsiSnapshots csi = new CsiSnapshots(client);
        String name = CsiSnapshots.name("42", "Train Model");
        assertThat(name).isEqualTo("kale4j-42-train-model");
        VolumeSnapshot created = csi.snapshot(NS, "run-42-workspace", name, "csi-hostpath-snapclass",
                Map.of("run", "42", "step", "Train Model"));

        // What the API server stored is what we sent, and it satisfies the CRD's schema.
        VolumeSnapshot stored = client.adapt(VolumeSnapshotClient.class).volumeSnapshots().inNamespace(NS)
                .withName(name).get();
        assertThat(stored.getApiVersion()).isEqualTo("snapshot.storage.k8s.io/v1");
        assertThat(stored.getKind()).isEqualTo("VolumeSnapshot");
        assertThat(stored.getSpec().getSource().getPersistentVolumeClaimName()).isEqualTo("run-42-workspace");
        assertThat(stored.getSpec().getVolumeSnapshotClassName()).isEqualTo("csi-hostpath-snapclass");
        assertThat(stored.getMetadata().getLabels()).containsEntry("kale4j.dev/step", "Train-Model");
        JsonNode schema = schemaOf(crd("volumesnapshots"));
        JsonNode sent = JSON.readTree(client.getKubernetesSerialization().asJson(created));
        assertThat(OpenApiValidator.validate(schema, sent)).isEmpty();

        // The snapshot controller would set the status; do its part.
        stored.setStatus(new io.fabric8.volumesnapshot.api.model.VolumeSnapshotStatusBuilder()
                .withReadyToUse(true).withRestoreSize(new Quantity("10Gi")).build());
        client.adapt(VolumeSnapshotClient.class).volumeSnapshots().inNamespace(NS).resource(stored).updateStatus();
        assertThat(csi.awaitReady(NS, name, Duration.ofSeconds(5)).getStatus().getReadyToUse()).isTrue();
        assertThat(csi.find(NS, Map.of("run", "42"))).extracting(v -> v.getMetadata().getName()).containsExactly(name);
        assertThat(csi.find(NS, Map.of("run", "43"))).isEmpty();

        PersistentVolumeClaim restored = csi.restore(NS, name, "run-42-train-restored", null);
        PersistentVolumeClaim got = client.persistentVolumeClaims().inNamespace(NS).withName("run-42-train-restored").get();
        assertThat(got.getSpec().getDataSource().getApiGroup()).isEqualTo("snapshot.storage.k8s.io");
        assertThat(got.getSpec().getDataSource().getKind()).isEqualTo("VolumeSnapshot");
        assertThat(got.getSpec().getDataSource().getName()).isEqualTo(name);
        assertThat(got.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("10Gi"));
        assertThat(got.getSpec().getStorageClassName()).isEqualTo("csi-hostpath-sc");
        assertThat(got.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(restored.getMetadata().getName()).isEqualTo("run-42-train-restored");
    }

    @Test
    void theValidatorCatchesWhatTheApiServerWouldReject() throws Exception {
        JsonNode schema = schemaOf(crd("volumesnapshots"));
        CsiSnapshots csi = new CsiSnapshots(client);
        JsonNode good = JSON.readTree(client.getKubernetesSerialization()
                .asJson(csi.build(NS, "pvc", "snap", "cls", Map.of())));
        assertThat(OpenApiValidator.validate(schema, good)).isEmpty();
        // Both sources set, an empty class name, a misspelled key: each is an error.
        JsonNode bad = JSON.readTree(good.toString()
                .replace("\"persistentVolumeClaimName\":\"pvc\"",
                        "\"persistentVolumeClaimName\":\"pvc\",\"volumeSnapshotContentName\":\"c\"")
                .replace("\"volumeSnapshotClassName\":\"cls\"", "\"volumeSnapshotClassName\":\"\",\"sorce\":1"));
        List<String> errors = OpenApiValidator.validate(schema, bad);
        assertThat(errors).anyMatch(e -> e.contains("exactly one of"))
                .anyMatch(e -> e.contains("must not be the empty string"))
                .anyMatch(e -> e.contains(".spec.sorce: unknown field"));
        // Without a class the field is left out rather than sent empty.
        JsonNode noClass = JSON.readTree(client.getKubernetesSerialization()
                .asJson(csi.build(NS, "pvc", "snap", "  ", Map.of())));
        assertThat(noClass.path("spec").has("volumeSnapshotClassName")).isFalse();
        assertThat(OpenApiValidator.validate(schema, noClass)).isEmpty();
    }

    @Test
    void cliCreatesAndRestoresThroughTheClusterFromTheEnvironment() {
        Map<String, String> props = Map.of(
                "kubernetes.master", client.getConfiguration().getMasterUrl(),
                "kubernetes.trust.certificates", "true",
                "kubernetes.auth.tryKubeConfig", "false",
                "kubernetes.auth.tryServiceAccount", "false");
        props.forEach(System::setProperty);
        try {
            assertThat(dev.kale4j.snapshot.cli.AgentMain.execute("csi", "create", "-n", NS, "--pvc",
                    "run-42-workspace", "--class", "csi-hostpath-snapclass", "--tag", "run=42", "--tag",
                    "step=eval")).isZero();
            VolumeSnapshot vs = new CsiSnapshots(client).get(NS, "kale4j-42-eval");
            assertThat(vs.getSpec().getSource().getPersistentVolumeClaimName()).isEqualTo("run-42-workspace");
            assertThat(dev.kale4j.snapshot.cli.AgentMain.execute("csi", "restore", "-n", NS, "--snapshot",
                    "kale4j-42-eval", "--claim", "eval-restored")).isZero();
            assertThat(client.persistentVolumeClaims().inNamespace(NS).withName("eval-restored").get()
                    .getSpec().getDataSource().getName()).isEqualTo("kale4j-42-eval");
            // A missing claim is exit 2 with a message, not a stack trace.
            assertThat(dev.kale4j.snapshot.cli.AgentMain.execute("csi", "create", "-n", NS, "--pvc", "nope"))
                    .isEqualTo(2);
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void missingClaimOrSnapshotIsAUserError() {
        CsiSnapshots csi = new CsiSnapshots(client);
        assertThatThrownBy(() -> csi.snapshot(NS, "nope", "s", null, Map.of())).isInstanceOf(UserError.class)
                .hasMessageContaining("PersistentVolumeClaim team-a/nope does not exist");
        assertThatThrownBy(() -> csi.restore(NS, "missing", "x", null)).isInstanceOf(UserError.class)
                .hasMessageContaining("VolumeSnapshot team-a/missing does not exist");
    }
}
