package dev.kale4j.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.converter.Compilation;
import dev.kale4j.converter.PipelineCompiler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Test notebooks (cluster/notebooks, copied from ../shared/notebooks plus kale4j's own) and their plans. */
public final class Fixtures {
    public static final String WORD_STATS = "word-stats.ipynb";
    public static final String SHORT_TAGS = "short-tags.ipynb";
    public static final String LINREG = "linreg-search.ipynb";
    public static final String[] ALL = {WORD_STATS, SHORT_TAGS, LINREG};

    private Fixtures() {
    }

    /** Copies a fixture into {@code dir}, letting {@code edit} change {@code metadata.kubeflow_notebook}. */
    public static Path copy(String name, Path dir, Consumer<ObjectNode> edit) {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream("cluster/notebooks/" + name)) {
            ObjectNode nb = (ObjectNode) Schemas.JSON.readTree(in);
            ObjectNode meta = nb.with("metadata");
            ObjectNode kn = meta.has("kubeflow_notebook") && meta.get("kubeflow_notebook").isObject()
                    ? (ObjectNode) meta.get("kubeflow_notebook") : meta.putObject("kubeflow_notebook");
            edit.accept(kn);
            Path out = dir.resolve(name);
            Files.createDirectories(dir);
            Schemas.JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), nb);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Notebook notebook(String name, Path dir, Consumer<ObjectNode> edit) {
        return NotebookReader.read(copy(name, dir, edit));
    }

    public static Notebook notebook(String name, Path dir) {
        return notebook(name, dir, kn -> { });
    }

    public static ClusterPlan plan(Notebook nb, CompileOptions options) {
        Compilation c = PipelineCompiler.compile(nb);
        return ClusterPlan.of(c, nb, options);
    }

    public static ClusterPlan plan(String name, Path dir) {
        return plan(notebook(name, dir), CompileOptions.defaults());
    }
}
