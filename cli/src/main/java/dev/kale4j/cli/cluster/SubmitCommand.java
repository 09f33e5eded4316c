package dev.kale4j.cli.cluster;

import dev.kale4j.annotator.Notebook;
import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.cluster.ClusterPlan;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.DataPassing;
import dev.kale4j.cluster.argo.ArgoCompiler;
import dev.kale4j.cluster.katib.KatibCompiler;
import dev.kale4j.cluster.katib.KatibSettings;
import dev.kale4j.cluster.kfp.KfpCompiler;
import dev.kale4j.cluster.submit.ArgoRuns;
import dev.kale4j.cluster.submit.KatibRuns;
import dev.kale4j.cluster.submit.KfpClient;
import dev.kale4j.cluster.submit.KfpSubmission;
import dev.kale4j.cluster.submit.RunStatus;
import dev.kale4j.common.UserError;
import dev.kale4j.converter.Compilation;
import dev.kale4j.converter.PipelineCompiler;
import dev.kale4j.runner.LocalRunner;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kale4j submit NB --target argo|kfp|katib [-p k=v]... [--namespace NS] [--watch]}: compiles the notebook
 * and creates the run on the cluster. Exit 0 when submitted (and, with --watch, succeeded), 1 when the watched run
 * failed, 2 for anything the user can fix (message only).
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Compile a notebook and run it on Kubernetes: Argo Workflows, Kubeflow Pipelines or Katib.")
public final class SubmitCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NOTEBOOK", description = "The .ipynb file.")
    Path notebook;

    @Option(names = "--target", required = true, paramLabel = "argo|kfp|katib", description = "The engine.")
    String target;

    @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE",
            description = "A pipeline parameter value for this run (repeatable).")
    Map<String, String> params = new LinkedHashMap<>();

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--watch", description = "Follow the run and print each step's status until it finishes.")
    boolean watch;

    @Option(names = "--timeout", defaultValue = "2h", paramLabel = "DURATION",
            description = "How long --watch follows the run (e.g. 30m, 2h). Default: ${DEFAULT-VALUE}.")
    String timeout;

    @Option(names = "--image", paramLabel = "IMAGE", description = "Image for steps without image: tag or docker_image.")
    String image;

    @Option(names = "--data-passing", paramLabel = "artifacts|volume", description = "Override the notebook's setting.")
    String dataPassing;

    @Option(names = "--kfp-url", paramLabel = "URL", defaultValue = "${env:KFP_URL:-http://ml-pipeline.kubeflow:8888}",
            description = "KFP API (default: $KFP_URL, else ${DEFAULT-VALUE}).")
    URI kfpUrl;

    @Option(names = "--kfp-token-file", paramLabel = "FILE",
            description = "Bearer token file (default: the projected service-account token, else the kubeconfig token).")
    Path kfpTokenFile;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Notebook nb = NotebookReader.read(notebook);
        Compilation c = PipelineCompiler.compile(nb);
        c.notes().forEach(n -> err.println("note: " + n));
        // Checked (name and type) before anything is sent; the same rules as local runs.
        Map<String, String> values = LocalRunner.parameterValues(c.pipeline(), params);
        CompileOptions options = new CompileOptions(image,
                dataPassing == null ? null : DataPassing.parse(dataPassing, "--data-passing"), false, null);
        ClusterPlan plan = ClusterPlan.of(c, nb, options);
        if (cluster.namespace == null) {
            // The notebook's cluster.namespace, as JupyterLab's Compile & Run uses it; -n still wins.
            cluster.namespace = plan.settings().namespace();
        }
        Duration limit = duration(timeout);
        return switch (target) {
            case "argo" -> argo(plan, values, limit, out);
            case "kfp" -> kfp(plan, values, limit, out);
            case "katib" -> katib(nb, plan, values, limit, out);
            default -> throw new UserError("--target must be argo, kfp or katib, not \"" + target + "\"");
        };
    }

    private int argo(ClusterPlan plan, Map<String, String> values, Duration limit, PrintWriter out) throws Exception {
        try (KubernetesClient client = cluster.client()) {
            String ns = cluster.namespace(client);
            ArgoRuns runs = new ArgoRuns(client);
            String name = runs.submit(ArgoCompiler.build(plan), values, ns);
            out.println("submitted Workflow " + name + " in namespace " + ns);
            out.flush();
            if (!watch) {
                out.println("follow it with: kale4j runs get " + name + " -n " + ns);
                return 0;
            }
            RunStatus s = created("Workflow " + name + " was created and keeps running (kale4j runs get " + name
                    + " -n " + ns + ")", () -> runs.watch(name, ns, limit, line -> {
                        out.println(line);
                        out.flush();
                    }));
            return s != null && s.succeeded() ? 0 : 1;
        }
    }

    private int kfp(ClusterPlan plan, Map<String, String> values, Duration limit, PrintWriter out) throws Exception {
        String ns = cluster.namespaceOrConfigured();
        KfpClient client = new KfpClient(kfpUrl, KfpClient.Auth.resolve(kfpTokenFile), Duration.ofSeconds(5));
        String yaml = KfpCompiler.yaml(KfpCompiler.build(plan));
        KfpSubmission.Submitted s = KfpSubmission.submit(client, plan.pipeline(), plan.name(), yaml, values, ns);
        out.println((s.pipeline().newPipeline() ? "uploaded pipeline " : "uploaded a new version of pipeline ")
                + plan.name() + " (id " + s.pipeline().pipelineId() + ", version " + s.pipeline().versionId() + ")");
        out.println("created run " + s.runId() + " in experiment " + s.experimentId());
        out.flush();
        if (!watch) {
            return 0;
        }
        RunStatus r = created("run " + s.runId() + " was created and keeps running (see the KFP UI)",
                () -> client.watch(s.runId(), limit, line -> {
                    out.println(line);
                    out.flush();
                }));
        return r.succeeded() ? 0 : 1;
    }

    private int katib(Notebook nb, ClusterPlan plan, Map<String, String> values, Duration limit, PrintWriter out)
            throws Exception {
        if (!params.isEmpty()) {
            throw new UserError("-p is not used with --target katib: Katib chooses the searched values; set fixed"
                    + " values in the notebook's parameters cell");
        }
        try (KubernetesClient client = cluster.client()) {
            String ns = cluster.namespace(client);
            KatibRuns katib = new KatibRuns(client, Duration.ofSeconds(10));
            String name = katib.create(KatibCompiler.build(plan, KatibSettings.of(nb, plan.pipeline())), ns);
            out.println("created Experiment " + name + " in namespace " + ns);
            out.flush();
            if (!watch) {
                return 0;
            }
            KatibRuns.ExperimentStatus s = created("Experiment " + name + " was created and keeps running (kubectl get"
                    + " experiment " + name + " -n " + ns + ")", () -> katib.watch(name, ns, limit, line -> {
                        out.println(line);
                        out.flush();
                    }));
            if (s.bestTrial() != null) {
                out.println("best trial " + s.bestTrial() + ": " + s.bestParameters() + " -> " + s.bestMetrics());
            }
            return "Succeeded".equals(s.condition()) ? 0 : 1;
        }
    }

    /** Watching failed after the object was created: say that it exists, so nothing is left behind silently. */
    private static <T> T created(String what, Callable<T> watch) throws Exception {
        try {
            return watch.call();
        } catch (UserError e) {
            throw new UserError(e.getMessage() + ". Note: " + what, e);
        }
    }

    static Duration duration(String text) {
        var m = java.util.regex.Pattern.compile("^(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$").matcher(text.trim());
        if (text.isBlank() || !m.matches()) {
            throw new UserError("--timeout: expected a duration such as 30m, 2h or 1h30m, not \"" + text + "\"");
        }
        long s = 0;
        for (int i = 1; i <= 3; i++) {
            if (m.group(i) != null) {
                s += Long.parseLong(m.group(i)) * (i == 1 ? 3600 : i == 2 ? 60 : 1);
            }
        }
        return Duration.ofSeconds(s);
    }
}
