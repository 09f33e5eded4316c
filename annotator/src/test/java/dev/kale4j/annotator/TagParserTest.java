package dev.kale4j.annotator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TagParserTest {
    private static CellAnnotation annotate(String... tags) {
        return TagParser.annotate(new Cell(3, "c3", CellType.CODE, "int x = 1;", List.of(tags), "nb.ipynb"));
    }

    @Test
    void kaleAndShortSpellingsAreAliases() {
        assertThat(annotate("block:train").role()).isEqualTo(CellRole.STEP);
        assertThat(annotate("block:train").step()).isEqualTo("train");
        assertThat(annotate("step:train", "deps:load,clean").prev()).containsExactly("load", "clean");
        assertThat(annotate("step:train", "prev:load").prev()).containsExactly("load");
        assertThat(annotate("hparams").role()).isEqualTo(CellRole.PARAMETERS);
        assertThat(annotate("parameters").role()).isEqualTo(CellRole.PARAMETERS);
        assertThat(annotate("pipeline-parameters").role()).isEqualTo(CellRole.PARAMETERS);
        assertThat(annotate("metrics").role()).isEqualTo(CellRole.METRICS);
        assertThat(annotate("pipeline-metrics").role()).isEqualTo(CellRole.METRICS);
        assertThat(annotate("imports").role()).isEqualTo(CellRole.IMPORTS);
        assertThat(annotate("functions").role()).isEqualTo(CellRole.FUNCTIONS);
        assertThat(annotate("skip").role()).isEqualTo(CellRole.SKIP);
        assertThat(annotate().role()).isEqualTo(CellRole.CONTINUATION);
    }

    @Test
    void stepSettingsAreParsedAndLayered() {
        StepSettings s = annotate("step:train", "gpu:2:amd", "limit:memory:4Gi", "limit:cpu:500m", "image:eclipse-temurin:17",
                "annotation:team.io/owner:a:b", "label:tier:gold", "cache:disabled", "secret:creds:token:API_TOKEN",
                "retry:3", "timeout:1h30m").settings();
        assertThat(s.gpu()).isEqualTo(new Gpu(2, "amd"));
        assertThat(s.resourceLimits()).containsEntry("amd.com/gpu", "2").containsEntry("memory", "4Gi").containsEntry("cpu", "500m");
        assertThat(s.image()).isEqualTo("eclipse-temurin:17");
        assertThat(s.annotations()).containsEntry("team.io/owner", "a:b");
        assertThat(s.labels()).containsEntry("tier", "gold");
        assertThat(s.cacheEnabled()).isFalse();
        assertThat(s.secrets()).containsExactly(new SecretEnv("creds", "token", "API_TOKEN"));
        assertThat(s.retryCount()).isEqualTo(3);
        assertThat(s.timeout()).isEqualTo(Duration.ofMinutes(90));
        assertThat(annotate("step:a", "gpu:1").settings().gpu().resourceName()).isEqualTo("nvidia.com/gpu");
        assertThat(annotate("step:a", "timeout:45").settings().timeout()).isEqualTo(Duration.ofSeconds(45));
        StepSettings layered = StepSettings.NONE.overriddenBy(annotate("step:a", "retry:1", "label:a:b").settings())
                .overriddenBy(annotate("label:c:d").settings());
        assertThat(layered.labels()).containsEntry("a", "b").containsEntry("c", "d");
        assertThat(layered.retryCount()).isEqualTo(1);
    }

    @Test
    void unknownTagSuggestsTheNearestOneAndNamesTheCell() {
        assertThatThrownBy(() -> annotate("setp:train"))
                .isInstanceOf(InvalidNotebookException.class)
                .hasMessage("nb.ipynb: cell 3 (id c3): unknown tag \"setp:train\"; did you mean \"step:train\"?");
        assertThatThrownBy(() -> annotate("pipeline-parameter"))
                .hasMessageContaining("did you mean \"pipeline-parameters\"?");
        assertThatThrownBy(() -> annotate("zzzzzzzzzz")).hasMessageContaining("known tags: step:<name>");
    }

    @Test
    void badValuesAreRejectedWithTheTagAndTheRule() {
        assertThatThrownBy(() -> annotate("step:Train-Model"))
                .hasMessageContaining("cell 3 (id c3)").hasMessageContaining("tag \"step:Train-Model\"")
                .hasMessageContaining("for example \"train_model\"");
        assertThatThrownBy(() -> annotate("step:1st")).hasMessageContaining("\"step_1st\"");
        assertThatThrownBy(() -> annotate("step:a", "gpu:two")).hasMessageContaining("gpu:<count>");
        assertThatThrownBy(() -> annotate("step:a", "gpu:1:intel")).hasMessageContaining("nvidia or amd");
        assertThatThrownBy(() -> annotate("step:a", "limit:memory:lots")).hasMessageContaining("Kubernetes quantity");
        assertThatThrownBy(() -> annotate("step:a", "cache:maybe")).hasMessageContaining("cache:enabled or cache:disabled");
        assertThatThrownBy(() -> annotate("step:a", "timeout:soon")).hasMessageContaining("duration");
        assertThatThrownBy(() -> annotate("step:a", "label:k:not valid")).hasMessageContaining("label value");
        assertThatThrownBy(() -> annotate("step:a", "secret:Bad_Name:k:ENV")).hasMessageContaining("secret name");
        assertThatThrownBy(() -> annotate("step:a", "retry:-1")).hasMessageContaining("retry:<attempts>");
    }

    @Test
    void oneRolePerCell() {
        assertThatThrownBy(() -> annotate("imports", "step:a")).hasMessageContaining("a cell has one role");
        assertThatThrownBy(() -> annotate("step:a", "step:b")).hasMessageContaining("conflicts with step:a");
        assertThatThrownBy(() -> annotate("imports", "gpu:1")).hasMessageContaining("cannot go on a \"imports\" cell");
    }

    @Test
    void kubernetesNamesAreDnsLabelsAndUnique() {
        assertThat(StepNames.kubernetesName("load_data")).isEqualTo("load-data");
        assertThat(StepNames.kubernetesName("_private")).isEqualTo("private");
        assertThat(StepNames.kubernetesNames(List.of("a_b", "a__b", "ab"))).containsExactly(
                java.util.Map.entry("a_b", "a-b"), java.util.Map.entry("a__b", "a-b-2"), java.util.Map.entry("ab", "ab"));
    }
}
