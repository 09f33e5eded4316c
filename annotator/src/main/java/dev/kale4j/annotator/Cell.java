package dev.kale4j.annotator;

import java.util.List;

/**
 * One notebook cell as read from the file.
 *
 * @param index    0-based position in the notebook, as JupyterLab counts cells
 * @param id       nbformat 4.5 cell id, or {@code null} for older notebooks
 * @param notebook file name used in messages
 */
public record Cell(int index, String id, CellType type, String source, List<String> tags, String notebook) {
    public Cell {
        tags = List.copyOf(tags);
    }

    /** How messages name this cell: {@code nb.ipynb: cell 3 (id cell-3)}. */
    public String describe() {
        String where = (notebook == null ? "" : notebook + ": ") + "cell " + index;
        return id == null ? where : where + " (id " + id + ")";
    }
}
