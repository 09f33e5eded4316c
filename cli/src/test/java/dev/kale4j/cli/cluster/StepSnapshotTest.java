package dev.kale4j.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.cluster.ClusterPlan;
import dev.kale4j.cluster.CompileOptions;
import dev.kale4j.cluster.runtime.ClusterStepMain;
import dev.kale4j.cluster.runtime.SpecCodec;
import dev.kale4j.converter.PipelineCompiler;
import dev.kale4j.runtime.StepSpec;
import dev.kale4j.snapshot.SnapshotInfo;
import dev.kale4j.snapshot.SnapshotRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step container's snapshot: the wrapper runs the step, then the snapshot agent (its real CLI, from the same
 * class path as in the image) on the workspace, and leaves the agent's summary where the engine reads the
 * step's {@code snapshot} output. A local repository stands in for s3:// here.
 */
class StepSnapshotTest {
    @TempDir
    Path dir;

    @Test
    void theStepsWorkspaceIsSnapshottedWithRunAndStepTags() throws Exception {
        Notebook nb = NotebookReader.read(Path.of("../converter/src/test/resources/cluster/notebooks/word-stats.ipynb"));
        ClusterPlan plan = ClusterPlan.of(PipelineCompiler.compile(nb), nb, CompileOptions.defaults());
        StepSpec s = plan.step("tokenize").spec();
        Path workspace = Files.createDirectories(dir.resolve("workspace"));
        Files.writeString(workspace.resolve("data.txt"), "some data the step left behind\n");
        StepSpec local = new StepSpec(s.pipeline(), s.step(), s.prelude(), s.body(), s.parameters(), s.inputs(),
                s.outputs(), s.metrics(), dir.resolve("out").toString(), workspace.toString(), s.classpath());
        Path repo = dir.resolve("repo");
        Path summary = dir.resolve("outputs/snapshot.json");
        int exit = ClusterStepMain.run(new String[] {"--spec", SpecCodec.encode(local), "--run", "wf-1",
                "--snapshot-repo", repo.toString(), "--snapshot-source", workspace.toString(),
                "--snapshot-tag", "run=wf-1", "--snapshot-tag", "step=tokenize", "--snapshot-out", summary.toString()});
        assertThat(exit).isZero();
        JsonNode json = new ObjectMapper().readTree(summary.toFile());
        assertThat(json.path("id").asText()).isNotBlank();
        try (SnapshotRepository r = SnapshotRepository.open(repo.toString())) {
            List<SnapshotInfo> all = r.list();
            assertThat(all).singleElement().satisfies(i -> {
                assertThat(i.id()).isEqualTo(json.path("id").asText());
                assertThat(i.tags()).containsEntry("run", "wf-1").containsEntry("step", "tokenize");
                assertThat(i.files()).isEqualTo(1);
            });
        }
    }
}
