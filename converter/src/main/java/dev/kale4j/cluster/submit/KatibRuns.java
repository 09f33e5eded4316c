package dev.kale4j.cluster.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.cluster.Manifests;
import dev.kale4j.common.UserError;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Katib Experiments through the Kubernetes API: create one, follow its trials, report the best parameters. */
public final class KatibRuns {
    public static final ResourceDefinitionContext EXPERIMENTS = new ResourceDefinitionContext.Builder()
            .withGroup("kubeflow.org").withVersion("v1beta1").withKind("Experiment").withPlural("experiments")
            .withNamespaced(true).build();
    static final String RESOURCE = "Experiment (kubeflow.org/v1beta1)";
    static final String INSTALL = "install Katib (docs/cluster.md; it ships with Kubeflow)";

    /**
     * @param condition the last condition whose status is True (Created, Running, Succeeded, Failed)
     * @param bestParameters the current optimal trial's parameter values
     * @param bestMetrics    its observed metrics (latest values)
     */
    public record ExperimentStatus(String name, String condition, int trials, int succeeded, int failed, int running,
                                   String bestTrial, Map<String, String> bestParameters,
                                   Map<String, String> bestMetrics) {
        public boolean finished() {
            return "Succeeded".equals(condition) || "Failed".equals(condition);
        }
    }

    private final KubernetesClient client;
    private final Duration poll;

    public KatibRuns(KubernetesClient client, Duration poll) {
        this.client = client;
        this.poll = poll;
    }

    public String create(ObjectNode experiment, String namespace) {
        GenericKubernetesResource res = Manifests.jsonMapper().convertValue(experiment, GenericKubernetesResource.class);
        res.getMetadata().setNamespace(namespace);
        try {
            return client.genericKubernetesResources(EXPERIMENTS).inNamespace(namespace).resource(res).create()
                    .getMetadata().getName();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new UserError("cannot create Experiment " + res.getMetadata().getName() + ": it already exists in"
                        + " namespace " + namespace + " (409). Delete it (kubectl delete experiment "
                        + res.getMetadata().getName() + " -n " + namespace + ") or rename the pipeline");
            }
            throw fail(e, "create Experiment " + res.getMetadata().getName(), namespace);
        }
    }

    public ExperimentStatus get(String name, String namespace) {
        try {
            GenericKubernetesResource r = client.genericKubernetesResources(EXPERIMENTS).inNamespace(namespace)
                    .withName(name).get();
            if (r == null) {
                throw new UserError("Experiment " + name + " does not exist in namespace " + namespace);
            }
            return status(Manifests.jsonMapper().valueToTree(r));
        } catch (KubernetesClientException e) {
            throw fail(e, "read Experiment " + name, namespace);
        }
    }

    /** Polls until the experiment succeeds or fails (or {@code timeout}), reporting trial counts as they change. */
    public ExperimentStatus watch(String name, String namespace, Duration timeout, Consumer<String> out)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (true) {
            ExperimentStatus s = get(name, namespace);
            String line = name + ": " + (s.condition() == null ? "Pending" : s.condition()) + ", trials " + s.trials()
                    + " (" + s.succeeded() + " succeeded, " + s.running() + " running, " + s.failed() + " failed)";
            if (!line.equals(last)) {
                out.accept(line);
                last = line;
            }
            if (s.finished() || System.nanoTime() > deadline) {
                return s;
            }
            Thread.sleep(poll.toMillis());
        }
    }

    static ExperimentStatus status(JsonNode exp) {
        JsonNode st = exp.path("status");
        String condition = null;
        for (JsonNode c : st.path("conditions")) {
            if ("True".equals(c.path("status").asText())) {
                condition = c.path("type").asText();
            }
        }
        JsonNode best = st.path("currentOptimalTrial");
        Map<String, String> params = new LinkedHashMap<>();
        best.path("parameterAssignments").forEach(p -> params.put(p.path("name").asText(), p.path("value").asText()));
        Map<String, String> metrics = new LinkedHashMap<>();
        best.path("observation").path("metrics").forEach(m -> metrics.put(m.path("name").asText(),
                m.path("latest").asText(m.path("value").asText())));
        return new ExperimentStatus(exp.path("metadata").path("name").asText(), condition, st.path("trials").asInt(),
                st.path("trialsSucceeded").asInt(), st.path("trialsFailed").asInt(), st.path("trialsRunning").asInt(),
                best.path("bestTrialName").asText(null), params, metrics);
    }

    private UserError fail(KubernetesClientException e, String action, String namespace) {
        return ClusterErrors.kubernetes(e, action, namespace, RESOURCE, INSTALL, client.getMasterUrl());
    }
}
