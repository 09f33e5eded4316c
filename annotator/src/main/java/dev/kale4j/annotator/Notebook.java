package dev.kale4j.annotator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/**
 * A parsed nbformat 4 notebook: its cells, the kale4j/Kale settings and the raw metadata (kept so that
 * tools writing the notebook back lose nothing).
 */
public record Notebook(Path path, List<Cell> cells, NotebookSettings settings, ObjectNode metadata) {
    public Notebook {
        cells = List.copyOf(cells);
    }

    /** File name without extension, the default pipeline name. */
    public String baseName() {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
