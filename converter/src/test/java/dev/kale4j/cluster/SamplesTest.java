package dev.kale4j.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.cluster.argo.ArgoCompiler;
import dev.kale4j.cluster.kfp.IrRules;
import dev.kale4j.cluster.kfp.KfpCompiler;
import dev.kale4j.converter.PipelineCompiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every notebook in the repository's samples/ compiles for Argo and KFP into what the schemas and API accept. */
class SamplesTest {
    static Stream<Path> samples() throws IOException {
        Path dir = Path.of("..", "samples");
        if (!Files.isDirectory(dir)) {
            return Stream.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> l = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
            return l.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void compilesToValidArgoAndKfp(Path sample) {
        Notebook nb = NotebookReader.read(sample);
        ClusterPlan plan = ClusterPlan.of(PipelineCompiler.compile(nb), nb, CompileOptions.defaults());
        JsonNode wf = Manifests.jsonMapper().valueToTree(ArgoCompiler.build(plan));
        String def = "io.argoproj.workflow.v1alpha1.Workflow";
        assertThat(Schemas.validate(Schemas.ARGO_V4, def, wf)).isEmpty();
        assertThat(Schemas.unknownArgoKeys(def, wf)).isEmpty();
        assertThat(wf.path("spec").path("templates").size()).isEqualTo(plan.steps().size() + 1);
        assertThat(IrRules.problems(KfpCompiler.yaml(KfpCompiler.build(plan)))).isEmpty();
    }
}
