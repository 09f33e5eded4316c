package dev.kale4j.cluster.katib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.Fixtures;
import dev.kale4j.cluster.Schemas;
import dev.kale4j.cluster.Targets;
import dev.kale4j.common.UserError;
import dev.kale4j.converter.PipelineCompiler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KatibCompilerTest {
    static final String EXPERIMENT = "v1beta1.Experiment";

    @TempDir
    Path dir;

    JsonNode compile(String fixture, Consumer<ObjectNode> edit) throws Exception {
        Notebook nb = Fixtures.notebook(fixture, dir.resolve("nb"), edit);
        Path file = Targets.find("katib").compile(PipelineCompiler.compile(nb), nb, CompileOptions.defaults(),
                dir.resolve("out")).get(0);
        return Schemas.YAML.readTree(Files.readString(file));
    }

    @Test
    void experimentValidatesAndItsTrialIsTheArgoWorkflow() throws Exception {
        JsonNode exp = compile(Fixtures.LINREG, kn -> { });
        assertThat(Schemas.validate(Schemas.KATIB, EXPERIMENT, exp)).isEmpty();
        assertThat(Schemas.unknownKeys(Schemas.KATIB, EXPERIMENT, exp)).isEmpty();
        JsonNode trial = exp.path("spec").path("trialTemplate").path("trialSpec");
        assertThat(Schemas.validate(Schemas.ARGO_V4, "io.argoproj.workflow.v1alpha1.Workflow", trial)).isEmpty();
        assertThat(Schemas.unknownArgoKeys("io.argoproj.workflow.v1alpha1.Workflow", trial)).isEmpty();
        assertThat(trial.path("metadata").has("generateName")).isFalse();
        JsonNode args = trial.path("spec").path("arguments").path("parameters");
        assertThat(args.get(0).path("value").asText()).isEqualTo("${trialParameters.learningRate}");
        assertThat(args.get(2).path("value").asText()).isEqualTo("fast");
        // The objective's step always runs (Katib reads its pod's metrics); the data preparation is memoized.
        for (JsonNode t : trial.path("spec").path("templates")) {
            switch (t.path("name").asText()) {
                case "evaluate" -> assertThat(t.has("memoize")).as("objective step").isFalse();
                case "prepare", "baseline-model" -> assertThat(t.has("memoize")).as(t.path("name").asText()).isTrue();
                default -> { }
            }
        }
        // The checks do fail on a wrong document.
        ((ObjectNode) exp.path("spec")).put("maxTrialCount", "many").put("maxTrailCount", 3);
        assertThat(Schemas.validate(Schemas.KATIB, EXPERIMENT, exp)).isNotEmpty();
        assertThat(Schemas.unknownKeys(Schemas.KATIB, EXPERIMENT, exp)).containsExactly(".spec.maxTrailCount");
    }

    @Test
    void searchSpaceObjectiveAndAlgorithmComeFromTheNotebook() throws Exception {
        JsonNode spec = compile(Fixtures.LINREG, kn -> { }).path("spec");
        assertThat(spec.path("objective").path("objectiveMetricName").asText()).isEqualTo("mse");
        assertThat(spec.path("objective").path("type").asText()).isEqualTo("minimize");
        assertThat(spec.path("objective").path("additionalMetricNames").get(0).asText()).isEqualTo("r2");
        assertThat(spec.path("algorithm").path("algorithmName").asText()).isEqualTo("bayesianoptimization");
        assertThat(spec.path("maxTrialCount").asInt()).isEqualTo(12);
        JsonNode lr = spec.path("parameters").get(0);
        assertThat(lr.path("parameterType").asText()).isEqualTo("double");
        assertThat(lr.path("feasibleSpace").path("min").asText()).isEqualTo("0.01");
        JsonNode epochs = spec.path("parameters").get(1);
        assertThat(epochs.path("parameterType").asText()).isEqualTo("discrete");
        assertThat(epochs.path("feasibleSpace").path("list").get(2).asText()).isEqualTo("40");
        JsonNode t = spec.path("trialTemplate");
        assertThat(t.path("primaryPodLabels").path("kale4j.dev/step").asText()).isEqualTo("evaluate");
        assertThat(t.path("primaryContainerName").asText()).isEqualTo("main");
        assertThat(spec.path("metricsCollectorSpec").path("collector").path("kind").asText()).isEqualTo("StdOut");
        assertThat(t.path("trialParameters").findValuesAsText("reference")).containsExactly("learningRate", "epochs");
    }

    @Test
    void gridAndRandomAreAccepted() throws Exception {
        JsonNode spec = compile(Fixtures.LINREG, kn -> {
            ObjectNode k = (ObjectNode) kn.get("katib_metadata");
            k.putObject("algorithm").put("algorithmName", "grid");
            ((ObjectNode) k.get("parameters").get(0).get("feasibleSpace")).put("step", "0.01");
        }).path("spec");
        assertThat(spec.path("algorithm").path("algorithmName").asText()).isEqualTo("grid");
        assertThat(spec.path("parameters").get(0).path("feasibleSpace").path("step").asText()).isEqualTo("0.01");
        assertThat(compile(Fixtures.LINREG, kn -> ((ObjectNode) kn.get("katib_metadata")).putObject("algorithm")
                .put("algorithmName", "random")).path("spec").path("algorithm").path("algorithmName").asText())
                .isEqualTo("random");
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> compile(Fixtures.WORD_STATS, kn -> { }))
                .isInstanceOf(UserError.class).hasMessageContaining("katib_metadata is missing");
        assertThatThrownBy(() -> compile(Fixtures.LINREG, kn -> ((ObjectNode) kn.get("katib_metadata")
                .get("objective")).put("objectiveMetricName", "accuracy")))
                .isInstanceOf(UserError.class).hasMessageContaining("mse, r2");
        assertThatThrownBy(() -> compile(Fixtures.LINREG, kn -> ((ObjectNode) kn.get("katib_metadata").get("parameters")
                .get(0)).put("name", "alpha"))).isInstanceOf(UserError.class).hasMessageContaining("alpha");
        assertThatThrownBy(() -> compile(Fixtures.LINREG, kn -> ((ObjectNode) kn.get("katib_metadata"))
                .putObject("algorithm").put("algorithmName", "grid")))
                .isInstanceOf(UserError.class).hasMessageContaining("step");
        assertThatThrownBy(() -> compile(Fixtures.LINREG, kn -> ((ObjectNode) kn.get("katib_metadata"))
                .putObject("algorithm").put("algorithmName", "hyperband")))
                .isInstanceOf(UserError.class).hasMessageContaining("random, grid or bayesianoptimization");
    }
}
