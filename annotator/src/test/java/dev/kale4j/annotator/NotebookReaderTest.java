package dev.kale4j.annotator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotebookReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String json) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    @Test
    void readsCellsSourcesAsListsAndKaleMetadata() throws IOException {
        Path p = write("my-pipe.ipynb", """
                {"nbformat": 4, "nbformat_minor": 4,
                 "metadata": {"kernelspec": {"name": "java", "language": "java"},
                   "kubeflow_notebook": {"experiment": {"id": "new", "name": "exp1"}, "pipeline_name": "",
                     "docker_image": "img:1", "steps_defaults": ["label:team:ml"], "volumes": [], "katib_run": false}},
                 "cells": [
                   {"cell_type": "markdown", "metadata": {}, "source": ["# t"]},
                   {"cell_type": "code", "metadata": {"tags": ["block:a"]}, "source": ["int x = 1;\\n", "int y = 2;"], "outputs": []}
                 ]}""");
        Notebook nb = NotebookReader.read(p);
        assertThat(nb.cells()).hasSize(2);
        assertThat(nb.cells().get(1).source()).isEqualTo("int x = 1;\nint y = 2;");
        assertThat(nb.cells().get(1).tags()).containsExactly("block:a");
        assertThat(nb.cells().get(1).id()).isNull();
        assertThat(nb.settings().pipelineName()).isEqualTo("my-pipe");
        assertThat(nb.settings().experimentName()).isEqualTo("exp1");
        assertThat(nb.settings().dockerImage()).isEqualTo("img:1");
        assertThat(TagParser.defaults(nb).labels()).containsEntry("team", "ml");
    }

    @Test
    void malformedJsonNamesFileLineAndColumn() throws IOException {
        Path p = write("broken.ipynb", "{\"nbformat\": 4,\n \"cells\": [,]}");
        assertThatThrownBy(() -> NotebookReader.read(p))
                .isInstanceOf(InvalidNotebookException.class)
                .hasMessageStartingWith(p + ": not valid notebook JSON (line 2");
    }

    @Test
    void rejectsOtherKernelsOldFormatsAndMissingFiles() throws IOException {
        Path py = write("py.ipynb", """
                {"nbformat": 4, "metadata": {"kernelspec": {"name": "python3", "language": "python"}}, "cells": []}""");
        assertThatThrownBy(() -> NotebookReader.read(py)).hasMessageContaining("kernel is python3 (python), not Java");
        Path v3 = write("v3.ipynb", "{\"nbformat\": 3, \"worksheets\": []}");
        assertThatThrownBy(() -> NotebookReader.read(v3)).hasMessageContaining("nbformat 3 is not supported");
        assertThatThrownBy(() -> NotebookReader.read(dir.resolve("none.ipynb"))).hasMessageContaining("no such notebook");
        Path badTags = write("tags.ipynb", """
                {"nbformat": 4, "metadata": {}, "cells": [{"cell_type": "code", "id": "x1", "metadata": {"tags": "step:a"}, "source": ""}]}""");
        assertThatThrownBy(() -> NotebookReader.read(badTags)).hasMessage("tags.ipynb: cell 0 (id x1): metadata.tags must be a list of strings");
    }

    @Test
    void kaleWrittenMetadataLoads() throws IOException {
        // The shape Kale's JupyterLab extension writes (its candies-sharing example), with a Java kernel.
        Path p = write("candies.ipynb", """
                {"nbformat": 4, "nbformat_minor": 4, "metadata": {
                  "kernelspec": {"display_name": "Java", "language": "java", "name": "java"},
                  "kubeflow_notebook": {"autosnapshot": false, "docker_image": "", "experiment": {"id": "new", "name": "candies-sharing"},
                    "experiment_name": "candies-sharing", "katib_metadata": {"algorithm": {"algorithmName": "grid"},
                    "maxFailedTrialCount": 3, "maxTrialCount": 12, "objective": {"objectiveMetricName": "", "type": "minimize"},
                    "parallelTrialCount": 3, "parameters": []}, "katib_run": false,
                    "pipeline_description": "Share some candies between three lovely kids", "pipeline_name": "candies-sharing",
                    "snapshot_volumes": false, "steps_defaults": [], "volumes": []}},
                 "cells": [{"cell_type": "code", "metadata": {"tags": ["block:sack"]}, "source": "int candies = 20;"}]}""");
        Notebook nb = NotebookReader.read(p);
        assertThat(nb.settings().pipelineName()).isEqualTo("candies-sharing");
        assertThat(nb.settings().experimentName()).isEqualTo("candies-sharing");
        assertThat(nb.settings().pipelineDescription()).isEqualTo("Share some candies between three lovely kids");
        assertThat(nb.settings().dockerImage()).isNull();
        assertThat(nb.settings().snapshots()).isFalse();
        assertThat(nb.settings().raw().get("katib_metadata").get("maxTrialCount").asInt()).isEqualTo(12);
        assertThat(TagParser.annotateAll(nb).get(0).step()).isEqualTo("sack");
    }
}
