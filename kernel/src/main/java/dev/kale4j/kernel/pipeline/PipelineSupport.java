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
import dev.kale4j.kernel.engine.JavaEngine;
import dev.kale4j.kernel.magics.CellRunner;
import dev.kale4j.pipeline.Input;
import dev.kale4j.pipeline.Pipeline;
import dev.kale4j.pipeline.PipelineJson;
import dev.kale4j.pipeline.Step;
import dev.kale4j.runner.LocalRunner;
import dev.kale4j.runner.RunLayout;
import dev.kale4j.runner.RunListener;
import dev.kale4j.runner.RunOptions;
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

    private final Kernel kernel;
    private final JavaEngine engine;
    private final ObjectMapper json;
    private final PipelineTracker tracker;
    private boolean runtimeOnClasspath;

    private PipelineSupport(Kernel kernel, JavaEngine engine, ObjectMapper json) {
        this.kernel = kernel;
        this.engine = engine;
        this.json = json;
        this.tracker = new PipelineTracker(kernel, json);
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
        return p;
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
                } else if (t.equals("--before") || t.equals("--after") || t.equals("--file") || t.equals("--in-process")) {
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
            case "run" -> {
                RunSummary s = run(notebook(a.options().get("notebook")), a.params(), a.options().containsKey("in-process"),
                        progress -> kernel.stdout(progress + "\n"));
                yield new CellResult(s.runId() + ": " + s.status(), null,
                        s.succeeded() ? null : new dev.kale4j.kernel.engine.EngineError("PipelineFailed",
                                "run " + s.runId() + " " + s.status(), List.of("run " + s.runId() + " " + s.status())));
            }
            case "compile" -> {
                List<Path> written = compile(notebook(a.options().get("notebook")), a.options().getOrDefault("target", "ir"),
                        Path.of(a.options().getOrDefault("output", ".")));
                written.forEach(p -> kernel.stdout(p + "\n"));
                yield CellResult.EMPTY;
            }
            case "status" -> {
                kernel.stdout(statusText(notebook(a.options().get("notebook"))));
                yield CellResult.EMPTY;
            }
            case "restore" -> {
                if (a.words().size() != 2) {
                    throw new UserError("usage: %pipeline restore RUN STEP [--before|--after] [--notebook PATH]");
                }
                List<String> vars = restore(notebook(a.options().get("notebook")), a.words().get(0), a.words().get(1),
                        !a.options().containsKey("after"));
                kernel.stdout("restored " + String.join(", ", vars) + "\n");
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
        c.notes().forEach(n -> kernel.stdout("note: " + n + "\n"));
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

    RunSummary run(Path notebook, Map<String, String> params, boolean inProcess, Consumer<String> progress)
            throws InterruptedException {
        Compilation c = PipelineCompiler.compile(NotebookReader.read(notebook));
        c.notes().forEach(n -> progress.accept("note: " + n));
        RunOptions d = RunOptions.defaults(home(notebook));
        RunOptions options = new RunOptions(params, d.home(), d.parallel(), null, null, inProcess, true, false);
        RunListener listener = new RunListener() {
            @Override
            public void runStarted(String runId, List<String> steps) {
                progress.accept("run " + runId + ": " + String.join(", ", steps));
            }

            @Override
            public void stepChanged(String step, StepStatus status, long durationMs, String message) {
                progress.accept(String.format(Locale.ROOT, "  %-20s %-10s %s%s", step, status.word(),
                        status.done() ? (durationMs / 1000.0) + " s" : "", message == null ? "" : "  " + message));
            }

            @Override
            public void runFinished(RunSummary summary) {
                progress.accept("run " + summary.runId() + " " + summary.status() + " in " + summary.durationMs() + " ms");
            }
        };
        return new LocalRunner(options, listener, null).run(c.pipeline());
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

    // ---- comm target ----

    void comm(Comm comm, ObjectNode data, dev.kale4j.kernel.messages.Message request) {
        String action = data.path("action").asText("");
        ObjectNode reply = json.createObjectNode().put("action", action).put("request_id", data.path("request_id").asText(""));
        try {
            String nbArg = data.path("notebook").asText(null);
            switch (action) {
                case "ping" -> reply.put("ok", true);
                case "graph" -> {
                    Compilation c = data.path("live").asBoolean(false) ? liveCompilation()
                            : PipelineCompiler.compile(NotebookReader.read(notebook(nbArg)));
                    reply.put("ok", true).put("svg", GraphRenderer.svg(c.pipeline()))
                            .put("text", GraphRenderer.text(c.pipeline()));
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
                    String requestId = data.path("request_id").asText("");
                    RunSummary s = run(notebook(nbArg), params, data.path("in_process").asBoolean(false), line -> {
                        ObjectNode update = json.createObjectNode().put("action", "run_progress")
                                .put("request_id", requestId).put("line", line);
                        comm.send(request, update);
                    });
                    reply.put("ok", s.succeeded()).set("summary", json.valueToTree(s));
                }
                case "status", "list_runs" -> {
                    ArrayNode runs = reply.put("ok", true).putArray("runs");
                    for (RunSummary s : runs(notebook(nbArg))) {
                        runs.add(json.valueToTree(s));
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
                    reply.put("ok", true).putArray("available").add("local");
                    ObjectNode reasons = reply.putObject("reasons");
                    for (String t : List.of("argo", "kfp", "katib")) {
                        reasons.put(t, "the kernel runs pipelines locally; use kale4j submit for " + t);
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
                    List<String> vars = restore(notebook(nbArg), data.path("run").asText(data.path("run_id").asText("latest")),
                            data.path("step").asText(""), !data.path("after").asBoolean(false));
                    ArrayNode v = reply.put("ok", true).putArray("variables");
                    vars.forEach(v::add);
                }
                default -> reply.put("ok", false).put("error", "unknown action '" + action + "'");
            }
        } catch (UserError e) {
            reply.put("ok", false).put("error", e.getMessage());
        } catch (Exception e) {
            reply.put("ok", false).put("error", e.toString());
        }
        comm.send(request, reply);
    }
}
