package dev.kale4j.kernel.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Comm runs on Kubeflow Pipelines against a small fake of the KFP REST API v2beta1; the test plays the run. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KfpCommTest {
    @TempDir
    Path dir;

    HttpServer server;
    /** "METHOD path" of every request, and the body of the run creation. */
    final List<String> requests = new CopyOnWriteArrayList<>();
    volatile JsonNode createdRun;
    /** What GET /runs/kfp-run-1 answers. */
    volatile ObjectNode run = state("PENDING");
    volatile int healthz = 200;

    static ObjectNode state(String state, String... tasks) {
        ObjectNode r = CommProbe.JSON.createObjectNode().put("run_id", "kfp-run-1").put("state", state);
        r.putObject("pipeline_version_reference").put("pipeline_id", "p1");
        ArrayNode details = r.putObject("run_details").putArray("task_details");
        details.addObject().put("display_name", "root").put("state", "RUNNING");
        for (int i = 0; i < tasks.length; i += 2) {
            ObjectNode t = details.addObject().put("display_name", tasks[i]).put("state", tasks[i + 1])
                    .put("start_time", "2026-01-01T00:00:00Z");
            if (!tasks[i + 1].equals("RUNNING")) {
                t.put("end_time", "2026-01-01T00:00:03Z");
            }
        }
        return r;
    }

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange x) throws java.io.IOException {
        String path = x.getRequestURI().getPath();
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(x.getRequestMethod() + " " + path);
        int code = 200;
        String out = "{}";
        switch (x.getRequestMethod() + " " + path) {
            case "GET /apis/v2beta1/healthz" -> code = healthz;
            case "POST /apis/v2beta1/pipelines/upload" -> out = "{\"pipeline_id\":\"p1\"}";
            case "GET /apis/v2beta1/pipelines/p1/versions" -> out = "{\"pipeline_versions\":[{\"pipeline_version_id\":\"v1\"}]}";
            case "GET /apis/v2beta1/experiments" -> out = "{\"experiments\":[]}";
            case "POST /apis/v2beta1/experiments" -> out = "{\"experiment_id\":\"e1\"}";
            case "POST /apis/v2beta1/runs" -> {
                createdRun = CommProbe.JSON.readTree(body);
                out = "{\"run_id\":\"kfp-run-1\"}";
            }
            case "GET /apis/v2beta1/runs/kfp-run-1" -> out = run.toString();
            case "POST /apis/v2beta1/runs/kfp-run-1:terminate" -> out = "{}";
            default -> {
                code = 404;
                out = "{\"message\":\"no such path\"}";
            }
        }
        byte[] bytes = out.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(code, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    CommProbe comm() {
        return new CommProbe(null, "no kubeconfig", Map.of("KFP_URL", "http://127.0.0.1:" + server.getAddress().getPort(),
                "KALE4J_KFP_UI", "https://kf.example.com/pipeline/"));
    }

    @Test
    void runOnKfpUploadsCreatesTheRunAndStreamsTaskStates() throws Exception {
        CommProbe comm = comm();
        Path nb = CommProbe.notebook(dir, Map.of("namespace", "team-a"));
        ObjectNode reply = comm.call(CommProbe.request("run", "notebook", nb.toString(), "target", "kfp",
                "parameters", Map.of("top", "5")));
        assertThat(reply.path("ok").asBoolean()).as(reply.toString()).isTrue();
        assertThat(reply.path("run_id").asText()).isEqualTo("kfp-run-1");
        assertThat(reply.path("target").asText()).isEqualTo("kfp");
        assertThat(reply.path("ui_url").asText()).isEqualTo("https://kf.example.com/pipeline/#/runs/details/kfp-run-1");
        assertThat(requests).contains("POST /apis/v2beta1/pipelines/upload", "POST /apis/v2beta1/runs");
        assertThat(createdRun.path("runtime_config").path("parameters").path("top").asInt()).isEqualTo(5);

        run = state("RUNNING", "prepare", "RUNNING");
        comm.progress("prepare", "Running");
        run = state("RUNNING", "prepare", "SUCCEEDED", "count", "RUNNING", "prepare-driver", "RUNNING");
        assertThat(comm.progress("prepare", "Succeeded").path("duration_ms").asLong()).isEqualTo(3000);
        comm.progress("count", "Running");

        ObjectNode stop = comm.call(CommProbe.request("stop", "run_id", "kfp-run-1", "wait_ms", 0));
        assertThat(stop.path("ok").asBoolean()).as(stop.toString()).isTrue();
        assertThat(requests).contains("POST /apis/v2beta1/runs/kfp-run-1:terminate");
        run = state("CANCELED", "prepare", "SUCCEEDED", "count", "CANCELED");
        comm.progress("count", "Failed");
        ObjectNode finished = comm.next(m -> m.path("action").asText().equals("run_finished"), 10);
        assertThat(finished.path("status").asText()).isEqualTo("Stopped");
        assertThat(finished.path("steps").findValuesAsText("name")).containsExactly("prepare", "count", "report");
    }

    @Test
    void kfpIsATargetWhenItsApiAnswersAndOtherwiseSaysWhy() throws Exception {
        ObjectNode targets = comm().call(CommProbe.request("targets"));
        assertThat(CommProbe.texts((ArrayNode) targets.path("available"))).containsExactly("local", "kfp");
        assertThat(targets.path("reasons").path("argo").asText()).contains("no kubeconfig");
        healthz = 403;
        ObjectNode forbidden = comm().call(CommProbe.request("targets"));
        assertThat(CommProbe.texts((ArrayNode) forbidden.path("available"))).containsExactly("local");
        assertThat(forbidden.path("reasons").path("kfp").asText()).contains("forbidden (403");
        ObjectNode none = new CommProbe(null, "no kubeconfig", Map.of()).call(CommProbe.request("targets"));
        assertThat(none.path("reasons").path("kfp").asText()).contains("KFP_URL");
    }
}
