package dev.kale4j.annotator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads nbformat 4 {@code .ipynb} files into {@link Notebook}s, rejecting what cannot be a Java pipeline. */
public final class NotebookReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NotebookReader() {
    }

    public static Notebook read(Path path) {
        String file = path.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new InvalidNotebookException(file + ": no such notebook");
        } catch (IOException e) {
            throw new InvalidNotebookException(file + ": cannot read the notebook: " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InvalidNotebookException(file + ": not valid notebook JSON (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + "): "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidNotebookException(file + ": cannot read the notebook: " + e.getMessage(), e);
        }
        return parse(root, path);
    }

    /** Parses an already-decoded notebook (the kernel and the extension hand us JSON). */
    public static Notebook parse(JsonNode root, Path path) {
        String file = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        if (root == null || !root.isObject()) {
            throw new InvalidNotebookException(file + ": a notebook is a JSON object with \"cells\"");
        }
        int major = root.path("nbformat").asInt(-1);
        if (major != 4) {
            throw new InvalidNotebookException(file + ": nbformat " + (major < 0 ? "is missing" : major + " is not supported")
                    + "; kale4j reads nbformat 4 notebooks (save it with JupyterLab or run `jupyter nbconvert --to notebook`)");
        }
        ObjectNode metadata = root.get("metadata") instanceof ObjectNode m ? m : JsonNodeFactory.instance.objectNode();
        checkJava(metadata, file);
        JsonNode cellsNode = root.get("cells");
        if (cellsNode == null || !cellsNode.isArray()) {
            throw new InvalidNotebookException(file + ": the notebook has no \"cells\" list");
        }
        List<Cell> cells = new ArrayList<>();
        for (int i = 0; i < cellsNode.size(); i++) {
            cells.add(cell(cellsNode.get(i), i, file));
        }
        String base = new Notebook(path, List.of(), null, metadata).baseName();
        NotebookSettings settings = NotebookSettings.from(metadata.get("kubeflow_notebook"), base, file);
        return new Notebook(path, cells, settings, metadata);
    }

    private static void checkJava(ObjectNode metadata, String file) {
        String language = metadata.path("kernelspec").path("language").asText(null);
        if (language == null) {
            language = metadata.path("language_info").path("name").asText(null);
        }
        // A notebook without language metadata (e.g. written by a script) is given the benefit of the doubt.
        if (language != null && !language.toLowerCase(Locale.ROOT).equals("java")) {
            String kernel = metadata.path("kernelspec").path("name").asText(language);
            throw new InvalidNotebookException(file + ": the notebook's kernel is " + kernel + " (" + language
                    + "), not Java; kale4j pipelines are written in Java (choose the \"Java (kale4j)\" kernel)");
        }
    }

    private static Cell cell(JsonNode node, int index, String file) {
        if (!node.isObject()) {
            throw new InvalidNotebookException(file + ": cell " + index + " is not a JSON object");
        }
        String id = node.hasNonNull("id") ? node.get("id").asText() : null;
        CellType type = CellType.of(node.path("cell_type").asText(null));
        Cell placeholder = new Cell(index, id, CellType.RAW, "", List.of(), file);
        if (type == null) {
            throw InvalidNotebookException.at(placeholder, "unknown cell_type \"" + node.path("cell_type").asText("")
                    + "\" (expected code, markdown or raw)");
        }
        String source = source(node.get("source"), placeholder);
        List<String> tags = new ArrayList<>();
        JsonNode tagsNode = node.path("metadata").get("tags");
        if (tagsNode != null && !tagsNode.isNull()) {
            if (!tagsNode.isArray()) {
                throw InvalidNotebookException.at(placeholder, "metadata.tags must be a list of strings");
            }
            for (JsonNode t : tagsNode) {
                if (!t.isTextual()) {
                    throw InvalidNotebookException.at(placeholder, "metadata.tags must hold strings, found " + t);
                }
                tags.add(t.asText().trim());
            }
        }
        return new Cell(index, id, type, source, tags, file);
    }

    private static String source(JsonNode src, Cell cell) {
        if (src == null || src.isNull()) {
            return "";
        }
        if (src.isTextual()) {
            return src.asText();
        }
        if (src.isArray()) {
            StringBuilder sb = new StringBuilder();
            src.forEach(line -> sb.append(line.asText()));
            return sb.toString();
        }
        throw InvalidNotebookException.at(cell, "source must be a string or a list of strings");
    }
}
