package dev.kale4j.cluster.kfp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.Fixtures;
import dev.kale4j.cluster.Targets;
import dev.kale4j.cluster.kfp.ir.ComponentSpec;
import dev.kale4j.cluster.kfp.ir.ParameterType.ParameterTypeEnum;
import dev.kale4j.cluster.kfp.ir.PipelineDeploymentConfig;
import dev.kale4j.cluster.kfp.ir.PipelineSpec;
import dev.kale4j.cluster.kfp.ir.PipelineTaskSpec;
import dev.kale4j.cluster.kfp.platform.KubernetesExecutorConfig;
import dev.kale4j.cluster.runtime.SpecCodec;
import dev.kale4j.common.UserError;
import dev.kale4j.converter.PipelineCompiler;
import dev.kale4j.pipeline.Pipeline;
import dev.kale4j.pipeline.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KfpCompilerTest {
    @TempDir
    Path dir;

    String compile(String fixture, Consumer<ObjectNode> edit) throws Exception {
        Notebook nb = Fixtures.notebook(fixture, dir.resolve("nb"), edit);
        Path file = Targets.find("kfp").compile(PipelineCompiler.compile(nb), nb, CompileOptions.defaults(),
                dir.resolve("out")).get(0);
        return Files.readString(file);
    }

    @ParameterizedTest
    @ValueSource(strings = {Fixtures.WORD_STATS, Fixtures.SHORT_TAGS, Fixtures.LINREG})
    void theApiServerWouldAcceptEveryFixture(String fixture) throws Exception {
        String yaml = compile(fixture, kn -> { });
        assertThat(IrRules.problems(yaml)).isEmpty();
        IrRules.Parsed parsed = IrRules.parse(yaml);
        Pipeline pipeline = PipelineCompiler.compile(Fixtures.notebook(fixture, dir.resolve("again"))).pipeline();
        PipelineSpec spec = parsed.pipeline();
        assertThat(spec.getSchemaVersion()).isEqualTo("2.1.0");
        assertThat(spec.getRoot().getDag().getTasksMap()).hasSize(pipeline.steps().size());
        for (Step s : pipeline.steps()) {
            PipelineTaskSpec t = spec.getRoot().getDag().getTasksOrThrow(s.name().replace('_', '-'));
            assertThat(t.getDependentTasksList()).as(s.name())
                    .containsExactlyElementsOf(s.dependencies().stream().map(d -> d.replace('_', '-')).toList());
            assertThat(spec.getComponentsMap()).containsKey(t.getComponentRef().getName());
        }
    }

    @Test
    void rulesRejectWhatTheApiServerRejects() throws Exception {
        String yaml = compile(Fixtures.WORD_STATS, kn -> { });
        assertThat(IrRules.problems(yaml.replace("schemaVersion: 2.1.0", "schemaVersion: 2.0.0")))
                .singleElement().asString().contains("schemaVersion");
        assertThat(IrRules.problems(yaml.replace("pipelineInfo:", "pipelineInfo:\n  colour: red")))
                .singleElement().asString().contains("colour");
        assertThat(IrRules.problems(yaml.replace("name: word-stats", "name: Word_Stats")))
                .singleElement().asString().contains("DNS");
    }

    @Test
    void rootParametersAreTypedWithDefaultsAndMetricsAreSystemMetrics() throws Exception {
        PipelineSpec spec = IrRules.parse(compile(Fixtures.LINREG, kn -> { })).pipeline();
        var params = spec.getRoot().getInputDefinitions().getParametersMap();
        assertThat(params.get("learningRate").getParameterType()).isEqualTo(ParameterTypeEnum.NUMBER_DOUBLE);
        assertThat(params.get("learningRate").getDefaultValue().getNumberValue()).isEqualTo(0.05);
        assertThat(params.get("epochs").getParameterType()).isEqualTo(ParameterTypeEnum.NUMBER_INTEGER);
        assertThat(params.get("mode").getDefaultValue().getStringValue()).isEqualTo("fast");
        assertThat(params.get("normalize").getParameterType()).isEqualTo(ParameterTypeEnum.BOOLEAN);
        ComponentSpec evaluate = spec.getComponentsOrThrow("comp-evaluate");
        assertThat(evaluate.getOutputDefinitions().getArtifactsOrThrow("metrics").getArtifactType().getSchemaTitle())
                .isEqualTo("system.Metrics");
        assertThat(spec.getRoot().getOutputDefinitions().getArtifactsOrThrow("evaluate-metrics").getArtifactType()
                .getSchemaTitle()).isEqualTo("system.Metrics");
        PipelineTaskSpec train = spec.getRoot().getDag().getTasksOrThrow("train");
        assertThat(train.getInputs().getParametersOrThrow("epochs").getComponentInputParameter()).isEqualTo("epochs");
        assertThat(train.getInputs().getArtifactsOrThrow("xs").getTaskOutputArtifact().getProducerTask())
                .isEqualTo("prepare");
        assertThat(train.getRetryPolicy().getMaxRetryCount()).isEqualTo(2);
        assertThat(train.getCachingOptions().getEnableCache()).isFalse();
        assertThat(spec.getRoot().getDag().getTasksOrThrow("prepare").getCachingOptions().getEnableCache()).isTrue();
    }

    @Test
    void executorsRunTheStepWrapperWithResourcesAndThePlatformSpecCarriesKubernetesSettings() throws Exception {
        IrRules.Parsed parsed = IrRules.parse(compile(Fixtures.LINREG, kn -> { }));
        PipelineDeploymentConfig.Builder dep = PipelineDeploymentConfig.newBuilder();
        JsonFormat.parser().merge(JsonFormat.printer().print(parsed.pipeline().getDeploymentSpec()), dep);
        var train = dep.getExecutorsOrThrow("exec-train").getContainer();
        assertThat(train.getImage()).isEqualTo("registry.example.com/trainer:2");
        assertThat(train.getCommandList()).endsWith("dev.kale4j.cluster.runtime.ClusterStepMain");
        assertThat(train.getArgsList()).containsSequence("--param", "epochs", "{{$.inputs.parameters['epochs']}}")
                .containsSequence("--input", "xs", "{{$.inputs.artifacts['xs'].path}}")
                .containsSequence("--kfp-executor-input", "{{$}}");
        assertThat(train.getResources().getAccelerator().getResourceType()).isEqualTo("nvidia.com/gpu");
        assertThat(train.getResources().getAccelerator().getResourceCount()).isEqualTo("1");
        assertThat(train.getResources().getResourceMemoryLimit()).isEqualTo("2Gi");
        assertThat(SpecCodec.decode(train.getArgs(1)).step()).isEqualTo("train");

        var exec = parsed.platform().getPlatformsOrThrow("kubernetes").getDeploymentSpec().getExecutorsOrThrow("exec-train");
        KubernetesExecutorConfig.Builder k = KubernetesExecutorConfig.newBuilder();
        JsonFormat.parser().merge(JsonFormat.printer().print(exec), k);
        assertThat(k.getSecretAsEnv(0).getKeyToEnv(0).getEnvVar()).isEqualTo("DB_PASSWORD");
        assertThat(k.getNodeSelector().getLabelsMap()).containsEntry("pool", "batch");
        assertThat(k.getTolerations(0).getKey()).isEqualTo("dedicated");
        assertThat(k.getActiveDeadlineSeconds()).isEqualTo(600);
        assertThat(k.getPodMetadata().getLabelsMap()).containsEntry("team", "ml");
    }

    @Test
    void volumeDataPassingNeedsAnExistingClaimAndMountsIt() throws Exception {
        assertThatThrownBy(() -> compile(Fixtures.WORD_STATS, kn -> kn.putObject("cluster").put("data_passing", "volume")))
                .isInstanceOf(UserError.class).hasMessageContaining("claim_name");
        IrRules.Parsed parsed = IrRules.parse(compile(Fixtures.WORD_STATS, kn -> kn.putObject("cluster")
                .put("data_passing", "volume").putObject("workspace").put("claim_name", "ws")));
        var exec = parsed.platform().getPlatformsOrThrow("kubernetes").getDeploymentSpec().getExecutorsOrThrow(
                "exec-report");
        KubernetesExecutorConfig.Builder k = KubernetesExecutorConfig.newBuilder();
        JsonFormat.parser().merge(JsonFormat.printer().print(exec), k);
        assertThat(k.getPvcMount(0).getMountPath()).isEqualTo("/workspace");
        assertThat(k.getPvcMount(0).getPvcNameParameter().getRuntimeValue().getConstant().getStringValue()).isEqualTo("ws");
        assertThat(parsed.pipeline().getComponentsOrThrow("comp-report").getInputDefinitions().getArtifactsCount()).isZero();
        // KFP's cache does not cover the volume: a hit would leave the new run's claim without the outputs.
        assertThat(parsed.pipeline().getRoot().getDag().getTasksMap().values())
                .allSatisfy(t -> assertThat(t.getCachingOptions().getEnableCache()).isFalse());
    }
}
