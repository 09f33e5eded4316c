package dev.kale4j.cluster.argo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Map;

/**
 * The part of the Argo Workflows model ({@code argoproj.io/v1alpha1}) kale4j writes. Argo publishes no Java
 * model; Kubernetes core types (containers, volumes, tolerations) come from fabric8, the rest are records
 * whose component names are the JSON keys. Tests validate the output against Argo's JSON schema and check
 * every key against it (the schema allows unknown keys, the controller silently drops them).
 */
public final class Argo {
    public static final String API_VERSION = "argoproj.io/v1alpha1";

    private Argo() {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Workflow(String apiVersion, String kind, ObjectMeta metadata, WorkflowSpec spec) {
    }

    /**
     * @param podMetadata labels/annotations on every pod of the workflow
     * @param affinity    pins steps to one node with a ReadWriteOnce workspace
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record WorkflowSpec(String entrypoint, Arguments arguments, String serviceAccountName,
                               List<Template> templates, List<PersistentVolumeClaim> volumeClaimTemplates,
                               List<Volume> volumes, Map<String, String> nodeSelector, List<Toleration> tolerations,
                               Affinity affinity, PodMetadata podMetadata, PodGC podGC) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record PodGC(String strategy) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Arguments(List<Parameter> parameters, List<Artifact> artifacts) {
        public static Arguments ofParameters(List<Parameter> parameters) {
            return new Arguments(parameters, List.of());
        }
    }

    /** A workflow argument, template input or output parameter. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Parameter(String name, String value, @JsonProperty("default") String defaultValue,
                            ValueFrom valueFrom, String description) {
        public static Parameter of(String name, String value) {
            return new Parameter(name, value, null, null, null);
        }

        public static Parameter input(String name) {
            return new Parameter(name, null, null, null, null);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record ValueFrom(String path, @JsonProperty("default") String defaultValue) {
    }

    /** An input or output artifact; {@code from} passes an upstream task's output. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Artifact(String name, String path, String from, Boolean optional, ArchiveStrategy archive) {
    }

    /** {@code archive: {none: {}}}: step artifacts are single files, tar-gzipping them only costs time. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ArchiveStrategy(Map<String, Object> none) {
        public static final ArchiveStrategy NONE = new ArchiveStrategy(Map.of());
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Template(String name, Inputs inputs, Outputs outputs, PodMetadata metadata, DagTemplate dag,
                           Container container, ResourceTemplate resource, RetryStrategy retryStrategy,
                           String activeDeadlineSeconds, Affinity affinity, Memoize memoize) {
        public Template withoutMemoize() {
            return new Template(name, inputs, outputs, metadata, dag, container, resource, retryStrategy,
                    activeDeadlineSeconds, affinity, null);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Inputs(List<Parameter> parameters, List<Artifact> artifacts) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Outputs(List<Parameter> parameters, List<Artifact> artifacts) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record PodMetadata(Map<String, String> labels, Map<String, String> annotations) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record DagTemplate(List<DagTask> tasks) {
    }

    /** {@code dependencies} are the resolved step edges: Argo runs tasks without a path between them in parallel. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record DagTask(String name, String template, List<String> dependencies, Arguments arguments) {
    }

    /** {@code limit} is an IntOrString; retries follow Kale's semantics (extra attempts after a failure). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record RetryStrategy(String limit, String retryPolicy) {
    }

    /** A template that creates a Kubernetes object (the CSI VolumeSnapshot of the workspace). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record ResourceTemplate(String action, String manifest, String successCondition, String failureCondition) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Memoize(String key, Cache cache, String maxAge) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Cache(ConfigMapRef configMap) {
    }

    /**
     * Argo 3.x types the cache as a ConfigMapKeySelector whose {@code key} is required (and unused: entries are
     * keyed by {@code memoize.key}); 4.x made it a plain reference. Writing both keeps one manifest valid for both.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record ConfigMapRef(String name, String key) {
        public static ConfigMapRef of(String name) {
            return new ConfigMapRef(name, "kale4j");
        }
    }
}
