package dev.kale4j.cluster.submit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kale4j.cluster.Schemas;
import dev.kale4j.cluster.kfp.IrRules;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * An in-process HTTP server that plays the KFP REST API v2beta1 as its swagger (2.17.0) describes it: JSON
 * bodies are validated against the swagger definitions, uploaded pipelines against the API server's IR rules.
 * Tests script failures per path prefix and the states a run goes through.
 */
final class FakeKfpServer implements AutoCloseable {
    final HttpServer server;
    final String token;
    final Map<String, ObjectNode> pipelines = new ConcurrentHashMap<>();
    final Map<String, List<String>> versions = new ConcurrentHashMap<>();
    final Map<String, ObjectNode> experiments = new ConcurrentHashMap<>();
    final Map<String, ObjectNode> runs = new ConcurrentHashMap<>();
    final Map<String, Deque<Integer>> failures = new ConcurrentHashMap<>();
    final Deque<String> runStates = new ConcurrentLinkedDeque<>(List.of("PENDING", "RUNNING", "RUNNING", "SUCCEEDED"));
    final List<String> requests = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    private int ids;

    FakeKfpServer(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/apis/v2beta1/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The next request whose path starts with {@code prefix} is answered with {@code code}. */
    void failNext(String prefix, int code) {
        failures.computeIfAbsent(prefix, k -> new ConcurrentLinkedDeque<>()).add(code);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private synchronized String id(String kind) {
        return kind + "-" + (++ids);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            byte[] body = ex.getRequestBody().readAllBytes();
            synchronized (requests) {
                requests.add(method + " " + path);
            }
            for (Map.Entry<String, Deque<Integer>> f : failures.entrySet()) {
                if (path.startsWith(f.getKey()) && !f.getValue().isEmpty()) {
                    int code = f.getValue().poll();
                    reply(ex, code, error(code, code == 401 ? "Unauthorized: invalid token" : "scripted failure"));
                    return;
                }
            }
            if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                reply(ex, 401, error(16, "Unauthorized access"));
                return;
            }
            if (method.equals("POST") && path.equals("/apis/v2beta1/pipelines/upload")) {
                String yaml = uploaded(ex, body);
                String name = q.get("name");
                if (pipelines.values().stream().anyMatch(p -> p.path("name").asText().equals(name))) {
                    reply(ex, 409, error(6, "Failed to create a pipeline: pipeline with name " + name
                            + " already exist"));
                    return;
                }
                checkIr(yaml);
                ObjectNode p = Schemas.JSON.createObjectNode().put("pipeline_id", id("p")).put("name", name)
                        .put("display_name", q.get("display_name"));
                pipelines.put(p.get("pipeline_id").asText(), p);
                versions.computeIfAbsent(p.get("pipeline_id").asText(), k -> new ArrayList<>()).add(id("v"));
                reply(ex, 200, p);
            } else if (method.equals("POST") && path.equals("/apis/v2beta1/pipelines/upload_version")) {
                checkIr(uploaded(ex, body));
                String pid = q.get("pipelineid");
                String vid = id("v");
                versions.get(pid).add(0, vid);
                reply(ex, 200, Schemas.JSON.createObjectNode().put("pipeline_id", pid).put("pipeline_version_id", vid)
                        .put("name", q.get("name")));
            } else if (method.equals("GET") && path.startsWith("/apis/v2beta1/pipelines/names/")) {
                String name = URLDecoder.decode(path.substring("/apis/v2beta1/pipelines/names/".length()),
                        StandardCharsets.UTF_8);
                ObjectNode p = pipelines.values().stream().filter(x -> x.path("name").asText().equals(name)).findFirst()
                        .orElse(null);
                reply(ex, p == null ? 404 : 200, p == null ? error(5, "not found") : p);
            } else if (method.equals("GET") && path.matches("/apis/v2beta1/pipelines/[^/]+/versions")) {
                String pid = path.split("/")[4];
                ObjectNode out = Schemas.JSON.createObjectNode();
                ArrayNode arr = out.putArray("pipeline_versions");
                versions.getOrDefault(pid, List.of()).stream().limit(1).forEach(v -> arr.addObject()
                        .put("pipeline_id", pid).put("pipeline_version_id", v));
                reply(ex, 200, out);
            } else if (path.equals("/apis/v2beta1/experiments")) {
                if (method.equals("GET")) {
                    String wanted = Schemas.JSON.readTree(q.get("filter")).path("predicates").get(0).path("string_value")
                            .asText();
                    ObjectNode out = Schemas.JSON.createObjectNode();
                    ArrayNode arr = out.putArray("experiments");
                    experiments.values().stream().filter(e -> e.path("display_name").asText().equals(wanted))
                            .forEach(arr::add);
                    reply(ex, 200, out);
                } else {
                    ObjectNode e = (ObjectNode) checkBody(body, "v2beta1Experiment");
                    e.put("experiment_id", id("e"));
                    experiments.put(e.get("experiment_id").asText(), e);
                    reply(ex, 200, e);
                }
            } else if (method.equals("POST") && path.equals("/apis/v2beta1/runs")) {
                ObjectNode r = (ObjectNode) checkBody(body, "v2beta1Run");
                r.put("run_id", id("r")).put("state", "PENDING");
                runs.put(r.get("run_id").asText(), r);
                reply(ex, 200, r);
            } else if (method.equals("GET") && path.startsWith("/apis/v2beta1/runs/")) {
                ObjectNode r = runs.get(path.substring("/apis/v2beta1/runs/".length()));
                if (r == null) {
                    reply(ex, 404, error(5, "run not found"));
                    return;
                }
                String state = runStates.size() > 1 ? runStates.poll() : runStates.peek();
                r.put("state", state);
                ArrayNode tasks = r.putObject("run_details").putArray("task_details");
                tasks.addObject().put("display_name", "root").put("state", state);
                tasks.addObject().put("display_name", "tokenize").put("state", state.equals("PENDING") ? "PENDING"
                        : "SUCCEEDED");
                tasks.addObject().put("display_name", "report").put("state", state);
                reply(ex, 200, r);
            } else {
                reply(ex, 404, error(5, "no route " + method + " " + path));
            }
        } catch (RuntimeException e) {
            synchronized (problems) {
                problems.add(e.toString());
            }
            reply(ex, 400, error(3, e.getMessage()));
        }
    }

    private String uploaded(HttpExchange ex, byte[] body) {
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        assertThat(ct).startsWith("multipart/form-data; boundary=");
        String text = new String(body, StandardCharsets.UTF_8);
        assertThat(text).contains("name=\"uploadfile\"");
        int start = text.indexOf("\r\n\r\n") + 4;
        int end = text.lastIndexOf("\r\n--");
        return text.substring(start, end);
    }

    private void checkIr(String yaml) {
        List<String> p = IrRules.problems(yaml);
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("invalid pipeline: " + p);
        }
    }

    private JsonNode checkBody(byte[] body, String definition) {
        try {
            JsonNode json = Schemas.JSON.readTree(body);
            var messages = Schemas.validate(Schemas.KFP_API, definition, json);
            List<String> unknown = Schemas.unknownKeys(Schemas.KFP_API, definition, json);
            if (!messages.isEmpty() || !unknown.isEmpty()) {
                throw new IllegalArgumentException(definition + ": " + messages + " unknown keys " + unknown);
            }
            return json;
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static ObjectNode error(int code, String message) {
        return Schemas.JSON.createObjectNode().put("code", code).put("message", message);
    }

    private static void reply(HttpExchange ex, int code, JsonNode body) throws IOException {
        byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) {
            return q;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            q.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }
}
