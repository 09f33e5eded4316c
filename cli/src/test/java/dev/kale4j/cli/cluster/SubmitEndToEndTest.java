package dev.kale4j.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kale4j.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kale4j submit} through the CLI against a small in-process HTTP server that answers the few calls a
 * submission makes (the full API behaviour is tested in the converter module against fabric8's mock server and
 * a swagger-checked KFP fake).
 */
class SubmitEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    HttpServer server;
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile JsonNode created;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        System.clearProperty("kubernetes.master");
        System.clearProperty("kubernetes.auth.tryKubeConfig");
        System.clearProperty("kubernetes.auth.tryServiceAccount");
        System.clearProperty("kubernetes.namespace");
    }

    private void handle(HttpExchange ex) throws IOException {
        String m = ex.getRequestMethod();
        String p = ex.getRequestURI().getPath();
        byte[] body = ex.getRequestBody().readAllBytes();
        calls.add(m + " " + p);
        ObjectNode out = JSON.createObjectNode();
        if (m.equals("POST") && p.equals("/apis/argoproj.io/v1alpha1/namespaces/team-a/workflows")) {
            ObjectNode wf = (ObjectNode) JSON.readTree(body);
            created = wf;
            ((ObjectNode) wf.get("metadata")).put("name", wf.path("metadata").path("generateName").asText() + "x7k2p");
            out = wf;
        } else if (p.equals("/apis/v2beta1/pipelines/upload")) {
            out.put("pipeline_id", "p1");
        } else if (p.equals("/apis/v2beta1/pipelines/p1/versions")) {
            out.putArray("pipeline_versions").addObject().put("pipeline_version_id", "v1");
        } else if (p.equals("/apis/v2beta1/experiments") && m.equals("GET")) {
            out.putArray("experiments");
        } else if (p.equals("/apis/v2beta1/experiments")) {
            out.put("experiment_id", "e1");
        } else if (p.equals("/apis/v2beta1/runs")) {
            created = JSON.readTree(body);
            out.put("run_id", "r1");
        } else if (p.equals("/apis/v2beta1/runs/r1")) {
            out.put("run_id", "r1").put("state", "SUCCEEDED").putObject("run_details").putArray("task_details")
                    .addObject().put("display_name", "report").put("state", "SUCCEEDED");
        } else {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        byte[] b = out.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(exit), out.toString(), err.toString()};
    }

    Path notebook() throws IOException {
        Path nb = dir.resolve("word-stats.ipynb");
        Files.copy(Path.of("../converter/src/test/resources/cluster/notebooks/word-stats.ipynb"), nb,
                StandardCopyOption.REPLACE_EXISTING);
        return nb;
    }

    @Test
    void argoSubmissionCreatesTheWorkflowWithTheParameterValue() throws Exception {
        System.setProperty("kubernetes.master", "http://127.0.0.1:" + server.getAddress().getPort());
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        String[] r = run("submit", notebook().toString(), "--target", "argo", "-n", "team-a", "-p", "top=4");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("submitted Workflow word-stats-x7k2p in namespace team-a");
        assertThat(created.path("kind").asText()).isEqualTo("Workflow");
        assertThat(created.path("spec").path("arguments").path("parameters").get(1).path("value").asText()).isEqualTo("4");
    }

    @Test
    void theNotebooksNamespaceIsTheDefaultForSubmission() throws Exception {
        System.setProperty("kubernetes.master", "http://127.0.0.1:" + server.getAddress().getPort());
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        Path nb = notebook();
        ObjectNode doc = (ObjectNode) JSON.readTree(nb.toFile());
        ((ObjectNode) doc.path("metadata").path("kubeflow_notebook")).putObject("cluster").put("namespace", "team-a");
        Files.writeString(nb, doc.toString());
        String[] r = run("submit", nb.toString(), "--target", "argo", "-p", "top=4");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("in namespace team-a");
        assertThat(calls).contains("POST /apis/argoproj.io/v1alpha1/namespaces/team-a/workflows");
    }

    @Test
    void kfpSubmissionUploadsRunsAndWatchesToSuccess() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "t0k3n");
        String[] r = run("submit", notebook().toString(), "--target", "kfp", "--kfp-url",
                "http://127.0.0.1:" + server.getAddress().getPort(), "--kfp-token-file", token.toString(),
                "-p", "top=4", "--watch");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("uploaded pipeline word-stats (id p1, version v1)", "created run r1 in experiment e1",
                "run r1: SUCCEEDED", "  report: SUCCEEDED");
        assertThat(created.path("runtime_config").path("parameters").path("top").asInt()).isEqualTo(4);
        assertThat(calls).containsSubsequence("POST /apis/v2beta1/pipelines/upload", "POST /apis/v2beta1/runs",
                "GET /apis/v2beta1/runs/r1");
    }
}
