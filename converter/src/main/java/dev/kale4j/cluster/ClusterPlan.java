package dev.kale4j.cluster;

import dev.kale4j.annotator.Notebook;
import dev.kale4j.annotator.StepNames;
import dev.kale4j.annotator.StepSettings;
import dev.kale4j.common.UserError;
import dev.kale4j.converter.Compilation;
import dev.kale4j.pipeline.Input;
import dev.kale4j.pipeline.Metric;
import dev.kale4j.pipeline.Parameter;
import dev.kale4j.pipeline.Pipeline;
import dev.kale4j.pipeline.Step;
import dev.kale4j.runtime.StepSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline as every cluster target sees it: one {@link StepPlan} per step in pipeline order, the
 * notebook's cluster settings and the chosen data passing. Built once per compile; targets only render it.
 *
 * @param name      DNS-1123 pipeline name (Kubernetes object names, KFP pipeline name)
 * @param snapshots true when steps are snapshotted (notebook {@code snapshot_volumes} and a configured target)
 * @param byName    the step plans by step name
 */
public record ClusterPlan(
        Pipeline pipeline,
        String name,
        ClusterSettings settings,
        DataPassing dataPassing,
        List<StepPlan> steps,
        boolean snapshots,
        CompileOptions options,
        Map<String, StepPlan> byName) {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterPlan.class);

    public ClusterPlan {
        steps = List.copyOf(steps);
        byName = Map.copyOf(byName);
    }

    public static ClusterPlan of(Compilation compilation, Notebook notebook, CompileOptions options) {
        Pipeline p = compilation.pipeline();
        ClusterSettings settings = ClusterSettings.of(notebook);
        DataPassing passing = options.dataPassing() != null ? options.dataPassing() : settings.dataPassing();
        Map<String, String> names = StepNames.kubernetesNames(p.steps().stream().map(Step::name).toList());
        List<StepPlan> plans = new ArrayList<>();
        for (Step s : p.steps()) {
            plans.add(plan(p, s, names.get(s.name()), settings, passing, options));
        }
        boolean snapshots = p.snapshots() && settings.snapshot().enabled();
        if (settings.snapshot().volumeSnapshotClass() != null && snapshots && passing != DataPassing.VOLUME) {
            throw new UserError(notebook.path().getFileName() + ": metadata.kubeflow_notebook.cluster.snapshot"
                    + ".volume_snapshot_class snapshots the workspace PVC, so it needs \"data_passing\": \"volume\";"
                    + " use snapshot.repo (s3://...) with artifacts");
        }
        if (p.snapshots() && !settings.snapshot().enabled()) {
            LOG.debug("snapshots are on but cluster.snapshot sets no repo or volume_snapshot_class: not snapshotting");
        }
        Map<String, StepPlan> index = new LinkedHashMap<>();
        plans.forEach(sp -> index.put(sp.name(), sp));
        return new ClusterPlan(p, dnsName(p.name()), settings, passing, plans, snapshots, options, index);
    }

    private static StepPlan plan(Pipeline p, Step s, String k8sName, ClusterSettings settings, DataPassing passing,
                                 CompileOptions options) {
        StepSettings st = s.settings() == null ? StepSettings.NONE : s.settings();
        String image = st.image() != null ? st.image() : p.dockerImage() != null ? p.dockerImage() : options.defaultImage();
        Map<String, String> limits = st.resourceLimits();
        Map<String, String> requests = new LinkedHashMap<>();
        // A request above its limit is rejected by the API server; a limit alone implies request = limit.
        settings.requests().forEach((k, v) -> {
            String limit = limits.get(k);
            if (limit == null || Quantity.getAmountInBytes(new Quantity(v))
                    .compareTo(Quantity.getAmountInBytes(new Quantity(limit))) <= 0) {
                requests.put(k, v);
            }
        });
        List<String> metrics = p.metrics().stream().filter(m -> m.step().equals(s.name())).map(Metric::name).toList();
        List<StepSpec.ParameterValue> params = new ArrayList<>();
        for (String name : s.parameters()) {
            Parameter par = p.parameter(name).orElseThrow();
            params.add(new StepSpec.ParameterValue(name, par.type(), par.defaultValue()));
        }
        List<StepSpec.InputArtifact> inputs = new ArrayList<>();
        for (Input in : s.inputs()) {
            inputs.add(new StepSpec.InputArtifact(in.variable(), in.step(),
                    ContainerPaths.input(passing, in.step(), in.variable())));
        }
        StepSpec spec = new StepSpec(p.name(), s.name(), s.prelude(), s.body(), params, inputs, s.outputs(), metrics,
                ContainerPaths.outputDir(passing, s.name()), ContainerPaths.WORKSPACE, List.of());
        return new StepPlan(s, k8sName, image, limits, requests, st.labels(), st.annotations(), st.secrets(),
                st.retryCount(), st.timeout(), st.cacheEnabled(), metrics, spec);
    }

    /** A DNS-1123 name for the pipeline (Kubernetes object names allow 253 characters; keep 52 for suffixes). */
    public static String dnsName(String name) {
        String s = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("-+", "-")
                .replaceAll("^-+|-+$", "");
        if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
            s = "p-" + s;
        }
        return s.length() > 52 ? s.substring(0, 52).replaceAll("-+$", "") : s;
    }

    /** The plan of a step by its pipeline name (indexed: compilers look steps up once per edge). */
    public StepPlan step(String name) {
        StepPlan s = byName.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no step " + name);
        }
        return s;
    }
}
