package dev.kale4j.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.common.UserError;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.ArrayList;

/**
 * Notebook-level cluster settings from {@code metadata.kubeflow_notebook.cluster} (kale4j's key; Kale has
 * no equivalent). Every key is optional:
 * <pre>
 * "cluster": {
 *   "data_passing": "artifacts" | "volume",
 *   "service_account": "kale4j-runner",
 *   "node_selector": {"pool": "gpu"},
 *   "tolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
 *   "requests": {"cpu": "500m", "memory": "1Gi"},
 *   "workspace": {"size": "1Gi", "storage_class": "standard", "access_mode": "ReadWriteOnce",
 *                 "claim_name": "existing-pvc"},
 *   "snapshot": {"repo": "s3://bucket/prefix", "s3_endpoint": "http://minio:9000", "s3_secret": "kale4j-s3",
 *                "volume_snapshot_class": "csi-snapclass"},
 *   "cache_max_age": "720h",
 *   "argo_ui": "https://argo.example.com",
 *   "kfp_ui": "https://kubeflow.example.com/pipeline",
 *   "namespace": "team-a"
 * }
 * </pre>
 * Unknown keys are errors, so a misspelling is not silently ignored. {@code argo_ui} and {@code kfp_ui} are the
 * base addresses of the Argo and KFP UIs, used by the JupyterLab extension to link to a cluster run (the env
 * variables {@code KALE4J_ARGO_UI} / {@code KALE4J_KFP_UI} take precedence, see {@link #uiBase});
 * {@code namespace} is where the kernel (JupyterLab) submits runs unless the request names one.
 */
public record ClusterSettings(
        DataPassing dataPassing,
        String serviceAccount,
        Map<String, String> nodeSelector,
        List<Toleration> tolerations,
        Map<String, String> requests,
        Workspace workspace,
        Snapshot snapshot,
        String cacheMaxAge,
        String argoUi,
        String kfpUi,
        String namespace) {

    public static final String KEY = "cluster";
    private static final Set<String> KEYS = Set.of("data_passing", "service_account", "node_selector", "tolerations",
            "requests", "workspace", "snapshot", "cache_max_age", "argo_ui", "kfp_ui",
            "namespace");
    /** How long an Argo memoization entry of a {@code cache:enabled} step stays valid unless the notebook says. */
    public static final String DEFAULT_CACHE_MAX_AGE = "720h";
    private static final Set<String> TOLERATION_KEYS = Set.of("key", "operator", "value", "effect", "tolerationSeconds");
    private static final Set<String> WORKSPACE_KEYS = Set.of("size", "storage_class", "access_mode", "claim_name");
    private static final Set<String> SNAPSHOT_KEYS = Set.of("repo", "s3_endpoint", "s3_secret", "volume_snapshot_class");

    public ClusterSettings {
        nodeSelector = Map.copyOf(nodeSelector);
        tolerations = List.copyOf(tolerations);
        requests = Map.copyOf(requests);
    }

    /**
     * The workspace volume for {@code volume} data passing (and the step's working directory).
     *
     * @param claimName an existing PVC to use; {@code null} creates one per run
     */
    public record Workspace(String size, String storageClass, String accessMode, String claimName) {
        public boolean readWriteMany() {
            return "ReadWriteMany".equals(accessMode);
        }
    }

    /**
     * Where step snapshots go: a snapshot-agent repository ({@code repo}, s3://...) or CSI VolumeSnapshots of
     * the workspace PVC ({@code volumeSnapshotClass}). Both {@code null}: no snapshots on the cluster.
     *
     * @param s3Secret a Secret with {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}
     */
    public record Snapshot(String repo, String s3Endpoint, String s3Secret, String volumeSnapshotClass) {
        public boolean enabled() {
            return repo != null || volumeSnapshotClass != null;
        }
    }

    public static ClusterSettings of(Notebook notebook) {
        String file = notebook.path().getFileName().toString();
        JsonNode c = notebook.settings().raw().get(KEY);
        if (c == null || c.isNull()) {
            c = notebook.settings().raw().objectNode();
        }
        String where = file + ": metadata.kubeflow_notebook." + KEY;
        if (!c.isObject()) {
            throw new UserError(where + " must be an object");
        }
        checkKeys(c, KEYS, where);
        DataPassing passing = c.hasNonNull("data_passing")
                ? DataPassing.parse(c.get("data_passing").asText(), where + ".data_passing") : DataPassing.ARTIFACTS;
        List<Toleration> tolerations = new ArrayList<>();
        JsonNode t = c.get("tolerations");
        if (t != null && !t.isNull()) {
            if (!t.isArray()) {
                throw new UserError(where + ".tolerations must be a list of {key, operator, value, effect}");
            }
            for (JsonNode e : t) {
                checkKeys(e, TOLERATION_KEYS, where + ".tolerations[]");
                tolerations.add(new TolerationBuilder().withKey(text(e, "key")).withOperator(text(e, "operator"))
                        .withValue(text(e, "value")).withEffect(text(e, "effect"))
                        .withTolerationSeconds(e.hasNonNull("tolerationSeconds") ? e.get("tolerationSeconds").asLong() : null)
                        .build());
            }
        }
        JsonNode w = c.path("workspace");
        Workspace workspace = new Workspace("1Gi", null, "ReadWriteOnce", null);
        if (w.isObject()) {
            checkKeys(w, WORKSPACE_KEYS, where + ".workspace");
            String mode = w.hasNonNull("access_mode") ? w.get("access_mode").asText() : "ReadWriteOnce";
            if (!Set.of("ReadWriteOnce", "ReadWriteMany", "ReadWriteOncePod").contains(mode)) {
                throw new UserError(where + ".workspace.access_mode must be ReadWriteOnce, ReadWriteOncePod or"
                        + " ReadWriteMany, not \"" + mode + "\"");
            }
            workspace = new Workspace(w.hasNonNull("size") ? w.get("size").asText() : "1Gi", text(w, "storage_class"),
                    mode, text(w, "claim_name"));
        }
        JsonNode s = c.path("snapshot");
        Snapshot snapshot = new Snapshot(null, null, null, null);
        if (s.isObject()) {
            checkKeys(s, SNAPSHOT_KEYS, where + ".snapshot");
            String repo = text(s, "repo");
            if (repo != null && !repo.startsWith("s3://")) {
                throw new UserError(where + ".snapshot.repo must be an s3:// URI (a step container has no other shared"
                        + " storage), not \"" + repo + "\"");
            }
            snapshot = new Snapshot(repo, text(s, "s3_endpoint"), text(s, "s3_secret"), text(s, "volume_snapshot_class"));
        }
        String maxAge = text(c, "cache_max_age");
        if (maxAge == null) {
            maxAge = DEFAULT_CACHE_MAX_AGE;
        } else if (!maxAge.matches("[1-9][0-9]*(s|m|h)")) {
            // Argo parses maxAge as a Go duration; days are not one.
            throw new UserError(where + ".cache_max_age must be a number of seconds, minutes or hours such as"
                    + " \"180s\", \"30m\" or \"720h\", not \"" + maxAge + "\"");
        }
        return new ClusterSettings(passing, text(c, "service_account"), stringMap(c.get("node_selector"),
                where + ".node_selector"), tolerations, stringMap(c.get("requests"), where + ".requests"), workspace,
                snapshot, maxAge, url(c, "argo_ui", where), url(c, "kfp_ui", where), namespace(c, where));
    }

    /**
     * The base address of the UI of {@code target} ("argo" or "kfp") for links to runs: the env variable
     * ({@code KALE4J_ARGO_UI} / {@code KALE4J_KFP_UI}, from {@code env}) if set, else this notebook's setting,
     * else {@code null}. Trailing slashes are removed.
     */
    public String uiBase(String target, java.util.function.Function<String, String> env) {
        String fromEnv = env.apply("argo".equals(target) ? "KALE4J_ARGO_UI" : "KALE4J_KFP_UI");
        String base = fromEnv != null && !fromEnv.isBlank() ? fromEnv.strip() : "argo".equals(target) ? argoUi : kfpUi;
        return base == null ? null : base.replaceAll("/+$", "");
    }

    private static String namespace(JsonNode node, String where) {
        String v = text(node, "namespace");
        if (v != null && !v.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new UserError(where + ".namespace must be a Kubernetes namespace name (lower case letters, digits"
                    + " and -), not \"" + v + "\"");
        }
        return v;
    }

    private static String url(JsonNode node, String key, String where) {
        String v = text(node, key);
        if (v != null && !v.matches("https?://\\S+")) {
            throw new UserError(where + "." + key + " must be the UI's http:// or https:// address, not \"" + v + "\"");
        }
        return v;
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        if (!node.isObject()) {
            throw new UserError(where + " must be an object");
        }
        node.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                throw new UserError(where + ": unknown key \"" + k + "\"; known keys are "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        });
    }

    private static Map<String, String> stringMap(JsonNode node, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!(node instanceof ObjectNode o)) {
            throw new UserError(where + " must be an object of strings");
        }
        o.fields().forEachRemaining(e -> {
            if (!e.getValue().isValueNode()) {
                throw new UserError(where + "." + e.getKey() + " must be a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }
}
