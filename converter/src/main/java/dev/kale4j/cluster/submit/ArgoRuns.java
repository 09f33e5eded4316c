package dev.kale4j.cluster.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kale4j.cluster.Manifests;
import dev.kale4j.cluster.argo.Argo;
import dev.kale4j.cluster.argo.ArgoCompiler;
import dev.kale4j.common.UserError;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.volumesnapshot.api.model.VolumeSnapshot;
import io.fabric8.volumesnapshot.client.VolumeSnapshotClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Argo Workflows through the Kubernetes API (fabric8; kubeconfig or in-cluster service account): create a
 * Workflow, watch it while streaming per-step status, and list/get/logs/delete kale4j's runs.
 */
public final class ArgoRuns {
    public static final ResourceDefinitionContext WORKFLOWS = new ResourceDefinitionContext.Builder()
            .withGroup("argoproj.io").withVersion("v1alpha1").withKind("Workflow").withPlural("workflows")
            .withNamespaced(true).build();
    static final String RESOURCE = "Workflow (argoproj.io/v1alpha1)";
    static final String INSTALL = "install Argo Workflows in the cluster (docs/cluster.md), or use --target kfp on a"
            + " Kubeflow cluster";
    private static final ObjectMapper JSON = Manifests.jsonMapper();

    private final KubernetesClient client;
    private final Duration refresh;

    public ArgoRuns(KubernetesClient client) {
        this(client, Duration.ofSeconds(5));
    }

    /** @param refresh how often the watch re-reads the workflow in case the watch connection dropped */
    public ArgoRuns(KubernetesClient client, Duration refresh) {
        this.client = client;
        this.refresh = refresh;
    }

    /** Creates the workflow with {@code params} as its argument values; returns the generated name. */
    public String submit(Argo.Workflow workflow, Map<String, String> params, String namespace) {
        List<Argo.Parameter> args = new ArrayList<>();
        for (Argo.Parameter p : workflow.spec().arguments().parameters()) {
            args.add(params.containsKey(p.name())
                    ? new Argo.Parameter(p.name(), params.get(p.name()), p.defaultValue(), p.valueFrom(), p.description())
                    : p);
        }
        GenericKubernetesResource res = JSON.convertValue(workflow, GenericKubernetesResource.class);
        Map<String, Object> spec = res.get("spec");
        spec.put("arguments", JSON.convertValue(Argo.Arguments.ofParameters(args), Map.class));
        res.getMetadata().setNamespace(namespace);
        try {
            return client.genericKubernetesResources(WORKFLOWS).inNamespace(namespace).resource(res).create()
                    .getMetadata().getName();
        } catch (KubernetesClientException e) {
            throw fail(e, "create Workflow " + workflow.metadata().getGenerateName() + "...", namespace);
        }
    }

    /**
     * Watches the workflow until it finishes or {@code timeout} passes, calling {@code out} with one line per
     * step phase change. Returns the last status seen.
     */
    public RunStatus watch(String name, String namespace, Duration timeout, Consumer<String> out)
            throws InterruptedException {
        Map<String, String> seen = new HashMap<>();
        String[] phase = {null};
        RunStatus status = follow(name, namespace, timeout, s -> {
            if (s.phase() != null && !s.phase().equals(phase[0])) {
                phase[0] = s.phase();
                out.accept(name + ": " + phase[0] + (s.message() == null ? "" : " (" + s.message() + ")"));
            }
            for (RunStatus.StepStatus st : s.steps()) {
                if (!st.phase().equals(seen.put(st.step(), st.phase()))) {
                    out.accept("  " + st.step() + ": " + st.phase()
                            + (st.message() == null || st.message().isBlank() ? "" : " (" + st.message() + ")"));
                }
            }
        });
        if (status == null || !status.finished()) {
            out.accept(name + ": still " + phase[0] + " after " + timeout.toSeconds() + "s; follow it with"
                    + " kale4j runs get " + name);
        }
        return status;
    }

    /**
     * Follows the workflow until it finishes or {@code timeout} passes: {@code onStatus} gets every state read
     * (from the watch, or re-read every refresh interval). Returns the last status seen. An interrupt ends it
     * with {@link InterruptedException}; the workflow itself goes on.
     */
    public RunStatus follow(String name, String namespace, Duration timeout, Consumer<RunStatus> onStatus)
            throws InterruptedException {
        BlockingQueue<GenericKubernetesResource> events = new LinkedBlockingQueue<>();
        Watch watch;
        try {
            watch = client.genericKubernetesResources(WORKFLOWS).inNamespace(namespace).withName(name)
                    .watch(new Watcher<>() {
                        @Override
                        public void eventReceived(Action action, GenericKubernetesResource resource) {
                            if (action != Action.DELETED) {
                                events.add(resource);
                            }
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            // The loop below re-reads the workflow every refresh interval.
                        }
                    });
        } catch (KubernetesClientException e) {
            throw fail(e, "watch Workflow " + name, namespace);
        }
        RunStatus status = null;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            GenericKubernetesResource current = fetch(name, namespace);
            while (true) {
                if (current != null) {
                    status = status(current);
                    onStatus.accept(status);
                    if (status.finished()) {
                        return status;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return status;
                }
                current = events.poll(Math.min(left, refresh.toNanos()), TimeUnit.NANOSECONDS);
                if (current == null) {
                    current = fetch(name, namespace);
                }
            }
        } finally {
            watch.close();
        }
    }

    /**
     * Stops the workflow the way {@code argo stop} does: sets {@code spec.shutdown: Stop}, so the controller
     * runs no new steps, ends the running ones and runs exit handlers; the workflow then ends Failed.
     */
    public void stop(String name, String namespace) {
        try {
            GenericKubernetesResource r = client.genericKubernetesResources(WORKFLOWS).inNamespace(namespace)
                    .withName(name).edit(wf -> {
                        Map<String, Object> spec = wf.get("spec");
                        spec.put("shutdown", "Stop");
                        return wf;
                    });
            if (r == null) {
                throw new UserError("Workflow " + name + " does not exist in namespace " + namespace);
            }
        } catch (KubernetesClientException e) {
            throw fail(e, "stop Workflow " + name, namespace);
        }
    }

    /**
     * Whether the cluster serves Argo's Workflow resource: {@code null} when it does, else why not (no CRD, no
     * right to read it, unreachable ...), as a sentence for the user.
     */
    public String unavailable(String namespace) {
        try {
            client.genericKubernetesResources(WORKFLOWS).inNamespace(namespace)
                    .list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build());
            return null;
        } catch (KubernetesClientException e) {
            return fail(e, "list Workflows", namespace).getMessage();
        }
    }

    private GenericKubernetesResource fetch(String name, String namespace) {
        try {
            GenericKubernetesResource r = client.genericKubernetesResources(WORKFLOWS).inNamespace(namespace)
                    .withName(name).get();
            if (r == null) {
                throw new UserError("Workflow " + name + " does not exist in namespace " + namespace
                        + " (deleted?); list runs with kale4j runs list -n " + namespace);
            }
            return r;
        } catch (KubernetesClientException e) {
            throw fail(e, "read Workflow " + name, namespace);
        }
    }

    /** kale4j's workflows in the namespace, newest first. */
    public List<RunStatus> list(String namespace) {
        try {
            List<RunStatus> out = new ArrayList<>();
            for (GenericKubernetesResource r : client.genericKubernetesResources(WORKFLOWS).inNamespace(namespace)
                    .withLabel(ArgoCompiler.PIPELINE_LABEL).list().getItems()) {
                out.add(status(r));
            }
            out.sort(Comparator.comparing((RunStatus s) -> String.valueOf(s.startedAt())).reversed());
            return out;
        } catch (KubernetesClientException e) {
            throw fail(e, "list Workflows", namespace);
        }
    }

    /** The run with, per step, its metrics and snapshot (agent snapshot id or CSI VolumeSnapshot name). */
    public RunStatus get(String name, String namespace) {
        RunStatus s = status(fetch(name, namespace));
        Map<String, String> volumeSnapshots = volumeSnapshots(name, namespace);
        if (volumeSnapshots.isEmpty()) {
            return s;
        }
        List<RunStatus.StepStatus> steps = new ArrayList<>();
        for (RunStatus.StepStatus st : s.steps()) {
            String vs = volumeSnapshots.get(st.step());
            steps.add(vs == null ? st : new RunStatus.StepStatus(st.step(), st.phase(), st.message(), st.metrics(), vs,
                    st.durationMs()));
        }
        return new RunStatus(s.name(), s.pipeline(), s.phase(), s.message(), s.startedAt(), s.finishedAt(), steps);
    }

    /** VolumeSnapshots the run's snapshot tasks created, by step: "name (ready)" or "name (not ready)". */
    Map<String, String> volumeSnapshots(String run, String namespace) {
        Map<String, String> out = new HashMap<>();
        try {
            for (VolumeSnapshot vs : client.adapt(VolumeSnapshotClient.class).volumeSnapshots().inNamespace(namespace)
                    .withLabel("kale4j.dev/run", run).list().getItems()) {
                String step = vs.getMetadata().getLabels().get(ArgoCompiler.STEP_LABEL);
                boolean ready = vs.getStatus() != null && Boolean.TRUE.equals(vs.getStatus().getReadyToUse());
                out.put(step, "VolumeSnapshot " + vs.getMetadata().getName() + (ready ? " (ready)" : " (not ready)"));
            }
        } catch (KubernetesClientException e) {
            // No VolumeSnapshot CRD (404) or no right to list them: the run simply has none to show.
            if (e.getCode() != 404 && e.getCode() != 403) {
                throw ClusterErrors.kubernetes(e, "list VolumeSnapshots of " + run, namespace,
                        "VolumeSnapshot (snapshot.storage.k8s.io/v1)", "install the CSI snapshot CRDs",
                        client.getMasterUrl());
            }
        }
        return out;
    }

    /** The logs of the run's step pods (main container), optionally of one step. */
    public String logs(String name, String namespace, String step) {
        try {
            var pods = client.pods().inNamespace(namespace).withLabel("workflows.argoproj.io/workflow", name);
            if (step != null) {
                pods = pods.withLabel(ArgoCompiler.STEP_LABEL, step.replace('_', '-'));
            }
            List<Pod> items = new ArrayList<>(pods.list().getItems());
            if (items.isEmpty()) {
                throw new UserError("no pods for run " + name + (step == null ? "" : " step " + step) + " in namespace "
                        + namespace + " (not started yet, or garbage-collected)");
            }
            items.sort(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp())));
            StringBuilder sb = new StringBuilder();
            for (Pod p : items) {
                String stepName = p.getMetadata().getLabels().getOrDefault(ArgoCompiler.STEP_LABEL, p.getMetadata().getName());
                sb.append("==> ").append(stepName).append(" (").append(p.getMetadata().getName()).append(") <==\n");
                String log = client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).inContainer("main")
                        .getLog();
                sb.append(log == null ? "" : log);
                if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n') {
                    sb.append('\n');
                }
            }
            return sb.toString();
        } catch (KubernetesClientException e) {
            throw ClusterErrors.kubernetes(e, "read the logs of " + name, namespace, "Pod", "check the cluster",
                    client.getMasterUrl());
        }
    }

    public void delete(String name, String namespace) {
        try {
            var deleted = client.genericKubernetesResources(WORKFLOWS).inNamespace(namespace).withName(name).delete();
            if (deleted.isEmpty()) {
                throw new UserError("Workflow " + name + " does not exist in namespace " + namespace);
            }
        } catch (KubernetesClientException e) {
            throw fail(e, "delete Workflow " + name, namespace);
        }
    }

    /** Reads phase and per-step nodes from a Workflow's status. */
    static RunStatus status(GenericKubernetesResource r) {
        JsonNode wf = JSON.valueToTree(r);
        JsonNode st = wf.path("status");
        List<RunStatus.StepStatus> steps = new ArrayList<>();
        List<JsonNode> nodes = new ArrayList<>();
        st.path("nodes").forEach(nodes::add);
        nodes.sort(Comparator.comparing((JsonNode n) -> n.path("startedAt").asText(""))
                .thenComparing(n -> n.path("displayName").asText("")));
        for (JsonNode n : nodes) {
            String type = n.path("type").asText();
            if (!type.equals("Pod") && !type.equals("Skipped") && !type.equals("Retry")) {
                continue;
            }
            String display = n.path("displayName").asText(n.path("name").asText());
            String metrics = null;
            String snapshot = null;
            for (JsonNode p : n.path("outputs").path("parameters")) {
                String value = p.path("value").asText(null);
                if ("metrics".equals(p.path("name").asText()) && value != null && !value.equals("{}")) {
                    metrics = value;
                } else if ("snapshot".equals(p.path("name").asText()) && value != null && !value.equals("{}")) {
                    snapshot = snapshotId(value);
                }
            }
            // A memoization hit is a Succeeded node that never ran: say so, as the local runner does.
            String stepPhase = n.path("memoizationStatus").path("hit").asBoolean(false) ? "Cached"
                    : n.path("phase").asText("Pending");
            steps.add(new RunStatus.StepStatus(display, stepPhase, n.path("message").asText(null), metrics, snapshot,
                    durationMs(n.path("startedAt").asText(null), n.path("finishedAt").asText(null))));
        }
        String pipeline = wf.path("metadata").path("labels").path(ArgoCompiler.PIPELINE_LABEL).asText(null);
        String phase = st.path("phase").asText(null);
        return new RunStatus(wf.path("metadata").path("name").asText(), pipeline,
                phase == null || phase.isEmpty() ? "Pending" : phase, st.path("message").asText(null),
                st.path("startedAt").asText(null), st.path("finishedAt").asText(null), steps);
    }

    static long durationMs(String startedAt, String finishedAt) {
        try {
            return startedAt == null || finishedAt == null || startedAt.isEmpty() || finishedAt.isEmpty() ? 0
                    : Math.max(0, Duration.between(java.time.Instant.parse(startedAt), java.time.Instant.parse(finishedAt))
                            .toMillis());
        } catch (java.time.format.DateTimeParseException e) {
            return 0;
        }
    }

    /** The snapshot agent prints its summary as JSON; the id is what {@code kale4j snapshot restore} needs. */
    static String snapshotId(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return n.has("id") ? "snapshot " + n.get("id").asText() : json;
        } catch (Exception e) {
            return json;
        }
    }

    private UserError fail(KubernetesClientException e, String action, String namespace) {
        return ClusterErrors.kubernetes(e, action, namespace, RESOURCE, INSTALL, client.getMasterUrl());
    }
}
