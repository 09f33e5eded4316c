package dev.kale4j.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small tagged Java notebooks for tests. */
public final class NotebookBuilder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ObjectNode root = JSON.createObjectNode();
    private final ArrayNode cells;

    public NotebookBuilder() {
        root.put("nbformat", 4).put("nbformat_minor", 5);
        ObjectNode md = root.putObject("metadata");
        md.putObject("kernelspec").put("name", "kale4j").put("language", "java").put("display_name", "Java (kale4j)");
        cells = root.putArray("cells");
    }

    public NotebookBuilder cell(String source, String... tags) {
        ObjectNode c = cells.addObject();
        c.put("cell_type", "code").put("id", "c" + (cells.size() - 1)).put("source", source);
        ArrayNode t = c.putObject("metadata").putArray("tags");
        for (String tag : tags) {
            t.add(tag);
        }
        c.putArray("outputs");
        c.putNull("execution_count");
        return this;
    }

    public NotebookBuilder markdown(String source) {
        cells.addObject().put("cell_type", "markdown").put("id", "c" + (cells.size() - 1)).put("source", source)
                .putObject("metadata");
        return this;
    }

    public ObjectNode settings() {
        ObjectNode md = (ObjectNode) root.get("metadata");
        return md.has("kubeflow_notebook") ? (ObjectNode) md.get("kubeflow_notebook") : md.putObject("kubeflow_notebook");
    }

    public Path write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
