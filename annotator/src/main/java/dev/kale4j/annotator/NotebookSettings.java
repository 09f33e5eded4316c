package dev.kale4j.annotator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Pipeline settings from {@code metadata.kubeflow_notebook}, with Kale's key names so existing Kale
 * notebooks load. Keys kale4j does not model are kept in {@link #raw()} for the cluster compilers.
 *
 * @param stepsDefaults tags applied to every step before its own tags (Kale's {@code steps_defaults})
 * @param volumes       Kale's volume list, raw
 * @param raw           the whole {@code kubeflow_notebook} object (empty when absent)
 */
public record NotebookSettings(
        String pipelineName,
        String experimentName,
        String pipelineDescription,
        String dockerImage,
        List<String> stepsDefaults,
        JsonNode volumes,
        boolean snapshots,
        ObjectNode raw) {

    public NotebookSettings {
        stepsDefaults = List.copyOf(stepsDefaults);
    }

    /** Reads Kale's keys; {@code defaultName} (the file name) is used when {@code pipeline_name} is absent. */
    static NotebookSettings from(JsonNode kubeflowNotebook, String defaultName, String file) {
        ObjectNode raw = kubeflowNotebook instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
        String experiment = text(raw, "experiment_name");
        if (experiment == null && raw.path("experiment").isObject()) {
            experiment = text(raw.get("experiment"), "name");
        }
        List<String> defaults = new ArrayList<>();
        JsonNode sd = raw.get("steps_defaults");
        if (sd != null && !sd.isNull()) {
            if (!sd.isArray()) {
                throw new InvalidNotebookException(file + ": metadata.kubeflow_notebook.steps_defaults must be a list of"
                        + " tags such as \"label:team:ml\", not " + sd.getNodeType().toString().toLowerCase());
            }
            // Kale also writes objects here in some versions; only tag strings carry meaning for steps.
            sd.forEach(n -> {
                if (n.isTextual()) {
                    defaults.add(n.asText());
                }
            });
        }
        String name = text(raw, "pipeline_name");
        boolean snapshots = !raw.has("snapshot_volumes") || raw.get("snapshot_volumes").asBoolean(true);
        return new NotebookSettings(
                name == null || name.isBlank() ? defaultName : name,
                experiment,
                text(raw, "pipeline_description"),
                text(raw, "docker_image"),
                defaults,
                raw.get("volumes"),
                snapshots,
                raw);
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = node == null ? null : node.get(key);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }
}
