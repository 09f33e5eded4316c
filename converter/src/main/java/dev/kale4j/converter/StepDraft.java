package dev.kale4j.converter;

import dev.kale4j.annotator.Cell;
import dev.kale4j.annotator.CellAnnotation;
import dev.kale4j.annotator.StepSettings;
import dev.kale4j.converter.analysis.SnippetInfo;
import dev.kale4j.converter.analysis.SnippetKind;
import dev.kale4j.pipeline.CodeBlock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A step while the compiler collects its cells and resolves its data. */
final class StepDraft {
    final String name;
    final Cell firstCell;
    final List<Cell> cells = new ArrayList<>();
    final List<SnippetInfo> body = new ArrayList<>();
    final Map<String, Cell> explicitPrev = new LinkedHashMap<>();
    final Set<String> deps = new LinkedHashSet<>();
    final Map<String, String> inputs = new LinkedHashMap<>();
    final Set<String> outputs = new LinkedHashSet<>();
    final Set<String> parameters = new LinkedHashSet<>();
    StepSettings settings;

    StepDraft(String name, Cell firstCell, StepSettings defaults) {
        this.name = name;
        this.firstCell = firstCell;
        this.settings = defaults;
    }

    /** Adds a cell; its imports also go to the notebook-wide imports, as in a JShell session. */
    void add(Cell cell, CellAnnotation annotation, List<SnippetInfo> snippets, List<SnippetInfo> imports) {
        cells.add(cell);
        body.addAll(snippets);
        snippets.stream().filter(s -> s.kind() == SnippetKind.IMPORT).forEach(imports::add);
        annotation.prev().forEach(p -> explicitPrev.putIfAbsent(p, cell));
        settings = settings.overriddenBy(annotation.settings());
    }

    boolean declares(String name) {
        return body.stream().anyMatch(s -> s.declaredNames().contains(name));
    }

    boolean declaresVariable(String name) {
        return body.stream().anyMatch(s -> s.variables().contains(name));
    }

    /** Declares the variable, or assigns it at top level: later steps see this step's value. */
    boolean producesVariable(String name) {
        return body.stream().anyMatch(s -> s.variables().contains(name) || s.assigned().contains(name));
    }

    /** Every name the step's own code uses (variables, methods, types). */
    Set<String> uses() {
        Set<String> all = new LinkedHashSet<>();
        body.forEach(s -> all.addAll(s.allUses()));
        return all;
    }

    Set<String> usedVariables() {
        Set<String> all = new LinkedHashSet<>();
        body.forEach(s -> all.addAll(s.usedNames()));
        return all;
    }

    /** Where the step first uses {@code name}, for messages. */
    CodeBlock firstUse(String name) {
        return body.stream().filter(s -> s.allUses().contains(name)).map(SnippetInfo::code).findFirst()
                .orElse(new CodeBlock(firstCell.index(), firstCell.id(), 1, ""));
    }
}
