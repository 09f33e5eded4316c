package dev.kale4j.kernel.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.Targets;
import dev.kale4j.common.UserError;
import dev.kale4j.converter.Compilation;
import dev.kale4j.converter.PipelineCompiler;
import dev.kale4j.converter.graph.GraphRenderer;
import dev.kale4j.kernel.CellResult;
import dev.kale4j.kernel.Kernel;
import dev.kale4j.kernel.comm.Comm;
import dev.kale4j.kernel.comm.CommManager;
import dev.kale4j.kernel.comm.CommTarget;
import dev.kale4j.kernel.engine.CellOutcome;
import dev.kale4j.kernel.engine.EngineOutput;
import dev.kale4j.kernel.engine.JavaEngine;
import dev.kale4j.kernel.magics.CellRunner;
import dev.kale4j.pipeline.Input;
import dev.kale4j.pipeline.Pipeline;
import dev.kale4j.pipeline.PipelineJson;
import dev.kale4j.pipeline.Step;
import dev.kale4j.runner.RunLayout;
import dev.kale4j.runner.RunSummary;
import dev.kale4j.runner.StepStatus;
import dev.kale4j.runtime.marshal.Marshaller;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Pipeline awareness: cell tracking ({@link PipelineTracker}), the {@code %pipeline} magic and the
 * {@code kale4j} comm target of the JupyterLab extension (messages in docs/comm-protocol.md).
 */
public final class PipelineSupport {
    public static final String COMM_TARGET = "kale4j";

    private final EngineOutput out;
    private final JavaEngine engine;
    private final ObjectMapper json;
    private final PipelineTracker tracker;
    private final PipelineRuns runs;
    /** Runs on a cluster (comm run with target argo or kfp). */
    private ClusterRuns cluster;
    private boolean runtimeOnClasspath;
    /** The run {@code %pipeline run} is waiting for; an interrupt stops it. */
    private volatile PipelineRuns.Run magicRun;

    PipelineSupport(EngineOutput out, JavaEngine engine, ObjectMapper json) {
        this.out = out;
        this.engine = engine;
        this.json = json;
        this.tracker = new PipelineTracker(out, json);
        this.runs = new PipelineRuns(json);
        this.cluster = ClusterRuns.standard(json);
    }

    /** Tests: a cluster (mock API server) instead of the kubeconfig's. */
    void cluster(ClusterRuns cluster) {
        this.cluster = cluster;
    }

    public static PipelineSupport install(Kernel kernel, JavaEngine engine, CellRunner cells, CommManager comms,
            ObjectMapper json) {
        PipelineSupport p = new PipelineSupport(kernel, engine, json);
        cells.addListener(p.tracker);
        cells.addLineMagic("pipeline", (args, body, ctx) -> p.magic(args));
        comms.register(COMM_TARGET, new CommTarget() {
            @Override
            public void received(Comm comm, ObjectNode data, dev.kale4j.kernel.messages.Message request) {
                p.comm(comm, data, request);
            }
        });
        kernel.onInterrupt(p::interrupted);
        return p;
    }

    /** interrupt_request: stops the run {@code %pipeline run} waits for (comm runs are stopped with "stop"). */
    void interrupted() {
        PipelineRuns.Run r = magicRun;
        if (r != null) {
            runs.stop(r);
        }
    }

    PipelineRuns runs() {
        return runs;
    }

    public PipelineTracker tracker() {
        return tracker;
    }

    // ---- %pipeline ----

    /** Parsed {@code %pipeline} arguments: a verb, positional words, options and -p pairs. */
    record Args(String verb, List<String> words, Map<String, String> options, Map<String, String> params) {
        static Args parse(String line) {
            List<String> tokens = List.of(line.strip().split("\\s+"));
            if (tokens.isEmpty() || tokens.get(0).isEmpty()) {
                throw new UserError("usage: %pipeline graph|run|compile|status|restore ... (see docs/kernel.md)");
            }
            List<String> words = new ArrayList<>();
            Map<String, String> options = new LinkedHashMap<>();
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 1; i < tokens.size(); i++) {
                String t = tokens.get(i);
                if (t.equals("-p") || t.equals("--param")) {
                    String kv = i + 1 < tokens.size() ? tokens.get(++i) : "";
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new UserError("-p needs NAME=VALUE, got '" + kv + "'");
                    }
                    params.put(kv.substring(0, eq), kv.substring(eq + 1));
                } else if (t.equals("--before") || t.equals("--after") || t.equals("--file") || t.equals("--in-process")
                        || t.equals("--no-snapshots")) {
                    options.put(t.substring(2), "true");
                } else if (t.startsWith("--") || t.equals("-o")) {
                    options.put(t.equals("-o") ? "output" : t.substring(2), i + 1 < tokens.size() ? tokens.get(++i) : "");
                } else {
                    words.add(t);
                }
            }
            return new Args(tokens.get(0), words, options, params);
        }
    }

    CellResult magic(String line) throws Exception {
        Args a = Args.parse(line);
        return switch (a.verb()) {
            case "graph" -> graph(a);
            case "run" -> runMagic(a);
            case "compile" -> {
                List<Path> written = compile(notebook(a.options().get("notebook")), a.options().getOrDefault("target", "ir"),
                        Path.of(a.options().getOrDefault("output", ".")));
                written.forEach(p -> out.stdout(p + "\n"));
                yield CellResult.EMPTY;
            }
            case "status" -> {
                out.stdout(statusText(notebook(a.options().get("notebook"))));
                yield CellResult.EMPTY;
            }
            case "restore" -> {
                if (a.words().size() != 2) {
                    throw new UserError("usage: %pipeline restore RUN STEP [--before|--after] [--notebook PATH]");
                }
                List<String> vars = restore(notebook(a.options().get("notebook")), a.words().get(0), a.words().get(1),
                        !a.options().containsKey("after"));
                out.stdout("restored " + String.join(", ", vars) + "\n");
                yield CellResult.EMPTY;
            }
            default -> throw new UserError("unknown %pipeline command '" + a.verb()
                    + "': use graph, run, compile, status or restore");
        };
    }

    private CellResult graph(Args a) throws Exception {
        Compilation c;
        if (a.options().containsKey("file") || a.options().containsKey("notebook")) {
            c = PipelineCompiler.compile(NotebookReader.read(notebook(a.options().get("notebook"))));
        } else {
            c = liveCompilation();
        }
        c.notes().forEach(n -> out.stdout("note: " + n + "\n"));
        Pipeline p = c.pipeline();
        ObjectNode bundle = json.createObjectNode();
        bundle.put("image/svg+xml", GraphRenderer.svg(p));
        bundle.put("text/plain", GraphRenderer.text(p));
        return new CellResult(GraphRenderer.text(p), json.writeValueAsString(bundle), null);
    }

    /** The pipeline of the cells run so far in this session, compiled by the converter. */
    Compilation liveCompilation() {
        if (tracker.cells().isEmpty()) {
            throw new UserError("no tagged cells have run in this session yet (tags come from JupyterLab's cell metadata)");
        }
        JsonNode meta = null;
        try {
            Path nb = notebook(null);
            meta = json.readTree(nb.toFile()).path("metadata");
        } catch (RuntimeException | java.io.IOException ignored) {
            // no notebook file: defaults
        }
        Notebook nb = NotebookReader.parse(tracker.asNotebook(meta), Path.of("session.ipynb"));
        return PipelineCompiler.compile(nb);
    }

    /** The notebook being edited: --notebook, else Jupyter's JPY_SESSION_NAME (the session path). */
    static Path notebook(String given) {
        String candidate = given != null && !given.isBlank() ? given : System.getenv("JPY_SESSION_NAME");
        if (candidate == null || candidate.isBlank()) {
            throw new UserError("which notebook? pass --notebook PATH (the server did not set JPY_SESSION_NAME)");
        }
        Path p = Path.of(candidate);
        if (Files.isRegularFile(p)) {
            return p.toAbsolutePath();
        }
        // The session name is relative to the server root; the kernel runs in the notebook's directory.
        Path local = Path.of(p.getFileName().toString());
        if (Files.isRegularFile(local)) {
            return local.toAbsolutePath();
        }
        throw new UserError("notebook " + candidate + " not found (pass --notebook PATH)");
    }

    static Path home(Path notebook) {
        return notebook.toAbsolutePath().getParent().resolve(".kale4j");
    }

    /**
     * {@code %pipeline run}: the run goes on in the background while this cell prints its progress; an
     * interrupt stops it (step JVMs included) and the session stays usable.
     */
    private CellResult runMagic(Args a) throws InterruptedException {
        PipelineRuns.Run run = runs.start(notebook(a.options().get("notebook")), a.params(), a.options().containsKey("in-process"),
                !a.options().containsKey("no-snapshots"), new PipelineRuns.Events() {
                    @Override
                    public void step(PipelineRuns.Run r, String step, StepStatus status, long durationMs, String message) {
                        String snap = status == StepStatus.SUCCEEDED ? r.snapshots().get(step) : null;
                        out.stdout(String.format(Locale.ROOT, "  %-20s %-10s %s%s%s%n", step, status.word(),
                                status.done() ? (durationMs / 1000.0) + " s" : "", message == null ? "" : "  " + message,
                                snap == null ? "" : "  snapshot " + shortId(snap)));
                    }
                });
        magicRun = run;
        try {
            run.notes().forEach(n -> out.stdout("note: " + n + "\n"));
            out.stdout("run " + run.runId() + ": " + String.join(", ", run.pipeline().steps().stream().map(Step::name).toList())
                    + "\n");
            while (!run.await(1, java.util.concurrent.TimeUnit.HOURS)) {
                // a long run: keep waiting (an interrupt ends it)
            }
        } catch (InterruptedException e) {
            runs.stop(run);
            throw e;
        } finally {
            magicRun = null;
        }
        out.stdout("run " + run.runId() + " " + run.status() + " in " + run.durationMs() + " ms\n");
        if (!run.snapshots().isEmpty()) {
            StringBuilder sb = new StringBuilder("snapshots:");
            run.snapshots().forEach((step, id) -> sb.append(' ').append(step).append('=').append(shortId(id)));
            out.stdout(sb.append("\n  restore files with: kale4j restore ").append(run.runId())
                    .append(" STEP --target DIR --workdir ").append(home(run.notebook())).append('\n').toString());
        }
        String status = run.status();
        if (status.equals("Succeeded")) {
            return new CellResult(run.runId() + ": " + status, null, null);
        }
        String why = "run " + run.runId() + " " + status + (run.error() == null ? "" : ": " + run.error());
        return new CellResult(null, null, new dev.kale4j.kernel.engine.EngineError(
                status.equals("Stopped") ? "Interrupted" : "PipelineFailed", why, List.of(why)));
    }

    static String shortId(String id) {
        return id.substring(0, Math.min(12, id.length()));
    }

    List<Path> compile(Path notebook, String target, Path output) {
        Notebook nb = NotebookReader.read(notebook);
        Compilation c = PipelineCompiler.compile(nb);
        Path out = output.isAbsolute() ? output : notebook.toAbsolutePath().getParent().resolve(output);
        if (target.equals("ir")) {
            Path file = out.resolve(c.pipeline().name() + ".pipeline.json");
            PipelineJson.write(c.pipeline(), file);
            return List.of(file);
        }
        return Targets.find(target).compile(c, nb, CompileOptions.defaults(), out);
    }

    List<RunSummary> runs(Path notebook) {
        Path home = home(notebook);
        List<RunSummary> all = new ArrayList<>();
        for (String id : RunLayout.runIds(home)) {
            Path summary = RunLayout.existing(home, id).summaryFile();
            if (Files.isRegularFile(summary)) {
                all.add(PipelineJson.read(summary, RunSummary.class));
            }
        }
        return all;
    }

    String statusText(Path notebook) {
        List<RunSummary> runs = runs(notebook);
        if (runs.isEmpty()) {
            return "no runs yet under " + home(notebook).resolve("runs") + "\n";
        }
        StringBuilder sb = new StringBuilder();
        for (RunSummary r : runs) {
            sb.append(String.format(Locale.ROOT, "%s  %-10s %6.1f s  ", r.runId(), r.status(), r.durationMs() / 1000.0));
            r.steps().forEach((step, s) -> sb.append(step).append('=').append(s.status().word()).append(' '));
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Loads a step's marshalled inputs (before) or outputs (after) from a local run into the live
     * session, so a failed step can be debugged with its exact data. Returns the variables set.
     */
    List<String> restore(Path notebook, String run, String stepName, boolean before) {
        Path home = home(notebook);
        String runId = run;
        if (run.equals("latest")) {
            List<String> ids = RunLayout.runIds(home);
            if (ids.isEmpty()) {
                throw new UserError("no runs under " + home.resolve("runs"));
            }
            runId = ids.get(ids.size() - 1);
        }
        RunLayout layout = RunLayout.existing(home, runId);
        if (!Files.isRegularFile(layout.pipelineFile())) {
            throw new UserError("run " + runId + " not found under " + home.resolve("runs"));
        }
        Pipeline p = PipelineJson.read(layout.pipelineFile(), Pipeline.class);
        Step step = p.step(stepName).orElseThrow(() -> new UserError("run " + run + " has no step " + stepName));
        Map<String, Path> files = new LinkedHashMap<>();
        if (before) {
            for (Input in : step.inputs()) {
                files.put(in.variable(), layout.outputs(in.step()).resolve(in.variable() + ".k4j"));
            }
        } else {
            for (String v : step.outputs()) {
                files.put(v, layout.outputs(stepName).resolve(v + ".k4j"));
            }
        }
        if (files.isEmpty()) {
            throw new UserError("step " + stepName + " has no " + (before ? "inputs" : "saved outputs") + " in run " + runId);
        }
        ensureRuntimeOnClasspath();
        Marshaller m = Marshaller.create(getClass().getClassLoader());
        List<String> restored = new ArrayList<>();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            if (!Files.isRegularFile(e.getValue())) {
                throw new UserError("artifact " + e.getValue() + " is missing (did the step that writes it finish?)");
            }
            String type = declarableType(m.info(e.getValue()).typeName());
            String read = "dev.kale4j.runtime.marshal.Marshaller.create(" + Marshaller.class.getName()
                    + ".class.getClassLoader()).read(java.nio.file.Path.of(\"" + e.getValue().toString().replace("\\", "\\\\")
                    + "\"), n -> Class.forName(n, false, new Object() { }.getClass().getClassLoader()))";
            String code = type.equals("var") ? "var " + e.getKey() + " = " + read + ";"
                    : type + " " + e.getKey() + " = (" + type + ") " + read + ";";
            CellOutcome o = engine.execute(code, 0, 1);
            if (!o.ok()) {
                throw new UserError("cannot restore " + e.getKey() + ": " + o.error().evalue());
            }
            restored.add(e.getKey() + " (" + type + ")");
        }
        return restored;
    }

    static String declarableType(String typeName) {
        if (typeName == null || typeName.isBlank() || typeName.contains("$") || typeName.contains("<anonymous")
                || typeName.contains("capture#") || typeName.contains("&")) {
            return "var";
        }
        return typeName;
    }

    /** Puts the marshalling runtime (converter and its small dependencies) on the session class path. */
    private void ensureRuntimeOnClasspath() {
        if (runtimeOnClasspath) {
            return;
        }
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName() == null ? "" : Path.of(entry).getFileName().toString();
            if (name.startsWith("kale4j-converter") || name.startsWith("kale4j-common") || name.startsWith("kale4j-annotator")
                    || name.startsWith("jackson-") || name.startsWith("slf4j-api") || name.startsWith("zstd-jni")
                    || (entry.contains("converter") && entry.endsWith("classes"))) {
                engine.addToClasspath(Path.of(entry).toAbsolutePath().toString());
            }
        }
        runtimeOnClasspath = true;
    }

    // ---- comm target (docs/comm-protocol.md) ----

    void comm(Comm comm, ObjectNode data, dev.kale4j.kernel.messages.Message request) {
        handle(data, d -> comm.send(request, d));
    }

    /** Answers one request; {@code send} publishes a message on the comm (the reply, and a run's progress later). */
    void handle(ObjectNode data, Consumer<ObjectNode> send) {
        String action = data.path("action").asText("");
        ObjectNode reply = json.createObjectNode().put("action", action).put("request_id", data.path("request_id").asText(""));
        try {
            String nbArg = data.hasNonNull("notebook") ? data.path("notebook").asText() : null;
            switch (action) {
                case "ping" -> reply.put("ok", true);
                case "graph" -> {
                    Compilation c = data.path("live").asBoolean(false) ? liveCompilation()
                            : PipelineCompiler.compile(NotebookReader.read(notebook(nbArg)));
                    reply.put("ok", true).put("pipeline", c.pipeline().name());
                    ArrayNode steps = reply.putArray("steps");
                    for (Step st : c.pipeline().steps()) {
                        ArrayNode deps = steps.addObject().put("name", st.name()).putArray("deps");
                        st.dependencies().forEach(deps::add);
                    }
                    reply.put("svg", GraphRenderer.svg(c.pipeline())).put("text", GraphRenderer.text(c.pipeline()));
                    ArrayNode notes = reply.putArray("notes");
                    c.notes().forEach(notes::add);
                }
                case "compile" -> {
                    List<Path> written = compile(notebook(nbArg), data.path("target").asText("ir"),
                            Path.of(data.path("output").asText(".")));
                    ArrayNode files = reply.put("ok", true).putArray("files");
                    written.forEach(f -> files.add(f.toString()));
                }
                case "run" -> {
                    Map<String, String> params = new LinkedHashMap<>();
                    data.path("parameters").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
                    String target = data.path("target").asText("local");
                    if (!target.isEmpty() && !target.equals("local")) {
                        ClusterRuns.Run run = cluster.start(target, notebook(nbArg), params,
                                data.hasNonNull("namespace") ? data.path("namespace").asText() : null,
                                clusterEvents(send));
                        reply.put("ok", true).put("run_id", run.runId);
                        reply.setAll(cluster.json(run));
                        break;
                    }
                    PipelineRuns.Run run = runs.start(notebook(nbArg), params, data.path("in_process").asBoolean(false),
                            data.path("snapshots").asBoolean(true), commEvents(send));
                    reply.put("ok", true).put("run_id", run.runId());
                    reply.setAll(runJson(run));
                }
                case "run_status" -> {
                    String runId = data.path("run_id").asText("");
                    PipelineRuns.Run run = runs.get(runId);
                    ClusterRuns.Run clusterRun = cluster.get(runId);
                    String target = data.path("target").asText("local");
                    reply.put("ok", true).set("run", run != null ? runJson(run)
                            : clusterRun != null ? cluster.json(clusterRun)
                            : !target.isEmpty() && !target.equals("local")
                                    ? cluster.fetch(target, runId, data.path("namespace").asText(null))
                                    : runJsonFromDisk(notebook(nbArg), runId));
                }
                case "stop" -> {
                    String runId = data.path("run_id").asText("");
                    PipelineRuns.Run run = runs.get(runId);
                    ClusterRuns.Run clusterRun = cluster.get(runId);
                    if (run == null && clusterRun != null) {
                        boolean wasRunning = !clusterRun.finished();
                        if (wasRunning) {
                            cluster.stop(clusterRun);
                        }
                        boolean ended = clusterRun.await(data.path("wait_ms").asLong(10_000),
                                java.util.concurrent.TimeUnit.MILLISECONDS);
                        reply.put("ok", true).put("run_id", runId).put("target", clusterRun.target)
                                .put("was_running", wasRunning).put("stopped", ended).put("status", clusterRun.status);
                        break;
                    }
                    if (run == null) {
                        throw new UserError("run " + runId + " was not started by this kernel, so it cannot be stopped here");
                    }
                    boolean wasRunning = !run.finished();
                    runs.stop(run);
                    boolean ended = run.await(data.path("wait_ms").asLong(10_000), java.util.concurrent.TimeUnit.MILLISECONDS);
                    reply.put("ok", true).put("run_id", runId).put("was_running", wasRunning).put("stopped", ended)
                            .put("status", run.status());
                }
                case "status", "list_runs" -> {
                    ArrayNode list = reply.put("ok", true).putArray("runs");
                    Path home = home(notebook(nbArg));
                    for (String id : RunLayout.runIds(home)) {
                        PipelineRuns.Run active = runs.get(id);
                        Path summary = RunLayout.existing(home, id).summaryFile();
                        if (active != null && !active.finished()) {
                            list.add(runJson(active)); // no summary.json until it ends
                        } else if (Files.isRegularFile(summary)) {
                            list.add(json.valueToTree(PipelineJson.read(summary, RunSummary.class)));
                        }
                    }
                    Path nb = notebook(nbArg);
                    for (ClusterRuns.Run r : cluster.all()) {
                        if (r.notebook.equals(nb)) {
                            list.add(cluster.json(r));
                        }
                    }
                }
                case "list_snapshots" -> {
                    ArrayNode snaps = reply.put("ok", true).putArray("snapshots");
                    for (RunSummary s : runs(notebook(nbArg))) {
                        if (s.snapshots() != null) {
                            s.snapshots().forEach((step, id) -> snaps.addObject().put("run", s.runId()).put("step", step)
                                    .put("snapshot", id));
                        }
                    }
                }
                case "targets" -> {
                    ArrayNode available = reply.put("ok", true).putArray("available").add("local");
                    ObjectNode reasons = reply.putObject("reasons");
                    String ns = data.hasNonNull("namespace") ? data.path("namespace").asText() : null;
                    for (String t : List.of("argo", "kfp", "katib")) {
                        String why = cluster.unavailable(t, ns);
                        if (why == null) {
                            available.add(t);
                        } else {
                            reasons.put(t, why);
                        }
                    }
                }
                case "logs" -> {
                    Path stepDir = RunLayout.existing(home(notebook(nbArg)), data.path("run_id").asText(data.path("run").asText("")))
                            .stepDir(data.path("step").asText(""));
                    StringBuilder logs = new StringBuilder();
                    for (String f : List.of("stdout.log", "stderr.log")) {
                        if (Files.isRegularFile(stepDir.resolve(f))) {
                            logs.append(Files.readString(stepDir.resolve(f)));
                        }
                    }
                    reply.put("ok", true).put("logs", logs.toString());
                }
                case "restore" -> {
                    Path nb = notebook(nbArg);
                    String run = latest(nb, data.path("run_id").asText(data.path("run").asText("latest")));
                    String step = data.path("step").asText("");
                    if (step.isEmpty()) {
                        throw new UserError("restore needs the step to restore");
                    }
                    boolean after = data.path("after").asBoolean(true);
                    String folder = data.path("folder").asText("");
                    reply.put("ok", true).put("run_id", run).put("step", step).put("after", after);
                    if (!folder.isBlank()) {
                        Path base = nb.getParent();
                        Path target = folderInside(base, folder);
                        long files = runs.restoreFiles(home(nb), run, step, after, target);
                        reply.put("folder", base.toRealPath().relativize(target).toString()).put("path", target.toString())
                                .put("files", files).put("snapshot", runs.snapshotOf(home(nb), run, step, after));
                    } else {
                        ArrayNode v = reply.putArray("variables");
                        restore(nb, run, step, !after).forEach(v::add);
                    }
                }
                default -> throw new UserError("unknown action '" + action + "'");
            }
        } catch (UserError e) {
            error(reply, e.getMessage());
        } catch (Exception e) {
            error(reply, e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        send.accept(reply);
    }

    private static final java.util.regex.Pattern CELL = java.util.regex.Pattern.compile("(?:^|: )cell (\\d+)(?: \\(id ([^)]*)\\))?: ");
    private static final java.util.regex.Pattern TAG = java.util.regex.Pattern.compile("tag \"([^\"]*)\"");

    /** A structured error reply: the message, and the cell (index, id) and tag it is about when the message names them. */
    static void error(ObjectNode reply, String message) {
        reply.put("ok", false).put("error", message);
        java.util.regex.Matcher m = CELL.matcher(message);
        if (m.find()) {
            reply.put("cell", Integer.parseInt(m.group(1)));
            if (m.group(2) != null) {
                reply.put("cell_id", m.group(2));
            }
            java.util.regex.Matcher t = TAG.matcher(message.substring(m.end()));
            if (t.find()) {
                reply.put("tag", t.group(1));
            }
        }
    }

    private String latest(Path notebook, String run) {
        if (!run.equals("latest") && !run.isEmpty()) {
            return run;
        }
        List<String> ids = RunLayout.runIds(home(notebook));
        if (ids.isEmpty()) {
            throw new UserError("no runs under " + home(notebook).resolve("runs"));
        }
        return ids.get(ids.size() - 1);
    }

    /**
     * The folder to restore files into: relative to the notebook's directory (or absolute), and inside it.
     * A folder that escapes it (.., an absolute path elsewhere, a symbolic link out) is refused, as is a
     * folder that exists and is not empty.
     */
    static Path folderInside(Path base, String folder) throws java.io.IOException {
        Path root = base.toRealPath();
        Path given = Path.of(folder);
        Path target = (given.isAbsolute() ? given : root.resolve(given)).normalize();
        String refuse = "folder '" + folder + "' is outside the notebook's folder " + root
                + "; give a folder inside it, like restored/STEP";
        if (!target.startsWith(root) || target.equals(root)) {
            throw new UserError(refuse);
        }
        Path existing = target;
        while (!Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (!existing.toRealPath().startsWith(root)) {
            throw new UserError(refuse);
        }
        if (Files.exists(target)) {
            if (!Files.isDirectory(target)) {
                throw new UserError("'" + folder + "' exists and is a file; choose a new folder");
            }
            try (var entries = Files.list(target)) {
                if (entries.findAny().isPresent()) {
                    throw new UserError("folder '" + folder + "' exists and is not empty; choose a new folder");
                }
            }
        }
        return target;
    }

    private PipelineRuns.Events commEvents(Consumer<ObjectNode> send) {
        return new PipelineRuns.Events() {
            @Override
            public void step(PipelineRuns.Run run, String step, StepStatus status, long durationMs, String message) {
                ObjectNode m = json.createObjectNode().put("action", "run_progress").put("run_id", run.runId())
                        .put("step", step).put("status", status.word()).put("duration_ms", durationMs);
                if (message == null) {
                    m.putNull("message");
                } else {
                    m.put("message", message);
                }
                String snap = status == StepStatus.SUCCEEDED ? run.snapshots().get(step) : null;
                if (snap != null) {
                    m.put("snapshot", snap);
                }
                send.accept(m);
            }

            @Override
            public void finished(PipelineRuns.Run run) {
                ObjectNode m = json.createObjectNode().put("action", "run_finished").put("run_id", run.runId());
                m.setAll(runJson(run));
                send.accept(m);
            }
        };
    }

    private ClusterRuns.Events clusterEvents(Consumer<ObjectNode> send) {
        return new ClusterRuns.Events() {
            @Override
            public void step(ClusterRuns.Run run, String step, String status, long durationMs, String message) {
                ObjectNode m = json.createObjectNode().put("action", "run_progress").put("run_id", run.runId)
                        .put("target", run.target).put("step", step).put("status", status).put("duration_ms", durationMs);
                if (message == null) {
                    m.putNull("message");
                } else {
                    m.put("message", message);
                }
                send.accept(m);
            }

            @Override
            public void finished(ClusterRuns.Run run) {
                ObjectNode m = json.createObjectNode().put("action", "run_finished").put("run_id", run.runId);
                m.setAll(cluster.json(run));
                send.accept(m);
            }
        };
    }

    /** A run of this kernel: {run_id, pipeline, target, status, active, duration_ms, steps:[...], snapshots, metrics}. */
    ObjectNode runJson(PipelineRuns.Run run) {
        ObjectNode r = json.createObjectNode().put("run_id", run.runId()).put("pipeline", run.pipeline().name())
                .put("notebook", run.notebook().toString()).put("target", "local").put("status", run.status())
                .put("active", !run.finished()).put("duration_ms", run.durationMs());
        if (run.error() != null) {
            r.put("error", run.error());
        }
        ArrayNode steps = r.putArray("steps");
        for (PipelineRuns.StepView v : run.steps()) {
            ObjectNode s = steps.addObject().put("name", v.name()).put("status", v.status().word()).put("duration_ms", v.durationMs());
            ArrayNode deps = s.putArray("deps");
            v.deps().forEach(deps::add);
            if (v.message() != null) {
                s.put("message", v.message());
            }
        }
        ObjectNode snaps = r.putObject("snapshots");
        run.snapshots().forEach(snaps::put);
        RunSummary summary = run.summary();
        if (summary != null && summary.metrics() != null) {
            r.set("metrics", json.valueToTree(summary.metrics()));
        }
        return r;
    }

    /** A finished run from its summary.json, in the same shape as {@link #runJson(PipelineRuns.Run)}. */
    private ObjectNode runJsonFromDisk(Path notebook, String runId) {
        RunLayout layout = RunLayout.existing(home(notebook), runId);
        if (!Files.isRegularFile(layout.summaryFile())) {
            throw new UserError("run " + runId + " has no summary yet (running in another process, or interrupted)");
        }
        RunSummary s = PipelineJson.read(layout.summaryFile(), RunSummary.class);
        Pipeline p = Files.isRegularFile(layout.pipelineFile()) ? PipelineJson.read(layout.pipelineFile(), Pipeline.class) : null;
        ObjectNode r = json.createObjectNode().put("run_id", s.runId()).put("pipeline", s.pipeline()).put("target", "local")
                .put("status", s.status()).put("active", false).put("duration_ms", s.durationMs());
        ArrayNode steps = r.putArray("steps");
        if (s.steps() != null) {
            s.steps().forEach((name, st) -> {
                ObjectNode o = steps.addObject().put("name", name).put("status", st.status().word()).put("duration_ms", st.durationMs());
                ArrayNode deps = o.putArray("deps");
                if (p != null) {
                    p.step(name).ifPresent(step -> step.dependencies().forEach(deps::add));
                }
                if (st.error() != null) {
                    o.put("message", st.error());
                }
            });
        }
        r.set("snapshots", json.valueToTree(s.snapshots() == null ? Map.of() : s.snapshots()));
        if (s.metrics() != null) {
            r.set("metrics", json.valueToTree(s.metrics()));
        }
        return r;
    }
}
