package dev.kale4j.kernel.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kale4j.annotator.Cell;
import dev.kale4j.annotator.CellAnnotation;
import dev.kale4j.annotator.CellRole;
import dev.kale4j.annotator.CellType;
import dev.kale4j.annotator.TagParser;
import dev.kale4j.converter.Graph;
import dev.kale4j.converter.analysis.SnippetAnalyzer;
import dev.kale4j.converter.analysis.SnippetInfo;
import dev.kale4j.kernel.engine.CellOutcome;
import dev.kale4j.kernel.engine.EngineOutput;
import dev.kale4j.kernel.magics.CellRunner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Follows the notebook's pipeline while the user works: which step each executed cell belongs to
 * (its tags, read with the annotator's TagParser), which variables it defined, and which names it
 * uses (the converter's SnippetAnalyzer). Right after a cell runs it warns when the cell's step uses
 * a variable from a step it does not depend on.
 */
public final class PipelineTracker implements CellRunner.CellListener {
    private final EngineOutput out;
    private final ObjectMapper json;
    private final SnippetAnalyzer analyzer = new SnippetAnalyzer();
    private final Map<String, LiveCell> cells = new LinkedHashMap<>();
    /** Variable name to the id of the cell that defined it last. */
    private final Map<String, String> definer = new HashMap<>();
    private int anonymous;

    public PipelineTracker(EngineOutput out, ObjectMapper json) {
        this.out = out;
        this.json = json;
    }

    /** Tags of the cell from JupyterLab's execute_request metadata (several shapes are accepted). */
    static List<String> tags(JsonNode metadata) {
        for (JsonNode candidate : List.of(metadata.path("tags"), metadata.path("metadata").path("tags"),
                metadata.path("cell").path("metadata").path("tags"), metadata.path("cell_metadata").path("tags"))) {
            if (candidate.isArray()) {
                List<String> tags = new ArrayList<>();
                candidate.forEach(t -> tags.add(t.asText()));
                return tags;
            }
        }
        return List.of();
    }

    static String cellId(JsonNode metadata) {
        for (JsonNode candidate : List.of(metadata.path("cellId"), metadata.path("cell_id"),
                metadata.path("cell").path("id"))) {
            if (candidate.isTextual() && !candidate.asText().isEmpty()) {
                return candidate.asText();
            }
        }
        return null;
    }

    @Override
    public synchronized void executed(CellRunner.Context ctx, String code, CellOutcome outcome) {
        JsonNode metadata = ctx.metadata() == null ? json.createObjectNode() : ctx.metadata();
        String id = cellId(metadata);
        List<String> tags = tags(metadata);
        if (id == null) {
            if (tags.isEmpty()) {
                return; // not from a notebook cell (console, tests): nothing to place in the pipeline
            }
            id = "anonymous-" + (++anonymous);
        }
        LiveCell previous = cells.get(id);
        int order = previous != null ? previous.order() : cells.size();
        Cell cell = new Cell(order, id, CellType.CODE, code, tags, "session");
        CellAnnotation annotation;
        try {
            annotation = TagParser.annotate(cell);
        } catch (RuntimeException e) {
            out.notice("[kale4j pipeline] " + e.getMessage() + "\n");
            return;
        }
        String step = switch (annotation.role()) {
            case STEP -> annotation.step();
            case CONTINUATION -> stepBefore(order);
            default -> null;
        };
        Set<String> uses = new LinkedHashSet<>();
        try {
            for (SnippetInfo info : analyzer.analyzeCell(cell)) {
                uses.addAll(info.usedNames());
            }
        } catch (RuntimeException e) {
            // Code that does not parse for the analyzer (it already ran in JShell) has no uses we can see.
        }
        List<String> defined = new ArrayList<>(outcome.definedVariables());
        LiveCell live = new LiveCell(id, order, code, tags, annotation.role(), step, annotation.prev(), defined, uses,
                ctx.executionCount());
        cells.put(id, live);
        if (outcome.ok()) {
            warn(live);
        }
        for (String v : defined) {
            definer.put(v, id);
        }
    }

    private String stepBefore(int order) {
        String step = null;
        int best = -1;
        for (LiveCell c : cells.values()) {
            if (c.order() < order && c.order() > best && c.step() != null) {
                best = c.order();
                step = c.step();
            }
        }
        return step;
    }

    private void warn(LiveCell cell) {
        if (cell.step() == null) {
            return;
        }
        Set<String> ancestors = ancestors(cell.step());
        List<String> warnings = new ArrayList<>();
        for (String v : cell.uses()) {
            String from = definer.get(v);
            if (from == null || from.equals(cell.id()) || cell.defined().contains(v)) {
                continue;
            }
            LiveCell source = cells.get(from);
            if (source == null) {
                continue;
            }
            switch (source.role()) {
                case PARAMETERS, IMPORTS, FUNCTIONS, METRICS -> {
                    // available to every step
                }
                case SKIP -> warnings.add("step " + cell.step() + " uses `" + v + "` from a skip cell: the pipeline "
                        + "will not have it (move its definition into a step)");
                default -> {
                    if (source.step() == null) {
                        warnings.add("step " + cell.step() + " uses `" + v + "`, defined by a cell that belongs to no step");
                    } else if (!source.step().equals(cell.step()) && !ancestors.contains(source.step())) {
                        warnings.add("step " + cell.step() + " uses `" + v + "` from step " + source.step()
                                + ", which it does not depend on: add the tag prev:" + source.step()
                                + " (the compiled pipeline adds " + source.step() + " -> " + cell.step() + ")");
                    }
                }
            }
        }
        for (String w : warnings) {
            out.notice("\u001b[0;33m[kale4j pipeline] warning: " + w + "\u001b[0m\n");
        }
    }

    /** Steps the given step depends on through prev: tags, transitively. */
    synchronized Set<String> ancestors(String step) {
        Map<String, Set<String>> deps = new HashMap<>();
        for (LiveCell c : cells.values()) {
            if (c.role() == CellRole.STEP && c.step() != null) {
                deps.computeIfAbsent(c.step(), k -> new LinkedHashSet<>()).addAll(c.prev());
            }
        }
        return Graph.ancestors(step, deps);
    }

    public synchronized List<LiveCell> cells() {
        List<LiveCell> all = new ArrayList<>(cells.values());
        all.sort(java.util.Comparator.comparingInt(LiveCell::order));
        return all;
    }

    /** The session as an nbformat 4 notebook (code cells with their tags), for the compiler. */
    public synchronized ObjectNode asNotebook(JsonNode notebookMetadata) {
        ObjectNode nb = json.createObjectNode();
        nb.put("nbformat", 4).put("nbformat_minor", 5);
        nb.set("metadata", notebookMetadata == null ? json.createObjectNode() : notebookMetadata.deepCopy());
        ArrayNode arr = nb.putArray("cells");
        for (LiveCell c : cells()) {
            ObjectNode cell = arr.addObject();
            cell.put("cell_type", "code").put("id", c.id()).put("source", c.source());
            cell.putNull("execution_count");
            cell.putArray("outputs");
            ArrayNode t = cell.putObject("metadata").putArray("tags");
            c.tags().forEach(t::add);
        }
        return nb;
    }
}
