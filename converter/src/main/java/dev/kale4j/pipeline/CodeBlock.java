package dev.kale4j.pipeline;

/**
 * One JShell snippet of notebook code with where it came from, so errors in a step point at the cell line.
 *
 * @param cell   0-based notebook cell index
 * @param cellId nbformat cell id (may be {@code null})
 * @param line   1-based line in the cell where the snippet starts
 */
public record CodeBlock(int cell, String cellId, int line, String source) {
    public String where() {
        return "cell " + cell + (cellId == null ? "" : " (id " + cellId + ")") + ", line " + line;
    }
}
