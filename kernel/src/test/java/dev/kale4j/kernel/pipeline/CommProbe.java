package dev.kale4j.kernel.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.kernel.engine.CollectingOutput;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Drives the kale4j comm target (locally, or with a cluster: a fabric8 mock API server) and collects what it sends. */
final class CommProbe {
    static final ObjectMapper JSON = new ObjectMapper();

    /** What the pipeline support printed as cell output. */
    final StringBuffer printed = new StringBuffer();
    final PipelineSupport support = new PipelineSupport(new CollectingOutput(printed, false), null, JSON);
    private final BlockingQueue<ObjectNode> sent = new LinkedBlockingQueue<>();
    /** Messages read while looking for another one, in order. */
    final List<ObjectNode> seen = new ArrayList<>();

    /** Local runs only. */
    CommProbe() {
    }

    CommProbe(KubernetesClient client, String configProblem, Map<String, String> env) {
        support.cluster(new ClusterRuns(JSON, () -> client, () -> configProblem, env::get, Duration.ofMillis(200)));
    }

    /** A notebook with a parameters cell (top = 3) and steps prepare -> {count, report}; {@code cluster} settings. */
    static Path notebook(Path dir, Map<String, String> cluster) throws Exception {
        ObjectNode nb = (ObjectNode) JSON.readTree(PipelineCommTest.notebook(
                "pipeline-parameters", "int top = 3;",
                "step:prepare", "String text = \"a b a\";",
                "step:count prev:prepare", "int n = text.split(\" \").length + top;",
                "step:report prev:prepare", "System.out.println(text);"));
        ObjectNode c = ((ObjectNode) nb.get("metadata")).putObject("kubeflow_notebook").put("pipeline_name", "word-count")
                .putObject("cluster");
        cluster.forEach(c::put);
        Path p = dir.resolve("wc.ipynb");
        Files.writeString(p, JSON.writeValueAsString(nb));
        return p;
    }

    static ObjectNode request(String action, Object... kv) {
        ObjectNode r = JSON.createObjectNode().put("action", action).put("request_id", action + "-" + System.nanoTime());
        for (int i = 0; i < kv.length; i += 2) {
            r.set((String) kv[i], JSON.valueToTree(kv[i + 1]));
        }
        return r;
    }

    /** Sends a request and returns its reply (messages sent before it are kept in {@link #seen}). */
    ObjectNode call(ObjectNode request) throws Exception {
        support.handle(request, sent::add);
        return next(m -> request.path("request_id").asText().equals(m.path("request_id").asText()), 10);
    }

    ObjectNode next(Predicate<ObjectNode> which, int seconds) throws InterruptedException {
        for (ObjectNode m : seen) {
            if (which.test(m)) {
                seen.remove(m);
                return m;
            }
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            ObjectNode m = sent.poll(50, TimeUnit.MILLISECONDS);
            if (m == null) {
                continue;
            }
            if (which.test(m)) {
                return m;
            }
            seen.add(m);
        }
        throw new AssertionError("no such message in " + seconds + " s; seen: " + seen);
    }

    /** The next run_progress of {@code step} with {@code status}. */
    ObjectNode progress(String step, String status) throws InterruptedException {
        return next(m -> m.path("action").asText().equals("run_progress") && m.path("step").asText().equals(step)
                && m.path("status").asText().equals(status), 10);
    }

    static List<String> texts(ArrayNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }
}
