package dev.kale4j.cluster.katib;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.cluster.ClusterPlan;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.Manifests;
import dev.kale4j.cluster.StepPlan;
import dev.kale4j.cluster.TargetCompiler;
import dev.kale4j.cluster.argo.Argo;
import dev.kale4j.cluster.argo.ArgoCompiler;
import dev.kale4j.converter.Compilation;
import dev.kale4j.pipeline.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles the pipeline to a Katib {@code kubeflow.org/v1beta1 Experiment}: the search space from the
 * parameters cell and {@code katib_metadata}, the objective one of the pipeline metrics, and a trial template
 * that is the Argo Workflow of the pipeline with the trial's values as its arguments. The step that produces
 * the objective is the primary pod; its wrapper prints {@code name=value} lines that Katib's StdOut metrics
 * collector reads.
 */
public final class KatibCompiler implements TargetCompiler {
    public static final String API_VERSION = "kubeflow.org/v1beta1";

    @Override
    public String name() {
        return "katib";
    }

    @Override
    public List<Path> compile(Compilation compilation, Notebook notebook, CompileOptions options, Path outDir) {
        ClusterPlan plan = ClusterPlan.of(compilation, notebook, options);
        ObjectNode experiment = build(plan, KatibSettings.of(notebook, plan.pipeline()));
        return List.of(Manifests.write(outDir.resolve(plan.name() + "-katib.yaml"), List.of(experiment)));
    }

    public static ObjectNode build(ClusterPlan plan, KatibSettings k) {
        var m = Manifests.jsonMapper();
        ObjectNode exp = m.createObjectNode();
        exp.put("apiVersion", API_VERSION);
        exp.put("kind", "Experiment");
        ObjectNode meta = exp.putObject("metadata");
        meta.put("name", plan.name());
        if (plan.options().namespace() != null) {
            meta.put("namespace", plan.options().namespace());
        }
        meta.putObject("labels").put(ArgoCompiler.PIPELINE_LABEL, plan.name());
        ObjectNode spec = exp.putObject("spec");
        ObjectNode objective = spec.putObject("objective");
        objective.put("type", k.objectiveType());
        if (k.goal() != null) {
            objective.put("goal", k.goal());
        }
        objective.put("objectiveMetricName", k.objectiveMetric());
        if (!k.additionalMetrics().isEmpty()) {
            ArrayNode add = objective.putArray("additionalMetricNames");
            k.additionalMetrics().forEach(add::add);
        }
        spec.putObject("algorithm").put("algorithmName", k.algorithm());
        spec.put("parallelTrialCount", k.parallelTrialCount());
        spec.put("maxTrialCount", k.maxTrialCount());
        spec.put("maxFailedTrialCount", k.maxFailedTrialCount());
        spec.putObject("metricsCollectorSpec").putObject("collector").put("kind", "StdOut");
        ArrayNode params = spec.putArray("parameters");
        for (KatibSettings.SearchParameter p : k.parameters()) {
            ObjectNode n = params.addObject();
            n.put("name", p.name());
            n.put("parameterType", p.katibType());
            ObjectNode fs = n.putObject("feasibleSpace");
            if (p.list().isEmpty()) {
                fs.put("min", p.min());
                fs.put("max", p.max());
                if (p.step() != null) {
                    fs.put("step", p.step());
                }
            } else {
                ArrayNode list = fs.putArray("list");
                p.list().forEach(list::add);
            }
        }
        String producer = plan.pipeline().metrics().stream().filter(x -> x.name().equals(k.objectiveMetric()))
                .findFirst().orElseThrow().step();
        StepPlan primary = plan.step(producer);
        ObjectNode template = spec.putObject("trialTemplate");
        template.put("primaryContainerName", "main");
        template.putObject("primaryPodLabels").put(ArgoCompiler.STEP_LABEL, primary.k8sName());
        // Argo Workflow phases, as in Katib's Argo example (GJSON).
        template.put("successCondition", "status.[@this].#(phase==\"Succeeded\")#");
        template.put("failureCondition", "status.[@this].#(phase==\"Failed\")#");
        ArrayNode trialParams = template.putArray("trialParameters");
        for (KatibSettings.SearchParameter p : k.parameters()) {
            trialParams.addObject().put("name", p.name()).put("reference", p.name())
                    .put("description", "pipeline parameter " + p.name());
        }
        template.set("trialSpec", m.valueToTree(trialWorkflow(plan, k, primary)));
        return exp;
    }

    /**
     * The pipeline's Workflow with searched parameters set to {@code ${trialParameters.NAME}}; Katib names it.
     * The step that reports the objective always runs: Katib's collector reads the metrics from its pod, and a
     * memoized step has none. Its upstream steps stay memoized, so trials share unchanged data preparation.
     */
    static Argo.Workflow trialWorkflow(ClusterPlan plan, KatibSettings k, StepPlan primary) {
        Argo.Workflow wf = ArgoCompiler.build(plan);
        List<Argo.Parameter> args = new ArrayList<>();
        for (Parameter p : plan.pipeline().parameters()) {
            boolean searched = k.parameters().stream().anyMatch(s -> s.name().equals(p.name()));
            args.add(new Argo.Parameter(p.name(), searched ? "${trialParameters." + p.name() + "}" : p.defaultValue(),
                    null, null, p.type().javaName()));
        }
        Argo.WorkflowSpec s = wf.spec();
        Argo.WorkflowSpec spec = new Argo.WorkflowSpec(s.entrypoint(), Argo.Arguments.ofParameters(args),
                s.serviceAccountName(), s.templates().stream()
                        .map(t -> t.name().equals(primary.k8sName()) ? t.withoutMemoize() : t).toList(),
                s.volumeClaimTemplates(), s.volumes(), s.nodeSelector(),
                s.tolerations(), s.affinity(), s.podMetadata(), s.podGC());
        var meta = new io.fabric8.kubernetes.api.model.ObjectMetaBuilder(wf.metadata()).withGenerateName(null)
                .withNamespace(null).build();
        return new Argo.Workflow(wf.apiVersion(), wf.kind(), meta, spec);
    }
}
