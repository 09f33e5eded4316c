package dev.kale4j.kernel.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sample Notebook resource against Kubeflow's Notebook CRD, and the image's Kubeflow contract. */
class NotebookImageTest {
    private static final Path MODULE = Path.of(System.getProperty("user.dir"));
    /** Copied from ../shared/data with its provenance (src/test/resources/crds/PROVENANCE.md). */
    private static final Path CRD = MODULE.resolve("src/test/resources/crds/kubeflow-notebooks-v1.11.0-crd-kubeflow.org_notebooks.yaml");
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    private JsonSchema schema() throws Exception {
        assertThat(CRD).isRegularFile();
        JsonNode crd = yaml.readTree(CRD.toFile());
        JsonNode v1 = null;
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("name").asText().equals("v1")) {
                v1 = v.path("schema").path("openAPIV3Schema");
            }
        }
        assertThat(v1).isNotNull();
        ObjectNode s = v1.deepCopy();
        strict(s);
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(s);
    }

    /** Unknown fields are errors (like kubectl's strict field validation), so typos are caught. */
    private static void strict(JsonNode node) {
        if (node instanceof ObjectNode o) {
            if (o.has("properties") && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                strict(it.next().getValue());
            }
        } else if (node != null && node.isArray()) {
            node.forEach(NotebookImageTest::strict);
        }
    }

    @Test
    void sampleNotebookValidatesAgainstTheCrd() throws Exception {
        JsonNode sample = yaml.readTree(MODULE.resolve("docker/notebook.yaml").toFile());
        assertThat(sample.path("apiVersion").asText()).isEqualTo("kubeflow.org/v1");
        assertThat(sample.path("kind").asText()).isEqualTo("Notebook");
        Set<ValidationMessage> errors = schema().validate(sample);
        assertThat(errors).isEmpty();
        JsonNode container = sample.at("/spec/template/spec/containers/0");
        assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(8888);
        assertThat(sample.at("/spec/template/spec/securityContext/runAsUser").asInt()).isEqualTo(1000);
    }

    @Test
    void schemaRejectsABrokenNotebook() throws Exception {
        ObjectNode broken = (ObjectNode) yaml.readTree(MODULE.resolve("docker/notebook.yaml").toFile());
        ((ObjectNode) broken.at("/spec/template/spec/containers/0")).remove("name");
        ((ObjectNode) broken.at("/spec/template/spec/containers/0")).put("imagePulPolicy", "Always");
        assertThat(schema().validate(broken)).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void dockerfileFollowsTheKubeflowImageContract() throws Exception {
        String df = Files.readString(MODULE.resolve("docker/Dockerfile"));
        assertThat(df).contains("NB_UID=1000").contains("USER ${NB_UID}").contains("EXPOSE 8888")
                .contains("--ServerApp.base_url=\\\"${NB_PREFIX}\\\"").contains("--port=8888");
        // The kernel is installed system-wide, not under the home volume that Kubeflow mounts.
        assertThat(df).contains("kale4j install --prefix /opt/jupyter").doesNotContain("install --user");
    }
}
