package dev.kale4j.kernel.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.cluster.ClusterPlan;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.StepPlan;
import dev.kale4j.cluster.argo.ArgoCompiler;
import dev.kale4j.cluster.kfp.KfpCompiler;
import dev.kale4j.cluster.submit.ArgoRuns;
import dev.kale4j.cluster.submit.KfpClient;
import dev.kale4j.cluster.submit.KfpSubmission;
import dev.kale4j.cluster.submit.RunStatus;
import dev.kale4j.common.UserError;
import dev.kale4j.converter.Compilation;
import dev.kale4j.converter.PipelineCompiler;
import dev.kale4j.pipeline.Step;
import dev.kale4j.runner.LocalRunner;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Cluster runs started from the comm ({@code run} with {@code target: "argo"} or {@code "kfp"}): compiled as
 * {@code kale4j submit} does, created on the cluster (an Argo Workflow, or a KFP pipeline upload and run), then
 * followed in a background thread that turns the step states into {@code run_progress} events and a final
 * {@code run_finished} (docs/comm-protocol.md).
 */
final class ClusterRuns {
    /** Cluster targets the kernel can submit to. */
    static final List<String> TARGETS = List.of("argo", "kfp");
    /** The KFP API unless {@code KFP_URL} says otherwise (as kale4j submit). */
    static final String DEFAULT_KFP_URL = "http://ml-pipeline.kubeflow:8888";
    /** How long a run is followed; an Argo run that takes longer is still shown by run_status. */
    static final Duration FOLLOW = Duration.ofDays(7);

    /** What a run reports while it is followed. */
    interface Events {
        void step(Run run, String step, String status, long durationMs, String message);

        void finished(Run run);
    }

    /** A cluster run this kernel started. */
    static final class Run {
        final String runId;
        final String target;
        final String namespace;
        final String pipeline;
        final Path notebook;
        final String uiBase;
        final String uiUrl;
        /** The pipeline's steps (name to its dependencies), in pipeline order. */
        final Map<String, List<String>> deps;
        final Map<String, String> taskToStep;
        final Map<String, RunStatus.StepStatus> steps = new ConcurrentHashMap<>();
        final long started = System.nanoTime();
        final CountDownLatch done = new CountDownLatch(1);
        volatile String status = "Pending";
        volatile String message;
        volatile String error;
        volatile boolean stopRequested;
        volatile long durationMs = -1;
        volatile Thread follower;

        Run(String runId, String target, String namespace, String pipeline, Path notebook, String uiBase,
            Map<String, List<String>> deps, Map<String, String> taskToStep) {
            this.runId = runId;
            this.target = target;
            this.namespace = namespace;
            this.pipeline = pipeline;
            this.notebook = notebook;
            this.uiBase = uiBase;
            this.uiUrl = uiUrl(target, uiBase, namespace, runId);
            this.deps = deps;
            this.taskToStep = taskToStep;
        }

        boolean finished() {
            return done.getCount() == 0;
        }

        boolean await(long time, TimeUnit unit) throws InterruptedException {
            return done.await(time, unit);
        }

        long durationMs() {
            long d = durationMs;
            return d >= 0 ? d : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        }
    }

    private final ObjectMapper json;
    private final Supplier<KubernetesClient> clients;
    private final Supplier<String> configProblem;
    private final Function<String, String> env;
    private final Supplier<KfpClient> kfpClients;
    private final Duration refresh;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private KubernetesClient client;

    /**
     * @param clients       makes the Kubernetes client (kubeconfig or in-cluster service account); asked once
     * @param configProblem {@code null} when a kubeconfig or in-cluster configuration is there, else why not
     * @param env           environment variables (KALE4J_ARGO_UI, KALE4J_KFP_UI)
     */
    ClusterRuns(ObjectMapper json, Supplier<KubernetesClient> clients, Supplier<String> configProblem,
                Function<String, String> env, Duration refresh) {
        this.json = json;
        this.kfpClients = () -> new KfpClient(java.net.URI.create(kfpUrl(env)), KfpClient.Auth.resolve(null), refresh);
        this.clients = clients;
        this.configProblem = configProblem;
        this.env = env;
        this.refresh = refresh;
    }

    /** The kernel's: kubeconfig ($KUBECONFIG, ~/.kube/config) or the pod's service account, read when first needed. */
    static ClusterRuns standard(ObjectMapper json) {
        return new ClusterRuns(json, ClusterRuns::defaultClient, ClusterRuns::defaultConfigProblem, System::getenv,
                Duration.ofSeconds(5));
    }

    static KubernetesClient defaultClient() {
        // fabric8 warns that argoproj.io/v1alpha1 is an "unstable version" on every call: not news to the user.
        System.setProperty("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils",
                "error");
        // Short timeouts: "targets" is asked when the panel opens, and an unreachable cluster should not hang it.
        Config config = new ConfigBuilder(Config.autoConfigure(null)).withConnectionTimeout(5_000)
                .withRequestTimeout(15_000).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** {@code null} when fabric8 finds a kubeconfig or an in-cluster service account, else why there is none. */
    static String defaultConfigProblem() {
        String kubeconfig = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE, System.getenv("KUBECONFIG"));
        List<Path> files = new ArrayList<>();
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            for (String f : kubeconfig.split(java.io.File.pathSeparator)) {
                if (!f.isBlank()) {
                    files.add(Path.of(f));
                }
            }
        } else {
            files.add(Path.of(System.getProperty("user.home"), ".kube", "config"));
        }
        if (files.stream().anyMatch(Files::isRegularFile)) {
            return null;
        }
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null
                && Files.isRegularFile(Path.of(Config.KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH))) {
            return null;
        }
        return "no Kubernetes configuration: no kubeconfig (" + files.get(0) + ", or $KUBECONFIG) and not running in"
                + " a cluster pod with a service account";
    }

    private synchronized KubernetesClient client() {
        if (client == null) {
            String problem = configProblem.get();
            if (problem != null) {
                throw new UserError("cannot reach a cluster: " + problem + " (docs/cluster.md)");
            }
            client = clients.get();
        }
        return client;
    }

    private ArgoRuns argo() {
        return new ArgoRuns(client(), refresh);
    }

    static String kfpUrl(Function<String, String> env) {
        String url = env.apply("KFP_URL");
        return url == null || url.isBlank() ? DEFAULT_KFP_URL : url.strip();
    }

    /**
     * {@code null} when a KFP API is configured: {@code KFP_URL}, or a Kubeflow notebook pod (the projected KFP
     * token is there, so the in-cluster default address applies); else why not.
     */
    String kfpProblem() {
        String url = env.apply("KFP_URL");
        String tokenPath = env.apply("KF_PIPELINES_SA_TOKEN_PATH");
        if ((url == null || url.isBlank())
                && !Files.isReadable(Path.of(tokenPath != null ? tokenPath : KfpClient.PROJECTED_TOKEN))) {
            return "no KFP API configured: set KFP_URL for the kernel (e.g. " + DEFAULT_KFP_URL + ", or"
                    + " http://localhost:8888 with a port-forward), or use a Kubeflow notebook with access to Kubeflow"
                    + " Pipelines";
        }
        return null;
    }

    private KfpClient kfp() {
        String problem = kfpProblem();
        if (problem != null) {
            throw new UserError("cannot reach Kubeflow Pipelines: " + problem + " (docs/cluster.md)");
        }
        return kfpClients.get();
    }

    /**
     * Whether {@code target} can be used: {@code null} when it can, else why not. Argo needs a kubeconfig or
     * in-cluster configuration and the Workflow CRD (with the right to list Workflows in the namespace).
     */
    String unavailable(String target, String namespace) {
        if (!TARGETS.contains(target)) {
            return "the kernel submits to Argo and Kubeflow Pipelines; use kale4j submit --target " + target;
        }
        if (target.equals("kfp")) {
            try {
                String problem = kfpProblem();
                return problem != null ? problem : kfpClients.get().unavailable();
            } catch (RuntimeException e) {
                return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
        }
        String problem = configProblem.get();
        if (problem != null) {
            return problem;
        }
        try {
            return argo().unavailable(namespace(namespace, null));
        } catch (RuntimeException e) {
            // A kubeconfig fabric8 cannot use, an unreachable server...: a reason, never an error dialog.
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }

    /** The request's namespace, else the notebook's cluster.namespace, else the kube context's, else default. */
    String namespace(String requested, String notebookSetting) {
        if (requested != null && !requested.isBlank()) {
            return requested;
        }
        if (notebookSetting != null) {
            return notebookSetting;
        }
        String ns = client().getNamespace();
        return ns == null || ns.isBlank() ? "default" : ns;
    }

    /** A run's states, one by one, until it is over: Argo's watch, or polling KFP. */
    private interface Follower {
        RunStatus follow(java.util.function.Consumer<RunStatus> onStatus) throws InterruptedException;
    }

    /**
     * Compiles the notebook like kale4j submit, creates the run (Argo Workflow, or KFP upload + run) and follows
     * it in the background.
     */
    Run start(String target, Path notebookFile, Map<String, String> params, String namespace, Events events) {
        if (!TARGETS.contains(target)) {
            throw new UserError("the kernel submits to Argo (target \"argo\") and Kubeflow Pipelines (\"kfp\"); use"
                    + " kale4j submit --target " + target);
        }
        Notebook nb = NotebookReader.read(notebookFile);
        Compilation c = PipelineCompiler.compile(nb);
        Map<String, String> values = LocalRunner.parameterValues(c.pipeline(), params);
        ClusterPlan plan = ClusterPlan.of(c, nb, CompileOptions.defaults());
        Map<String, List<String>> deps = new LinkedHashMap<>();
        for (Step s : c.pipeline().steps()) {
            deps.put(s.name(), List.copyOf(s.dependencies()));
        }
        Map<String, String> taskToStep = new LinkedHashMap<>();
        for (StepPlan sp : plan.steps()) {
            taskToStep.put(sp.k8sName(), sp.name());
        }
        String ns;
        String name;
        Follower follower;
        if (target.equals("argo")) {
            ns = namespace(namespace, plan.settings().namespace());
            ArgoRuns argo = argo();
            name = argo.submit(ArgoCompiler.build(plan), values, ns);
            String wf = name;
            follower = onStatus -> argo.follow(wf, ns, FOLLOW, onStatus);
        } else {
            ns = namespace != null && !namespace.isBlank() ? namespace : plan.settings().namespace() != null
                    ? plan.settings().namespace() : configuredNamespace();
            KfpClient kfp = kfp();
            String yaml = KfpCompiler.yaml(KfpCompiler.build(plan));
            name = KfpSubmission.submit(kfp, plan.pipeline(), plan.name(), yaml, values, ns).runId();
            String id = name;
            follower = onStatus -> {
                long deadline = System.nanoTime() + FOLLOW.toNanos();
                while (true) {
                    RunStatus s = kfp.run(id);
                    onStatus.accept(s);
                    if (s.finished() || System.nanoTime() > deadline) {
                        return s;
                    }
                    Thread.sleep(refresh.toMillis());
                }
            };
        }
        Run run = new Run(name, target, ns, c.pipeline().name(), notebookFile, plan.settings().uiBase(target, env),
                deps, taskToStep);
        runs.put(name, run);
        Thread t = new Thread(() -> follow(follower, run, events), "kale4j-" + target + "-" + name);
        t.setDaemon(true);
        run.follower = t;
        t.start();
        return run;
    }

    /** The kubeconfig context's namespace without contacting a cluster ({@code null} when there is none). */
    private String configuredNamespace() {
        if (configProblem.get() != null) {
            return null;
        }
        try {
            return client().getNamespace();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void follow(Follower follower, Run run, Events events) {
        Map<String, String> seen = new LinkedHashMap<>();
        try {
            RunStatus last = follower.follow(s -> update(run, s, seen, events));
            if (last == null || !last.finished()) {
                run.error = "still " + run.status + " after " + FOLLOW.toDays() + " days; no longer followed";
            }
        } catch (InterruptedException e) {
            run.error = "the kernel stopped following the run; it goes on on the cluster";
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            run.status = "Error";
            run.error = e.getMessage();
        } finally {
            run.durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - run.started);
            run.done.countDown();
            events.finished(run);
        }
    }

    private void update(Run run, RunStatus s, Map<String, String> seen, Events events) {
        for (RunStatus.StepStatus st : s.steps()) {
            String step = stepName(run, st.step());
            if (step == null) {
                continue; // snapshot tasks and other helper nodes
            }
            run.steps.put(step, st);
            String phase = word(st.phase(), false);
            if (!phase.equals(seen.put(step, phase))) {
                events.step(run, step, phase, st.durationMs(), st.message() == null || st.message().isBlank() ? null
                        : st.message());
            }
        }
        run.message = s.message();
        String phase = word(s.phase(), true);
        // Argo ends a stopped workflow Failed ("Stopped with strategy 'Stop'"), KFP CANCELED: say Stopped, as local
        // runs do.
        run.status = s.finished() && !s.succeeded() && (run.stopRequested || phase.equals("Stopped")
                || String.valueOf(s.message()).startsWith("Stopped with strategy")) ? "Stopped" : phase;
    }

    /** Argo's phases as they are; KFP's states (SUCCEEDED, CANCELED ...) in the same words. */
    static String word(String phase, boolean run) {
        if (phase == null) {
            return "Pending";
        }
        return switch (phase.toUpperCase(java.util.Locale.ROOT)) {
            case "PENDING", "RUNTIME_STATE_UNSPECIFIED" -> "Pending";
            case "RUNNING", "CANCELING", "PAUSED" -> "Running";
            case "SUCCEEDED" -> "Succeeded";
            case "FAILED" -> "Failed";
            case "ERROR" -> "Error";
            case "SKIPPED" -> "Skipped";
            case "OMITTED" -> "Omitted";
            case "CACHED" -> "Cached";
            case "CANCELED", "CANCELLED" -> run ? "Stopped" : "Failed";
            default -> phase;
        };
    }

    /** The pipeline step a Workflow node is about: the DAG task name (a retried attempt is "task(1)"). */
    static String stepName(Run run, String display) {
        String task = display.replaceAll("\\(\\d+\\)$", "");
        return run.taskToStep.get(task);
    }

    Run get(String runId) {
        return runs.get(runId);
    }

    Collection<Run> all() {
        return runs.values();
    }

    /**
     * Argo's stop: spec.shutdown=Stop; the Workflow then ends (Failed, reported as Stopped) with its exit handlers.
     * KFP: terminate the run (it ends CANCELED, reported as Stopped).
     */
    void stop(Run run) {
        run.stopRequested = true;
        if (run.target.equals("kfp")) {
            kfp().terminate(run.runId);
        } else {
            argo().stop(run.runId, run.namespace);
        }
    }

    /** A run read from the cluster (one this kernel did not start, e.g. before a restart). */
    ObjectNode fetch(String target, String runId, String namespace) {
        if (!TARGETS.contains(target)) {
            throw new UserError("the kernel reads Argo and KFP runs only, not " + target);
        }
        String ns = target.equals("kfp") ? namespace : namespace(namespace, null);
        RunStatus s = target.equals("kfp") ? kfp().run(runId) : argo().get(runId, ns);
        ObjectNode r = json.createObjectNode().put("run_id", s.name()).put("pipeline", s.pipeline())
                .put("target", target).put("namespace", ns).put("status", word(s.phase(), true))
                .put("active", !s.finished());
        String base = env.apply(target.equals("kfp") ? "KALE4J_KFP_UI" : "KALE4J_ARGO_UI");
        if (base != null && !base.isBlank()) {
            base = base.strip().replaceAll("/+$", "");
            r.put("ui_base", base).put("ui_url", uiUrl(target, base, ns, s.name()));
        }
        ArrayNode steps = r.putArray("steps");
        for (RunStatus.StepStatus st : s.steps()) {
            ObjectNode o = steps.addObject().put("name", st.step()).put("status", word(st.phase(), false))
                    .put("duration_ms", st.durationMs());
            o.putArray("deps");
            if (st.message() != null && !st.message().isBlank()) {
                o.put("message", st.message());
            }
        }
        if (s.message() != null) {
            r.put("message", s.message());
        }
        return r;
    }

    /** {run_id, pipeline, notebook, target, namespace, ui_url?, ui_base?, status, active, duration_ms, steps, ...}. */
    ObjectNode json(Run run) {
        ObjectNode r = json.createObjectNode().put("run_id", run.runId).put("pipeline", run.pipeline)
                .put("notebook", run.notebook.toString()).put("target", run.target).put("namespace", run.namespace)
                .put("status", run.status).put("active", !run.finished()).put("duration_ms", run.durationMs());
        if (run.uiUrl != null) {
            r.put("ui_url", run.uiUrl).put("ui_base", run.uiBase);
        }
        if (run.error != null) {
            r.put("error", run.error);
        }
        if (run.message != null && !run.message.isBlank()) {
            r.put("message", run.message);
        }
        ArrayNode steps = r.putArray("steps");
        ObjectNode metrics = json.createObjectNode();
        for (Map.Entry<String, List<String>> e : run.deps.entrySet()) {
            RunStatus.StepStatus st = run.steps.get(e.getKey());
            ObjectNode s = steps.addObject().put("name", e.getKey())
                    .put("status", st == null ? "Pending" : word(st.phase(), false))
                    .put("duration_ms", st == null ? 0 : st.durationMs());
            ArrayNode deps = s.putArray("deps");
            e.getValue().forEach(deps::add);
            if (st != null && st.message() != null && !st.message().isBlank()) {
                s.put("message", st.message());
            }
            if (st != null && st.snapshot() != null) {
                s.put("snapshot", st.snapshot());
            }
            if (st != null && st.metrics() != null) {
                try {
                    metrics.setAll((ObjectNode) json.readTree(st.metrics()));
                } catch (Exception notAnObject) {
                    // metrics the step printed in another shape: left out
                }
            }
        }
        r.putObject("snapshots");
        if (!metrics.isEmpty()) {
            r.set("metrics", metrics);
        }
        return r;
    }

    /**
     * The run's page in the Argo UI ({@code BASE/workflows/NS/NAME}) or the KFP UI ({@code BASE/#/runs/details/ID}),
     * as the extension's clusterRunUrl builds it.
     */
    static String uiUrl(String target, String base, String namespace, String runId) {
        if (base == null || base.isBlank()) {
            return null;
        }
        String b = base.replaceAll("/+$", "");
        return switch (target) {
            case "argo" -> namespace == null ? null : b + "/workflows/" + namespace + "/" + runId;
            case "kfp" -> b + "/#/runs/details/" + runId;
            default -> null;
        };
    }
}
