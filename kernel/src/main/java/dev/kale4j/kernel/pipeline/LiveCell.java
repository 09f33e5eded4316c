package dev.kale4j.kernel.pipeline;

import dev.kale4j.annotator.CellRole;
import java.util.List;
import java.util.Set;

/**
 * A notebook cell as the live session saw it: its tags (from the execute_request metadata), the
 * step it belongs to and what it defined and used the last time it ran.
 *
 * @param order position in first-execution order (the notebook order as far as the kernel knows)
 */
public record LiveCell(String id, int order, String source, List<String> tags, CellRole role, String step,
        List<String> prev, List<String> defined, Set<String> uses, int executionCount) {
    public LiveCell {
        tags = List.copyOf(tags);
        prev = List.copyOf(prev);
        defined = List.copyOf(defined);
        uses = Set.copyOf(uses);
    }
}
