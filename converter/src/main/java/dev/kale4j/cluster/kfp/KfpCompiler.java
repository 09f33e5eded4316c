package dev.kale4j.cluster.kfp;

import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
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
import dev.kale4j.cluster.kfp.ir.ArtifactTypeSchema;
import dev.kale4j.cluster.kfp.ir.ComponentInputsSpec;
import dev.kale4j.cluster.kfp.ir.ComponentOutputsSpec;
import dev.kale4j.cluster.kfp.ir.ComponentRef;
import dev.kale4j.cluster.kfp.ir.ComponentSpec;
import dev.kale4j.cluster.kfp.ir.DagOutputsSpec;
import dev.kale4j.cluster.kfp.ir.DagSpec;
import dev.kale4j.cluster.kfp.ir.ParameterType;
import dev.kale4j.cluster.kfp.ir.PipelineDeploymentConfig;
import dev.kale4j.cluster.kfp.ir.PipelineDeploymentConfig.PipelineContainerSpec;
import dev.kale4j.cluster.kfp.ir.PipelineInfo;
import dev.kale4j.cluster.kfp.ir.PipelineSpec;
import dev.kale4j.cluster.kfp.ir.PipelineTaskInfo;
import dev.kale4j.cluster.kfp.ir.PipelineTaskSpec;
import dev.kale4j.cluster.kfp.ir.PlatformDeploymentConfig;
import dev.kale4j.cluster.kfp.ir.PlatformSpec;
import dev.kale4j.cluster.kfp.ir.SinglePlatformSpec;
import dev.kale4j.cluster.kfp.ir.TaskInputsSpec;
import dev.kale4j.cluster.kfp.ir.ValueOrRuntimeParameter;
import dev.kale4j.cluster.kfp.platform.KubernetesExecutorConfig;
import dev.kale4j.cluster.kfp.platform.NodeSelector;
import dev.kale4j.cluster.kfp.platform.PodMetadata;
import dev.kale4j.cluster.kfp.platform.PvcMount;
import dev.kale4j.cluster.kfp.platform.SecretAsEnv;
import dev.kale4j.cluster.kfp.platform.Toleration;
import dev.kale4j.cluster.runtime.ClusterStepMain;
import dev.kale4j.cluster.runtime.KfpMetricsWriter;
import dev.kale4j.cluster.runtime.SpecCodec;
import dev.kale4j.common.UserError;
import dev.kale4j.common.Version;
import dev.kale4j.converter.Compilation;
import dev.kale4j.pipeline.Input;
import dev.kale4j.pipeline.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles the pipeline to KFP v2 pipeline IR ({@code schemaVersion 2.1.0}) with the protoc-generated classes
 * of {@code pipeline_spec.proto}: one component, executor and root-DAG task per step with
 * {@code dependentTasks}, typed root input parameters, step outputs as {@code system.Artifact}s and metrics as
 * a {@code system.Metrics} output. Kubernetes settings (node selectors, tolerations, secrets, labels, the
 * workspace PVC, deadlines) go into a second YAML document, the Kubernetes platform spec.
 */
public final class KfpCompiler implements TargetCompiler {
    public static final String SCHEMA_VERSION = "2.1.0";
    /** The API server's rule for {@code pipelineInfo.name}. */
    public static final Pattern PIPELINE_NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,127}$");
    private static final Logger LOG = LoggerFactory.getLogger(KfpCompiler.class);
    private static final ArtifactTypeSchema ARTIFACT = ArtifactTypeSchema.newBuilder().setSchemaTitle("system.Artifact")
            .setSchemaVersion("0.0.1").build();
    private static final ArtifactTypeSchema METRICS = ArtifactTypeSchema.newBuilder().setSchemaTitle("system.Metrics")
            .setSchemaVersion("0.0.1").build();

    /** The pipeline IR and its optional Kubernetes platform spec. */
    public record Result(PipelineSpec pipeline, PlatformSpec platform) {
    }

    @Override
    public String name() {
        return "kfp";
    }

    @Override
    public List<Path> compile(Compilation compilation, Notebook notebook, CompileOptions options, Path outDir) {
        ClusterPlan plan = ClusterPlan.of(compilation, notebook, options);
        return List.of(Manifests.write(outDir.resolve(plan.name() + "-kfp.yaml"), documents(build(plan))));
    }

    /** The YAML documents of a pipeline file: the IR, then the platform spec when there is one. */
    public static List<Object> documents(Result r) {
        List<Object> docs = new ArrayList<>();
        docs.add(Manifests.toYaml(jsonTree(r.pipeline())));
        if (r.platform() != null) {
            docs.add(Manifests.toYaml(jsonTree(r.platform())));
        }
        return docs;
    }

    /** The pipeline file's text, as uploaded to the KFP API. */
    public static String yaml(Result r) {
        return Manifests.yamlStream(documents(r));
    }

    /** The message as a Jackson tree, so it is written as YAML like the KFP SDK writes it. */
    public static Object jsonTree(Message m) {
        return ProtoJson.toTree(m);
    }

    public static Result build(ClusterPlan plan) {
        ClusterSettings cs = plan.settings();
        if (plan.dataPassing() == DataPassing.VOLUME && cs.workspace().claimName() == null) {
            throw new UserError("KFP with \"data_passing\": \"volume\" needs an existing ReadWriteMany or ReadWriteOnce"
                    + " claim: set metadata.kubeflow_notebook.cluster.workspace.claim_name, or use artifacts");
        }
        if (plan.snapshots() && cs.snapshot().volumeSnapshotClass() != null) {
            throw new UserError("KFP target: VolumeSnapshot snapshots are Argo-only; set"
                    + " metadata.kubeflow_notebook.cluster.snapshot.repo (s3://...) to snapshot with the snapshot agent");
        }
        PipelineSpec.Builder spec = PipelineSpec.newBuilder().setSchemaVersion(SCHEMA_VERSION)
                .setSdkVersion("kale4j-" + Version.get());
        PipelineInfo.Builder info = PipelineInfo.newBuilder().setName(plan.name())
                .setDisplayName(plan.pipeline().name());
        if (plan.pipeline().description() != null) {
            info.setDescription(plan.pipeline().description());
        }
        spec.setPipelineInfo(info);
        PipelineDeploymentConfig.Builder deployment = PipelineDeploymentConfig.newBuilder();
        DagSpec.Builder dag = DagSpec.newBuilder();
        DagOutputsSpec.Builder dagOutputs = DagOutputsSpec.newBuilder();
        ComponentOutputsSpec.Builder rootOutputs = ComponentOutputsSpec.newBuilder();
        Map<String, Struct> platformExecutors = new LinkedHashMap<>();
        for (StepPlan s : plan.steps()) {
            String comp = "comp-" + s.k8sName();
            String exec = "exec-" + s.k8sName();
            String metricsKey = metricsKey(s);
            spec.putComponents(comp, component(plan, s, exec, metricsKey));
            deployment.putExecutors(exec, PipelineDeploymentConfig.ExecutorSpec.newBuilder()
                    .setContainer(container(plan, s, metricsKey)).build());
            dag.putTasks(s.k8sName(), task(plan, s, comp));
            if (!s.metrics().isEmpty()) {
                String out = s.k8sName() + "-metrics";
                rootOutputs.putArtifacts(out, ComponentOutputsSpec.ArtifactSpec.newBuilder().setArtifactType(METRICS)
                        .build());
                dagOutputs.putArtifacts(out, DagOutputsSpec.DagOutputArtifactSpec.newBuilder()
                        .addArtifactSelectors(DagOutputsSpec.ArtifactSelectorSpec.newBuilder()
                                .setProducerSubtask(s.k8sName()).setOutputArtifactKey(metricsKey)).build());
            }
            KubernetesExecutorConfig k8s = kubernetes(plan, s);
            if (!k8s.equals(KubernetesExecutorConfig.getDefaultInstance())) {
                platformExecutors.put(exec, toStruct(k8s));
            }
        }
        if (dagOutputs.getArtifactsCount() > 0) {
            dag.setOutputs(dagOutputs);
        }
        ComponentInputsSpec.Builder rootInputs = ComponentInputsSpec.newBuilder();
        for (Parameter p : plan.pipeline().parameters()) {
            rootInputs.putParameters(p.name(), ComponentInputsSpec.ParameterSpec.newBuilder()
                    .setParameterType(type(p.type())).setDefaultValue(value(p)).setIsOptional(true).build());
        }
        ComponentSpec.Builder root = ComponentSpec.newBuilder().setDag(dag);
        if (rootInputs.getParametersCount() > 0) {
            root.setInputDefinitions(rootInputs);
        }
        if (rootOutputs.getArtifactsCount() > 0) {
            root.setOutputDefinitions(rootOutputs);
        }
        spec.setRoot(root);
        spec.setDeploymentSpec(toStruct(deployment.build()));
        PlatformSpec platform = null;
        if (!platformExecutors.isEmpty()) {
            platform = PlatformSpec.newBuilder().putPlatforms("kubernetes", SinglePlatformSpec.newBuilder()
                    .setDeploymentSpec(PlatformDeploymentConfig.newBuilder().putAllExecutors(platformExecutors)).build())
                    .build();
        }
        return new Result(spec.build(), platform);
    }

    /** "metrics", unless a step variable already has that artifact name. */
    static String metricsKey(StepPlan s) {
        return s.step().outputs().contains(KfpMetricsWriter.METRICS_ARTIFACT) || s.step().inputs().stream()
                .anyMatch(i -> i.variable().equals(KfpMetricsWriter.METRICS_ARTIFACT)) ? "kale4j_metrics"
                : KfpMetricsWriter.METRICS_ARTIFACT;
    }

    private static ComponentSpec component(ClusterPlan plan, StepPlan s, String exec, String metricsKey) {
        ComponentInputsSpec.Builder in = ComponentInputsSpec.newBuilder();
        for (String p : s.step().parameters()) {
            in.putParameters(p, ComponentInputsSpec.ParameterSpec.newBuilder()
                    .setParameterType(type(plan.pipeline().parameter(p).orElseThrow().type())).build());
        }
        ComponentOutputsSpec.Builder out = ComponentOutputsSpec.newBuilder();
        if (plan.dataPassing() == DataPassing.ARTIFACTS) {
            for (Input i : s.step().inputs()) {
                in.putArtifacts(i.variable(), ComponentInputsSpec.ArtifactSpec.newBuilder().setArtifactType(ARTIFACT)
                        .build());
            }
            for (String o : s.step().outputs()) {
                out.putArtifacts(o, ComponentOutputsSpec.ArtifactSpec.newBuilder().setArtifactType(ARTIFACT).build());
            }
        }
        if (!s.metrics().isEmpty()) {
            out.putArtifacts(metricsKey, ComponentOutputsSpec.ArtifactSpec.newBuilder().setArtifactType(METRICS)
                    .build());
        }
        if (plan.snapshots()) {
            out.putParameters("snapshot", ComponentOutputsSpec.ParameterSpec.newBuilder()
                    .setParameterType(ParameterType.ParameterTypeEnum.STRING).build());
        }
        ComponentSpec.Builder c = ComponentSpec.newBuilder().setExecutorLabel(exec);
        if (in.getParametersCount() + in.getArtifactsCount() > 0) {
            c.setInputDefinitions(in);
        }
        if (out.getParametersCount() + out.getArtifactsCount() > 0) {
            c.setOutputDefinitions(out);
        }
        return c.build();
    }

    private static PipelineTaskSpec task(ClusterPlan plan, StepPlan s, String comp) {
        PipelineTaskSpec.Builder t = PipelineTaskSpec.newBuilder()
                .setTaskInfo(PipelineTaskInfo.newBuilder().setName(s.k8sName()))
                .setComponentRef(ComponentRef.newBuilder().setName(comp))
                // KFP's cache key covers inputs and artifacts, not a workspace volume: a cache hit there would leave
                // the new run's volume without the step's outputs, so volume passing never caches.
                .setCachingOptions(PipelineTaskSpec.CachingOptions.newBuilder()
                        .setEnableCache(s.cache() && plan.dataPassing() == DataPassing.ARTIFACTS));
        s.step().dependencies().forEach(d -> t.addDependentTasks(plan.step(d).k8sName()));
        TaskInputsSpec.Builder in = TaskInputsSpec.newBuilder();
        for (String p : s.step().parameters()) {
            in.putParameters(p, TaskInputsSpec.InputParameterSpec.newBuilder().setComponentInputParameter(p).build());
        }
        if (plan.dataPassing() == DataPassing.ARTIFACTS) {
            for (Input i : s.step().inputs()) {
                in.putArtifacts(i.variable(), TaskInputsSpec.InputArtifactSpec.newBuilder().setTaskOutputArtifact(
                        TaskInputsSpec.InputArtifactSpec.TaskOutputArtifactSpec.newBuilder()
                                .setProducerTask(plan.step(i.step()).k8sName()).setOutputArtifactKey(i.variable()))
                        .build());
            }
        }
        if (in.getParametersCount() + in.getArtifactsCount() > 0) {
            t.setInputs(in);
        }
        if (s.retries() > 0) {
            t.setRetryPolicy(PipelineTaskSpec.RetryPolicy.newBuilder().setMaxRetryCount(s.retries()));
        }
        return t.build();
    }

    private static PipelineContainerSpec container(ClusterPlan plan, StepPlan s, String metricsKey) {
        List<String> args = new ArrayList<>(List.of("--spec", SpecCodec.encode(s.spec()),
                "--run", "{{$.pipeline_job_uuid}}", "--kfp-executor-input", "{{$}}"));
        if (!metricsKey.equals(KfpMetricsWriter.METRICS_ARTIFACT)) {
            args.addAll(List.of("--kfp-metrics-artifact", metricsKey));
        }
        for (String p : s.step().parameters()) {
            args.addAll(List.of("--param", p, "{{$.inputs.parameters['" + p + "']}}"));
        }
        if (plan.dataPassing() == DataPassing.ARTIFACTS) {
            for (Input i : s.step().inputs()) {
                args.addAll(List.of("--input", i.variable(), "{{$.inputs.artifacts['" + i.variable() + "'].path}}"));
            }
            for (String o : s.step().outputs()) {
                args.addAll(List.of("--output", o, "{{$.outputs.artifacts['" + o + "'].path}}"));
            }
        }
        ClusterSettings.Snapshot snap = plan.settings().snapshot();
        if (plan.snapshots()) {
            args.addAll(List.of("--snapshot-repo", snap.repo(), "--snapshot-source", ContainerPaths.WORKSPACE,
                    "--snapshot-tag", "run={{$.pipeline_job_uuid}}", "--snapshot-tag", "step=" + s.name(),
                    "--snapshot-tag", "pipeline=" + plan.name(),
                    "--snapshot-out", "{{$.outputs.parameters['snapshot'].output_file}}"));
            if (snap.s3Endpoint() != null) {
                args.addAll(List.of("--snapshot-s3-endpoint", snap.s3Endpoint()));
            }
        }
        PipelineContainerSpec.Builder c = PipelineContainerSpec.newBuilder().setImage(s.image())
                .addAllCommand(List.of("java", "-cp", ContainerPaths.LIB, ClusterStepMain.class.getName()))
                .addAllArgs(args);
        PipelineContainerSpec.ResourceSpec.Builder r = PipelineContainerSpec.ResourceSpec.newBuilder();
        s.limits().forEach((k, v) -> {
            switch (k) {
                case "cpu" -> r.setResourceCpuLimit(v);
                case "memory" -> r.setResourceMemoryLimit(v);
                case "nvidia.com/gpu", "amd.com/gpu" -> r.setAccelerator(PipelineContainerSpec.ResourceSpec
                        .AcceleratorConfig.newBuilder().setResourceType(k).setResourceCount(v));
                default -> LOG.warn("step {}: KFP IR has no field for limit {}={}; it is left out", s.name(), k, v);
            }
        });
        s.requests().forEach((k, v) -> {
            switch (k) {
                case "cpu" -> r.setResourceCpuRequest(v);
                case "memory" -> r.setResourceMemoryRequest(v);
                default -> LOG.warn("step {}: KFP IR has no field for request {}={}; it is left out", s.name(), k, v);
            }
        });
        if (!r.build().equals(PipelineContainerSpec.ResourceSpec.getDefaultInstance())) {
            c.setResources(r);
        }
        return c.build();
    }

    private static KubernetesExecutorConfig kubernetes(ClusterPlan plan, StepPlan s) {
        ClusterSettings cs = plan.settings();
        KubernetesExecutorConfig.Builder k = KubernetesExecutorConfig.newBuilder();
        Map<String, SecretAsEnv.Builder> secrets = new LinkedHashMap<>();
        for (SecretEnv se : s.secrets()) {
            secret(secrets, se.secretName()).addKeyToEnv(SecretAsEnv.SecretKeyToEnvMap.newBuilder()
                    .setSecretKey(se.key()).setEnvVar(se.envVar()));
        }
        if (plan.snapshots() && cs.snapshot().s3Secret() != null) {
            for (String key : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
                secret(secrets, cs.snapshot().s3Secret()).addKeyToEnv(SecretAsEnv.SecretKeyToEnvMap.newBuilder()
                        .setSecretKey(key).setEnvVar(key));
            }
        }
        secrets.values().forEach(k::addSecretAsEnv);
        if (!cs.nodeSelector().isEmpty()) {
            k.setNodeSelector(NodeSelector.newBuilder().putAllLabels(cs.nodeSelector()));
        }
        for (io.fabric8.kubernetes.api.model.Toleration t : cs.tolerations()) {
            Toleration.Builder tb = Toleration.newBuilder();
            if (t.getKey() != null) {
                tb.setKey(t.getKey());
            }
            if (t.getOperator() != null) {
                tb.setOperator(t.getOperator());
            }
            if (t.getValue() != null) {
                tb.setValue(t.getValue());
            }
            if (t.getEffect() != null) {
                tb.setEffect(t.getEffect());
            }
            if (t.getTolerationSeconds() != null) {
                tb.setTolerationSeconds(t.getTolerationSeconds());
            }
            k.addTolerations(tb);
        }
        if (!s.labels().isEmpty() || !s.annotations().isEmpty()) {
            k.setPodMetadata(PodMetadata.newBuilder().putAllLabels(s.labels()).putAllAnnotations(s.annotations()));
        }
        if (s.timeout() != null) {
            k.setActiveDeadlineSeconds(Math.max(1, s.timeout().toSeconds()));
        }
        if (plan.dataPassing() == DataPassing.VOLUME) {
            String claim = cs.workspace().claimName();
            k.addPvcMount(PvcMount.newBuilder().setConstant(claim).setMountPath(ContainerPaths.WORKSPACE)
                    .setPvcNameParameter(constant(claim)));
        }
        return k.build();
    }

    @SuppressWarnings("deprecation")
    private static SecretAsEnv.Builder secret(Map<String, SecretAsEnv.Builder> secrets, String name) {
        // Both the old field and the parameter: older API servers read only secret_name.
        return secrets.computeIfAbsent(name, n -> SecretAsEnv.newBuilder().setSecretName(n)
                .setSecretNameParameter(constant(n)));
    }

    private static TaskInputsSpec.InputParameterSpec constant(String value) {
        return TaskInputsSpec.InputParameterSpec.newBuilder().setRuntimeValue(ValueOrRuntimeParameter.newBuilder()
                .setConstant(Value.newBuilder().setStringValue(value))).build();
    }

    static ParameterType.ParameterTypeEnum type(dev.kale4j.pipeline.ParameterType t) {
        return switch (t) {
            case INT, LONG -> ParameterType.ParameterTypeEnum.NUMBER_INTEGER;
            case DOUBLE -> ParameterType.ParameterTypeEnum.NUMBER_DOUBLE;
            case BOOLEAN -> ParameterType.ParameterTypeEnum.BOOLEAN;
            case STRING -> ParameterType.ParameterTypeEnum.STRING;
        };
    }

    static Value value(Parameter p) {
        return switch (p.type()) {
            case INT, LONG, DOUBLE -> Value.newBuilder().setNumberValue(Double.parseDouble(p.defaultValue())).build();
            case BOOLEAN -> Value.newBuilder().setBoolValue(Boolean.parseBoolean(p.defaultValue())).build();
            case STRING -> Value.newBuilder().setStringValue(p.defaultValue()).build();
        };
    }

    /** A message as a protobuf Struct (the IR carries the deployment and platform specs as Structs). */
    static Struct toStruct(Message m) {
        return ProtoJson.toStruct(m);
    }
}
