package dev.kale4j.cluster.argo;

import dev.kale4j.annotator.Notebook;
import dev.kale4j.annotator.SecretEnv;
import dev.kale4j.cluster.ClusterPlan;
import dev.kale4j.cluster.ClusterSettings;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.ContainerPaths;
import dev.kale4j.cluster.DataPassing;
import dev.kale4j.cluster.Manifests;
import dev.kale4j.cluster.StepPlan;
import dev.kale4j.cluster.TargetCompiler;
import dev.kale4j.cluster.runtime.ClusterStepMain;
import dev.kale4j.cluster.runtime.SpecCodec;
import dev.kale4j.common.Version;
import dev.kale4j.converter.Compilation;
import dev.kale4j.pipeline.Input;
import dev.kale4j.pipeline.Parameter;
import dev.kale4j.runtime.StepSpec;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles the pipeline to an Argo {@code Workflow} (or {@code WorkflowTemplate}): one DAG task per step
 * whose {@code dependencies} are exactly the resolved edges, so independent branches run in parallel;
 * pipeline parameters become {@code spec.arguments.parameters} (overridable at submission) passed to the
 * steps that use them.
 */
public final class ArgoCompiler implements TargetCompiler {
    public static final String PIPELINE_LABEL = "kale4j.dev/pipeline";
    public static final String STEP_LABEL = "kale4j.dev/step";
    public static final String ENTRYPOINT = "pipeline";
    static final String WORKSPACE_VOLUME = "workspace";
    static final String OUTPUTS_VOLUME = "kale4j-outputs";
    static final String SNAPSHOT_TEMPLATE = "kale4j-volume-snapshot";

    @Override
    public String name() {
        return "argo";
    }

    @Override
    public List<Path> compile(Compilation compilation, Notebook notebook, CompileOptions options, Path outDir) {
        ClusterPlan plan = ClusterPlan.of(compilation, notebook, options);
        Argo.Workflow wf = build(plan, options.workflowTemplate());
        String file = plan.name() + (options.workflowTemplate() ? "-workflowtemplate.yaml" : "-workflow.yaml");
        return List.of(Manifests.write(outDir.resolve(file), List.of(wf)));
    }

    public static Argo.Workflow build(ClusterPlan plan) {
        return build(plan, false);
    }

    public static Argo.Workflow build(ClusterPlan plan, boolean workflowTemplate) {
        ClusterSettings cs = plan.settings();
        boolean volume = plan.dataPassing() == DataPassing.VOLUME;
        List<Argo.Template> templates = new ArrayList<>();
        List<Argo.DagTask> tasks = new ArrayList<>();
        boolean volumeSnapshots = plan.snapshots() && cs.snapshot().volumeSnapshotClass() != null;
        for (StepPlan s : plan.steps()) {
            templates.add(stepTemplate(plan, s));
            tasks.add(task(plan, s));
            if (volumeSnapshots) {
                tasks.add(new Argo.DagTask("snapshot-" + s.k8sName(), SNAPSHOT_TEMPLATE, List.of(s.k8sName()),
                        Argo.Arguments.ofParameters(List.of(Argo.Parameter.of("step", s.k8sName())))));
            }
        }
        templates.add(0, new Argo.Template(ENTRYPOINT, null, null, null, new Argo.DagTemplate(tasks), null, null, null,
                null, null, null));
        if (volumeSnapshots) {
            templates.add(volumeSnapshotTemplate(plan));
        }
        List<Argo.Parameter> args = new ArrayList<>();
        for (Parameter p : plan.pipeline().parameters()) {
            args.add(new Argo.Parameter(p.name(), p.defaultValue(), null, null, p.type().javaName()));
        }
        List<PersistentVolumeClaim> claims = new ArrayList<>();
        List<Volume> volumes = new ArrayList<>();
        if (volume && cs.workspace().claimName() == null) {
            claims.add(new PersistentVolumeClaimBuilder().withNewMetadata().withName(WORKSPACE_VOLUME).endMetadata()
                    .withNewSpec().withAccessModes(cs.workspace().accessMode())
                    .withStorageClassName(cs.workspace().storageClass())
                    .withNewResources().addToRequests("storage", new Quantity(cs.workspace().size())).endResources()
                    .endSpec().build());
        } else if (volume) {
            volumes.add(new VolumeBuilder().withName(WORKSPACE_VOLUME).withNewPersistentVolumeClaim()
                    .withClaimName(cs.workspace().claimName()).endPersistentVolumeClaim().build());
        } else {
            volumes.add(new VolumeBuilder().withName(WORKSPACE_VOLUME).withNewEmptyDir().endEmptyDir().build());
        }
        // The wrapper writes outputs, metrics and snapshot ids here; a volume keeps that working in images whose
        // user may not create directories under / (any image: tag).
        volumes.add(new VolumeBuilder().withName(OUTPUTS_VOLUME).withNewEmptyDir().endEmptyDir().build());
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(PIPELINE_LABEL, plan.name());
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("kale4j.dev/notebook", plan.pipeline().notebook());
        annotations.put("kale4j.dev/version", Version.get());
        if (plan.pipeline().description() != null) {
            annotations.put("workflows.argoproj.io/description", plan.pipeline().description());
        }
        ObjectMetaBuilder meta = new ObjectMetaBuilder().withLabels(labels).withAnnotations(annotations)
                .withNamespace(plan.options().namespace());
        if (workflowTemplate) {
            meta.withName(plan.name());
        } else {
            meta.withGenerateName(plan.name() + "-");
        }
        Argo.WorkflowSpec spec = new Argo.WorkflowSpec(ENTRYPOINT, Argo.Arguments.ofParameters(args),
                cs.serviceAccount(), templates, claims, volumes, cs.nodeSelector(), cs.tolerations(), null,
                new Argo.PodMetadata(Map.of(PIPELINE_LABEL, plan.name()), Map.of()), null);
        return new Argo.Workflow(Argo.API_VERSION, workflowTemplate ? "WorkflowTemplate" : "Workflow", meta.build(),
                spec);
    }

    private static Argo.DagTask task(ClusterPlan plan, StepPlan s) {
        List<String> deps = s.step().dependencies().stream().map(d -> plan.step(d).k8sName()).toList();
        List<Argo.Parameter> params = s.step().parameters().stream()
                .map(p -> Argo.Parameter.of(p, "{{workflow.parameters." + p + "}}")).toList();
        List<Argo.Artifact> artifacts = new ArrayList<>();
        if (plan.dataPassing() == DataPassing.ARTIFACTS) {
            for (Input in : s.step().inputs()) {
                artifacts.add(new Argo.Artifact(artifactName(in.variable()), null, "{{tasks." + plan.step(in.step()).k8sName()
                        + ".outputs.artifacts." + artifactName(in.variable()) + "}}", null, null));
            }
        }
        if (ArgoMemo.memoized(plan, s)) {
            params = new ArrayList<>(params);
            for (String producer : ArgoMemo.producers(plan, s)) {
                params.add(Argo.Parameter.of(ArgoMemo.DIGEST_INPUT_PREFIX + producer,
                        "{{tasks." + producer + ".outputs.parameters." + ArgoMemo.DIGEST_OUTPUT + "}}"));
            }
        }
        return new Argo.DagTask(s.k8sName(), s.k8sName(), deps,
                params.isEmpty() && artifacts.isEmpty() ? null : new Argo.Arguments(params, artifacts));
    }

    private static Argo.Template stepTemplate(ClusterPlan plan, StepPlan s) {
        ClusterSettings cs = plan.settings();
        boolean artifacts = plan.dataPassing() == DataPassing.ARTIFACTS;
        List<Argo.Parameter> inParams = new ArrayList<>(
                s.step().parameters().stream().map(Argo.Parameter::input).toList());
        boolean memoized = ArgoMemo.memoized(plan, s);
        if (memoized) {
            ArgoMemo.producers(plan, s).forEach(p -> inParams.add(Argo.Parameter.input(ArgoMemo.DIGEST_INPUT_PREFIX + p)));
        }
        List<Argo.Artifact> inArtifacts = new ArrayList<>();
        List<Argo.Artifact> outArtifacts = new ArrayList<>();
        if (artifacts) {
            for (StepSpec.InputArtifact in : s.spec().inputs()) {
                inArtifacts.add(new Argo.Artifact(artifactName(in.variable()), in.path(), null, null, null));
            }
            for (String out : s.step().outputs()) {
                outArtifacts.add(new Argo.Artifact(artifactName(out), ContainerPaths.OUTPUTS + "/" + out + ".k4j", null,
                        null, Argo.ArchiveStrategy.NONE));
            }
        }
        List<Argo.Parameter> outParams = new ArrayList<>();
        outParams.add(new Argo.Parameter("metrics", null, null,
                new Argo.ValueFrom(ContainerPaths.OUTPUTS + "/metrics.json", "{}"), "metrics this step reported"));
        String encodedSpec = SpecCodec.encode(s.spec());
        List<String> args = new ArrayList<>(List.of("--spec", encodedSpec, "--run", "{{workflow.name}}",
                "--metrics-out", ContainerPaths.OUTPUTS + "/metrics.json"));
        for (String p : s.step().parameters()) {
            args.addAll(List.of("-p", p + "={{inputs.parameters." + p + "}}"));
        }
        if (ArgoMemo.publishesDigest(plan)) {
            String file = ContainerPaths.OUTPUTS + "/" + ArgoMemo.DIGEST_FILE;
            args.addAll(List.of("--digest-out", file));
            outParams.add(new Argo.Parameter(ArgoMemo.DIGEST_OUTPUT, null, null, new Argo.ValueFrom(file, "none"),
                    "SHA-256 of this step's outputs: the memoization key of the steps that consume them"));
        }
        List<EnvVar> env = new ArrayList<>();
        for (SecretEnv se : s.secrets()) {
            env.add(secretEnv(se.envVar(), se.secretName(), se.key()));
        }
        ClusterSettings.Snapshot snap = cs.snapshot();
        if (plan.snapshots() && snap.repo() != null) {
            args.addAll(List.of("--snapshot-repo", snap.repo(), "--snapshot-source", ContainerPaths.WORKSPACE,
                    "--snapshot-tag", "run={{workflow.name}}", "--snapshot-tag", "step=" + s.name(),
                    "--snapshot-tag", "pipeline=" + plan.name(),
                    "--snapshot-out", ContainerPaths.OUTPUTS + "/snapshot.json"));
            if (snap.s3Endpoint() != null) {
                args.addAll(List.of("--snapshot-s3-endpoint", snap.s3Endpoint()));
            }
            if (snap.s3Secret() != null) {
                env.add(secretEnv("AWS_ACCESS_KEY_ID", snap.s3Secret(), "AWS_ACCESS_KEY_ID"));
                env.add(secretEnv("AWS_SECRET_ACCESS_KEY", snap.s3Secret(), "AWS_SECRET_ACCESS_KEY"));
            }
            outParams.add(new Argo.Parameter("snapshot", null, null,
                    new Argo.ValueFrom(ContainerPaths.OUTPUTS + "/snapshot.json", "{}"),
                    "the snapshot-agent snapshot of this step's workspace"));
        }
        ContainerBuilder c = new ContainerBuilder().withName("main").withImage(s.image())
                .withCommand("java", "-cp", ContainerPaths.LIB, ClusterStepMain.class.getName())
                .withArgs(args).withEnv(env).withWorkingDir(ContainerPaths.WORKSPACE)
                .addNewVolumeMount().withName(WORKSPACE_VOLUME).withMountPath(ContainerPaths.WORKSPACE).endVolumeMount()
                .addNewVolumeMount().withName(OUTPUTS_VOLUME).withMountPath(ContainerPaths.OUTPUTS).endVolumeMount();
        if (!s.limits().isEmpty() || !s.requests().isEmpty()) {
            c.withNewResources().withLimits(quantities(s.limits())).withRequests(quantities(s.requests())).endResources();
        }
        Container container = c.build();
        Map<String, String> labels = new LinkedHashMap<>(s.labels());
        labels.put(STEP_LABEL, s.k8sName());
        Argo.RetryStrategy retry = s.retries() > 0 ? new Argo.RetryStrategy(Integer.toString(s.retries()), "Always") : null;
        String deadline = s.timeout() == null ? null : Long.toString(Math.max(1, s.timeout().toSeconds()));
        return new Argo.Template(s.k8sName(),
                inParams.isEmpty() && inArtifacts.isEmpty() ? null : new Argo.Inputs(inParams, inArtifacts),
                new Argo.Outputs(outParams, outArtifacts), new Argo.PodMetadata(labels, s.annotations()), null,
                container, null, retry, deadline, sameNodeAffinity(plan),
                memoized ? ArgoMemo.memoize(plan, s, encodedSpec) : null);
    }

    /**
     * With a ReadWriteOnce workspace every step pod must run where the volume is attached: require
     * co-location with the workflow's other pods (the first pod matches its own term, so it can start).
     */
    private static Affinity sameNodeAffinity(ClusterPlan plan) {
        if (plan.dataPassing() != DataPassing.VOLUME || plan.settings().workspace().readWriteMany()) {
            return null;
        }
        return new AffinityBuilder().withNewPodAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withNewLabelSelector().addToMatchLabels("workflows.argoproj.io/workflow", "{{workflow.name}}")
                .endLabelSelector().withTopologyKey("kubernetes.io/hostname")
                .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAffinity().build();
    }

    private static Argo.Template volumeSnapshotTemplate(ClusterPlan plan) {
        ClusterSettings cs = plan.settings();
        String pvc = cs.workspace().claimName() != null ? cs.workspace().claimName()
                : "{{workflow.name}}-" + WORKSPACE_VOLUME;
        String manifest = String.join("\n",
                "apiVersion: snapshot.storage.k8s.io/v1",
                "kind: VolumeSnapshot",
                "metadata:",
                "  name: \"{{workflow.name}}-{{inputs.parameters.step}}\"",
                "  labels:",
                "    kale4j.dev/run: \"{{workflow.name}}\"",
                "    " + STEP_LABEL + ": \"{{inputs.parameters.step}}\"",
                "    " + PIPELINE_LABEL + ": \"" + plan.name() + "\"",
                "spec:",
                "  volumeSnapshotClassName: \"" + cs.snapshot().volumeSnapshotClass() + "\"",
                "  source:",
                "    persistentVolumeClaimName: \"" + pvc + "\"",
                "");
        return new Argo.Template(SNAPSHOT_TEMPLATE, new Argo.Inputs(List.of(Argo.Parameter.input("step")), List.of()),
                null, null, null, null, new Argo.ResourceTemplate("create", manifest, "status.readyToUse == true",
                null), null, null, null, null);
    }

    private static EnvVar secretEnv(String env, String secret, String key) {
        return new EnvVarBuilder().withName(env).withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key)
                .endSecretKeyRef().endValueFrom().build();
    }

    private static Map<String, Quantity> quantities(Map<String, String> m) {
        Map<String, Quantity> q = new LinkedHashMap<>();
        m.forEach((k, v) -> q.put(k, new Quantity(v)));
        return q;
    }

    /** Argo artifact names allow letters, digits, '-' and '_'. */
    static String artifactName(String variable) {
        return variable.replace('$', '-');
    }

}
