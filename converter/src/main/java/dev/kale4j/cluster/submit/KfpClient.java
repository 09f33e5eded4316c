package dev.kale4j.cluster.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.common.UserError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The KFP REST API v2beta1 (paths and bodies as in {@code kfp_api_single_file.swagger.json} 2.17.0): upload a
 * pipeline or a new version of it, get or create the experiment, create a run with runtime parameters, poll it.
 */
public final class KfpClient {
    /** Where Kubeflow mounts the projected service-account token for KFP in notebook pods (multi-user mode). */
    public static final String PROJECTED_TOKEN = "/var/run/secrets/kubeflow/pipelines/token";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A bearer token and where it came from (for messages); {@code token == null} means no authentication. */
    public record Auth(String token, String source) {
        public static Auth none() {
            return new Auth(null, "no credentials");
        }

        /**
         * The token to use: an explicit token file, else {@code $KF_PIPELINES_SA_TOKEN_PATH} or the projected
         * service-account token, else the kubeconfig's token, else none.
         */
        public static Auth resolve(Path tokenFile) {
            try {
                if (tokenFile != null) {
                    return new Auth(Files.readString(tokenFile).trim(), "token file " + tokenFile);
                }
                String env = System.getenv("KF_PIPELINES_SA_TOKEN_PATH");
                Path projected = Path.of(env != null ? env : PROJECTED_TOKEN);
                if (Files.isReadable(projected)) {
                    return new Auth(Files.readString(projected).trim(), "service-account token " + projected);
                }
            } catch (IOException e) {
                throw new UserError("cannot read the KFP token: " + e.getMessage());
            }
            try {
                io.fabric8.kubernetes.client.Config config = io.fabric8.kubernetes.client.Config.autoConfigure(null);
                String token = config.getAutoOAuthToken() != null ? config.getAutoOAuthToken() : config.getOauthToken();
                if (token != null && !token.isBlank()) {
                    return new Auth(token, "kubeconfig token");
                }
            } catch (RuntimeException noKubeconfig) {
                // No usable kubeconfig: fall through to no credentials (single-user KFP).
            }
            return none();
        }
    }

    /** An uploaded pipeline version. */
    public record Uploaded(String pipelineId, String versionId, boolean newPipeline) {
    }

    private final URI base;
    private final Auth auth;
    private final Duration poll;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public KfpClient(URI base, Auth auth, Duration poll) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.auth = auth;
        this.poll = poll;
    }

    /** Uploads the pipeline; when one of that name exists (409), uploads a new version of it instead. */
    public Uploaded upload(String name, String description, byte[] yaml, String namespace) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("name", name);
        q.put("display_name", name);
        if (description != null) {
            q.put("description", description);
        }
        if (namespace != null) {
            q.put("namespace", namespace);
        }
        Response r = send(multipart("/apis/v2beta1/pipelines/upload", q, name + ".yaml", yaml));
        if (r.code == 200) {
            String id = r.json.path("pipeline_id").asText();
            return new Uploaded(id, latestVersion(id), true);
        }
        if (r.code != 409) {
            throw error(r, "upload pipeline " + name);
        }
        Map<String, String> nq = namespace == null ? Map.of() : Map.of("namespace", namespace);
        Response existing = send(get("/apis/v2beta1/pipelines/names/" + enc(name), nq));
        if (existing.code != 200) {
            throw error(existing, "find the existing pipeline " + name);
        }
        String id = existing.json.path("pipeline_id").asText();
        String version = name + "-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .format(java.time.LocalDateTime.now()) + "-" + UUID.randomUUID().toString().substring(0, 4);
        Map<String, String> vq = new LinkedHashMap<>();
        vq.put("name", version);
        vq.put("display_name", version);
        vq.put("pipelineid", id);
        Response v = send(multipart("/apis/v2beta1/pipelines/upload_version", vq, name + ".yaml", yaml));
        if (v.code != 200) {
            throw error(v, "upload a new version of pipeline " + name);
        }
        return new Uploaded(id, v.json.path("pipeline_version_id").asText(), false);
    }

    private String latestVersion(String pipelineId) {
        Response r = send(get("/apis/v2beta1/pipelines/" + enc(pipelineId) + "/versions",
                Map.of("page_size", "1", "sort_by", "created_at desc")));
        if (r.code != 200) {
            throw error(r, "read the versions of pipeline " + pipelineId);
        }
        JsonNode versions = r.json.path("pipeline_versions");
        return versions.isArray() && !versions.isEmpty() ? versions.get(0).path("pipeline_version_id").asText() : null;
    }

    /** The experiment's id, creating it when no experiment has that name. */
    public String experiment(String name, String namespace) {
        String filter = "{\"predicates\":[{\"key\":\"display_name\",\"operation\":\"EQUALS\",\"string_value\":"
                + JSON.valueToTree(name) + "}]}";
        Map<String, String> q = new LinkedHashMap<>();
        q.put("filter", filter);
        if (namespace != null) {
            q.put("namespace", namespace);
        }
        Response r = send(get("/apis/v2beta1/experiments", q));
        if (r.code != 200) {
            throw error(r, "list experiments");
        }
        for (JsonNode e : r.json.path("experiments")) {
            if (name.equals(e.path("display_name").asText())) {
                return e.path("experiment_id").asText();
            }
        }
        ObjectNode body = JSON.createObjectNode().put("display_name", name);
        if (namespace != null) {
            body.put("namespace", namespace);
        }
        Response c = send(post("/apis/v2beta1/experiments", body));
        if (c.code != 200) {
            throw error(c, "create experiment " + name);
        }
        return c.json.path("experiment_id").asText();
    }

    /** Creates a run of the pipeline version with typed runtime parameters; returns its id. */
    public String createRun(String displayName, String experimentId, Uploaded pipeline, Map<String, Object> params) {
        ObjectNode body = JSON.createObjectNode().put("display_name", displayName).put("experiment_id", experimentId);
        ObjectNode ref = body.putObject("pipeline_version_reference").put("pipeline_id", pipeline.pipelineId());
        if (pipeline.versionId() != null) {
            ref.put("pipeline_version_id", pipeline.versionId());
        }
        body.putObject("runtime_config").set("parameters", JSON.valueToTree(params));
        Response r = send(post("/apis/v2beta1/runs", body));
        if (r.code != 200) {
            throw error(r, "create run " + displayName);
        }
        return r.json.path("run_id").asText();
    }

    public RunStatus run(String runId) {
        Response r = send(get("/apis/v2beta1/runs/" + enc(runId), Map.of()));
        if (r.code != 200) {
            throw error(r, "read run " + runId);
        }
        JsonNode run = r.json;
        List<RunStatus.StepStatus> steps = new ArrayList<>();
        for (JsonNode t : run.path("run_details").path("task_details")) {
            String name = t.path("display_name").asText("");
            if (!name.isEmpty() && !name.equals("root") && !name.endsWith("-driver")) {
                steps.add(new RunStatus.StepStatus(name, t.path("state").asText("PENDING"),
                        t.path("error").path("message").asText(null), null, null,
                        ArgoRuns.durationMs(t.path("start_time").asText(null), t.path("end_time").asText(null))));
            }
        }
        return new RunStatus(runId, run.path("pipeline_version_reference").path("pipeline_id").asText(null),
                run.path("state").asText("PENDING"), run.path("error").path("message").asText(null),
                run.path("created_at").asText(null), run.path("finished_at").asText(null), steps);
    }

    /** Terminates the run (KFP's stop): its running tasks are ended and the run becomes CANCELED. */
    public void terminate(String runId) {
        Response r = send(post("/apis/v2beta1/runs/" + enc(runId) + ":terminate", JSON.createObjectNode()));
        if (r.code != 200) {
            throw error(r, "terminate run " + runId);
        }
    }

    /** {@code null} when the KFP API answers its health check, else why it cannot be used. */
    public String unavailable() {
        try {
            Response r = send(get("/apis/v2beta1/healthz", Map.of()));
            return r.code == 200 ? null : error(r, "check the KFP API at " + base).getMessage();
        } catch (UserError e) {
            return e.getMessage();
        }
    }

    public URI base() {
        return base;
    }

    /** Polls the run until it finishes or {@code timeout}, reporting state changes of the run and its tasks. */
    public RunStatus watch(String runId, Duration timeout, Consumer<String> out) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> seen = new LinkedHashMap<>();
        String state = null;
        while (true) {
            RunStatus s = run(runId);
            if (!s.phase().equals(state)) {
                state = s.phase();
                out.accept("run " + runId + ": " + state + (s.message() == null ? "" : " (" + s.message() + ")"));
            }
            for (RunStatus.StepStatus t : s.steps()) {
                if (!t.phase().equals(seen.put(t.step(), t.phase()))) {
                    out.accept("  " + t.step() + ": " + t.phase());
                }
            }
            if (s.finished() || System.nanoTime() > deadline) {
                return s;
            }
            Thread.sleep(poll.toMillis());
        }
    }

    // ---- HTTP ---------------------------------------------------------------------------------

    private record Response(int code, JsonNode json, String body) {
    }

    private HttpRequest.Builder request(String path, Map<String, String> query) {
        StringBuilder uri = new StringBuilder(base.toString()).append(path);
        String sep = "?";
        for (Map.Entry<String, String> e : query.entrySet()) {
            uri.append(sep).append(enc(e.getKey())).append('=').append(enc(e.getValue()));
            sep = "&";
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri.toString())).timeout(Duration.ofSeconds(60));
        if (auth.token() != null) {
            b.header("Authorization", "Bearer " + auth.token());
        }
        return b;
    }

    private HttpRequest get(String path, Map<String, String> query) {
        return request(path, query).GET().build();
    }

    private HttpRequest post(String path, JsonNode body) {
        return request(path, Map.of()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private HttpRequest multipart(String path, Map<String, String> query, String fileName, byte[] content) {
        String boundary = "kale4j-" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"uploadfile\"; filename=\""
                + fileName + "\"\r\nContent-Type: application/x-yaml\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        out.writeBytes(head);
        out.writeBytes(content);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return request(path, query).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build();
    }

    private Response send(HttpRequest req) {
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
            } catch (IOException notJson) {
                json = JSON.createObjectNode();
            }
            return new Response(r.statusCode(), json, r.body());
        } catch (IOException e) {
            throw new UserError("cannot reach the KFP API at " + base + " (" + ClusterErrors.rootMessage(e) + "). Check"
                    + " --kfp-url: in the cluster http://ml-pipeline.kubeflow:8888, from a workstation run kubectl"
                    + " port-forward -n kubeflow svc/ml-pipeline 8888:8888 and use http://localhost:8888");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while talking to KFP at " + base);
        }
    }

    private UserError error(Response r, String action) {
        String server = r.json.path("message").asText(r.json.path("error").asText(""));
        String detail = server.isBlank() ? "" : " (server: " + server + ")";
        return switch (r.code) {
            case 401 -> new UserError("cannot " + action + ": KFP rejected the credentials (401 Unauthorized, using "
                    + auth.source() + "). In a Kubeflow notebook enable access to Kubeflow Pipelines so the token is"
                    + " projected at " + PROJECTED_TOKEN + "; elsewhere pass --kfp-token-file or log in so the"
                    + " kubeconfig has a token" + detail);
            case 403 -> new UserError("cannot " + action + ": forbidden (403, using " + auth.source() + "). The"
                    + " account needs edit access to the Kubeflow profile namespace (pass it with --namespace)" + detail);
            case 404 -> new UserError("cannot " + action + ": not found (404). Is --kfp-url the ml-pipeline API"
                    + " (port 8888), not the UI?" + detail);
            case 409 -> new UserError("cannot " + action + ": it already exists (409 Conflict)" + detail);
            default -> new UserError("cannot " + action + ": KFP answered HTTP " + r.code + detail);
        };
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
