package dev.kale4j.annotator;

import java.util.List;

/**
 * A code cell with its tags interpreted.
 *
 * @param step     the step name for {@link CellRole#STEP}, else {@code null}
 * @param prev     explicit upstream steps named by {@code prev:}/{@code deps:} tags on this cell
 * @param settings step settings this cell's tags set (layered over earlier cells of the same step)
 */
public record CellAnnotation(Cell cell, CellRole role, String step, List<String> prev, StepSettings settings) {
    public CellAnnotation {
        prev = List.copyOf(prev);
    }
}
