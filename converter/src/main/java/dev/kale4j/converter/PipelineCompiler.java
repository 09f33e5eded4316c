package dev.kale4j.converter;

import dev.kale4j.annotator.Cell;
import dev.kale4j.annotator.CellAnnotation;
import dev.kale4j.annotator.CellRole;
import dev.kale4j.annotator.InvalidNotebookException;
import dev.kale4j.annotator.Notebook;
import dev.kale4j.annotator.StepSettings;
import dev.kale4j.annotator.TagParser;
import dev.kale4j.converter.analysis.SnippetAnalyzer;
import dev.kale4j.converter.analysis.SnippetInfo;
import dev.kale4j.converter.analysis.SnippetKind;
import dev.kale4j.pipeline.CodeBlock;
import dev.kale4j.pipeline.Input;
import dev.kale4j.pipeline.Metric;
import dev.kale4j.pipeline.Parameter;
import dev.kale4j.pipeline.Pipeline;
import dev.kale4j.pipeline.Step;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an annotated notebook into a {@link Pipeline}: groups cells into steps, finds what each step
 * declares and uses, resolves each used variable to the nearest upstream producer (adding the edge when
 * the producer is not upstream yet), carries methods and types as source, and checks the result.
 */
public final class PipelineCompiler {

    private PipelineCompiler() {
    }

    public static Compilation compile(Notebook notebook) {
        return new Resolution(notebook).run();
    }

    /** One compilation's working state. */
    private static final class Resolution {
        private final Notebook notebook;
        private final SnippetAnalyzer analyzer = new SnippetAnalyzer();
        private final List<String> notes = new ArrayList<>();
        private final Map<String, StepDraft> steps = new LinkedHashMap<>();
        private final List<SnippetInfo> imports = new ArrayList<>();
        private final List<SnippetInfo> functions = new ArrayList<>();
        private final List<Parameter> parameters = new ArrayList<>();
        private final List<MetricRef> metricRefs = new ArrayList<>();
        /** Steps declaring each variable, in notebook order. */
        private final Map<String, List<StepDraft>> producersOf = new HashMap<>();
        /** Method and type declarations (functions cells and steps) by name, in notebook order. */
        private final Map<String, List<SnippetInfo>> definitionsOf = new HashMap<>();
        private final Map<SnippetInfo, StepDraft> ownerOf = new HashMap<>();

        Resolution(Notebook notebook) {
            this.notebook = notebook;
        }

        Compilation run() {
            collect();
            if (steps.isEmpty()) {
                throw new InvalidNotebookException(notebook.path().getFileName()
                        + ": no steps: tag a code cell with step:<name> (or Kale's block:<name>)");
            }
            checkExplicitDependencies();
            index();
            Graph.checkAcyclic(edges(), this::stepCell);
            Map<String, Set<String>> defsUsed = new HashMap<>();
            for (StepDraft s : steps.values()) {
                defsUsed.put(s.name, includedDefinitions(s));
            }
            for (StepDraft s : steps.values()) {
                resolveInputs(s, defsUsed.get(s.name));
            }
            Graph.checkAcyclic(edges(), this::stepCell);
            List<Metric> metrics = resolveMetrics();
            return new Compilation(build(defsUsed, metrics), notes);
        }

        // ---- grouping cells ------------------------------------------------------------------

        private void collect() {
            StepSettings defaults = TagParser.defaults(notebook);
            StepDraft current = null;
            for (CellAnnotation a : TagParser.annotateAll(notebook)) {
                Cell cell = a.cell();
                if (a.role() == CellRole.SKIP) {
                    continue;
                }
                if (a.role() == CellRole.METRICS) {
                    metricRefs.addAll(MetricRef.parse(cell));
                    continue;
                }
                List<SnippetInfo> snippets = analyzer.analyzeCell(cell);
                switch (a.role()) {
                    case IMPORTS -> imports.addAll(snippets);
                    case FUNCTIONS -> functions.addAll(snippets);
                    case PARAMETERS -> parameters.addAll(ParameterCell.parse(cell, snippets, parameters));
                    case STEP, CONTINUATION -> {
                        if (a.role() == CellRole.STEP) {
                            StepDraft existing = steps.get(a.step());
                            current = existing != null ? existing : new StepDraft(a.step(), cell, defaults);
                            steps.putIfAbsent(a.step(), current);
                        } else if (current == null) {
                            if (cell.source().isBlank()) {
                                continue;
                            }
                            throw InvalidNotebookException.at(cell, "this code cell belongs to no step: tag it"
                                    + " step:<name>, imports, functions, pipeline-parameters or skip");
                        }
                        current.add(cell, a, snippets, imports);
                    }
                    default -> throw new IllegalStateException(a.role().name());
                }
            }
        }

        private void checkExplicitDependencies() {
            for (StepDraft s : steps.values()) {
                for (Map.Entry<String, Cell> e : s.explicitPrev.entrySet()) {
                    String prev = e.getKey();
                    if (prev.equals(s.name)) {
                        throw InvalidNotebookException.at(e.getValue(), "tag \"prev:" + prev
                                + "\": a step cannot depend on itself");
                    }
                    if (!steps.containsKey(prev)) {
                        String hint = steps.keySet().stream()
                                .min(Comparator.comparingInt(n -> dev.kale4j.annotator.Levenshtein.distance(n, prev)))
                                .filter(n -> dev.kale4j.annotator.Levenshtein.distance(n, prev) <= Math.max(2, prev.length() / 3))
                                .map(n -> "; did you mean \"prev:" + n + "\"?")
                                .orElse("; steps are: " + String.join(", ", steps.keySet()));
                        throw InvalidNotebookException.at(e.getValue(), "tag \"prev:" + prev + "\": no step is named \""
                                + prev + "\"" + hint);
                    }
                    s.deps.add(prev);
                }
            }
        }

        private void index() {
            for (SnippetInfo f : functions) {
                f.declaredNames().forEach(n -> definitionsOf.computeIfAbsent(n, k -> new ArrayList<>()).add(f));
            }
            for (StepDraft s : steps.values()) {
                for (SnippetInfo i : s.body) {
                    java.util.stream.Stream.concat(i.variables().stream(), i.assigned().stream()).forEach(v -> {
                        List<StepDraft> ps = producersOf.computeIfAbsent(v, k -> new ArrayList<>());
                        if (!ps.contains(s)) {
                            ps.add(s);
                        }
                    });
                    if (i.kind() == SnippetKind.METHOD || i.kind() == SnippetKind.TYPE) {
                        i.declaredNames().forEach(n -> definitionsOf.computeIfAbsent(n, k -> new ArrayList<>()).add(i));
                        ownerOf.put(i, s);
                    }
                }
            }
            producersOf.values().forEach(l -> l.sort(Comparator.comparingInt(d -> d.firstCell.index())));
        }

        // ---- methods and types travel as source ----------------------------------------------

        /** Names of functions-cell and other steps' declarations this step needs, transitively. */
        private Set<String> includedDefinitions(StepDraft s) {
            Set<String> included = new LinkedHashSet<>();
            List<String> work = new ArrayList<>(s.uses());
            while (!work.isEmpty()) {
                String name = work.remove(work.size() - 1);
                if (included.contains(name) || s.declares(name)) {
                    continue;
                }
                SnippetInfo def = definition(name, s);
                if (def != null) {
                    included.add(name);
                    work.addAll(def.allUses());
                }
            }
            return included;
        }

        /** The declaration of a method, type or functions-cell variable visible to step {@code s}. */
        private SnippetInfo definition(String name, StepDraft s) {
            SnippetInfo best = null;
            for (SnippetInfo d : definitionsOf.getOrDefault(name, List.of())) {
                // The latest declaration wins, as in a JShell session; a step never imports its own.
                if (ownerOf.get(d) != s && (best == null || later(d, best))) {
                    best = d;
                }
            }
            return best;
        }

        private static boolean later(SnippetInfo a, SnippetInfo b) {
            return a.code().cell() > b.code().cell()
                    || (a.code().cell() == b.code().cell() && a.code().line() > b.code().line());
        }

        // ---- data dependencies ---------------------------------------------------------------

        private void resolveInputs(StepDraft s, Set<String> defs) {
            Set<String> needed = new LinkedHashSet<>(s.usedVariables());
            for (String d : defs) {
                SnippetInfo def = definition(d, s);
                needed.addAll(def.usedNames());
            }
            for (String v : needed) {
                if (s.declaresVariable(v) || defs.contains(v)) {
                    continue;
                }
                List<StepDraft> producers = producersOf.getOrDefault(v, List.of()).stream().filter(p -> p != s).toList();
                boolean isParameter = parameters.stream().anyMatch(p -> p.name().equals(v));
                if (producers.isEmpty()) {
                    if (isParameter) {
                        s.parameters.add(v);
                    }
                    continue;
                }
                List<StepDraft> upstream = Graph.nearestUpstream(s.name, producers.stream().map(p -> p.name).toList(),
                        name -> steps.get(name).deps).stream().map(steps::get).toList();
                StepDraft producer;
                if (!upstream.isEmpty()) {
                    producer = nearest(v, s, upstream);
                } else {
                    List<StepDraft> earlier = producers.stream().filter(p -> p.firstCell.index() < s.firstCell.index()).toList();
                    if (earlier.isEmpty()) {
                        if (isParameter) {
                            s.parameters.add(v);
                            continue;
                        }
                        CodeBlock use = s.firstUse(v);
                        throw new InvalidNotebookException(notebook.path().getFileName() + ": " + use.where()
                                + ": step " + s.name + " uses `" + v + "`, but no step before it declares it (step "
                                + producers.get(0).name + " declares it later); move the declaration up or add"
                                + " prev:" + producers.get(0).name + " and reorder the cells");
                    }
                    producer = earlier.get(earlier.size() - 1);
                    s.deps.add(producer.name);
                    notes.add("step " + s.name + " uses `" + v + "` from step " + producer.name
                            + ": added dependency " + producer.name + " -> " + s.name);
                }
                s.inputs.put(v, producer.name);
                producer.outputs.add(v);
            }
        }

        /** The producer closest to the consumer; producers on parallel branches are ambiguous. */
        private StepDraft nearest(String v, StepDraft consumer, List<StepDraft> candidates) {
            if (candidates.size() == 1) {
                return candidates.get(0);
            }
            List<StepDraft> maximal = new ArrayList<>();
            Map<String, Set<String>> edges = edges();
            for (StepDraft c : candidates) {
                boolean shadowed = candidates.stream()
                        .anyMatch(o -> o != c && Graph.ancestors(o.name, edges).contains(c.name));
                if (!shadowed) {
                    maximal.add(c);
                }
            }
            if (maximal.size() > 1) {
                CodeBlock use = consumer == null ? null : consumer.firstUse(v);
                String where = use == null ? notebook.path().getFileName().toString()
                        : notebook.path().getFileName() + ": " + use.where();
                throw new InvalidNotebookException(where + ": `" + v + "` is declared by steps "
                        + maximal.get(0).name + " and " + maximal.get(1).name + " on parallel branches, so "
                        + (consumer == null ? "the metric" : "step " + consumer.name)
                        + " cannot tell which value to use; rename one of them");
            }
            return maximal.get(0);
        }

        private List<Metric> resolveMetrics() {
            List<Metric> metrics = new ArrayList<>();
            for (MetricRef m : metricRefs) {
                List<StepDraft> producers = steps.values().stream().filter(p -> p.producesVariable(m.name())).toList();
                if (producers.isEmpty()) {
                    throw InvalidNotebookException.at(m.cell(), "line " + m.line() + ": metric `" + m.name()
                            + "` is not a variable declared by any step");
                }
                StepDraft producer = nearest(m.name(), null, producers);
                producer.outputs.add(m.name());
                metrics.add(new Metric(m.name(), producer.name));
            }
            return metrics;
        }

        // ---- assembling the model ------------------------------------------------------------

        private Pipeline build(Map<String, Set<String>> defsUsed, List<Metric> metrics) {
            List<String> order = Graph.topologicalOrder(new ArrayList<>(steps.keySet()), edges());
            Map<String, Set<SnippetInfo>> typesCarried = new HashMap<>();
            List<Step> built = new ArrayList<>();
            for (String name : order) {
                StepDraft s = steps.get(name);
                Set<SnippetInfo> prelude = new LinkedHashSet<>();
                defsUsed.get(name).forEach(d -> prelude.add(definition(d, s)));
                // Types travel with the values that use them: a consumer of List<Point> needs Point.
                Set<SnippetInfo> types = new LinkedHashSet<>();
                for (String producer : new LinkedHashSet<>(s.inputs.values())) {
                    types.addAll(typesCarried.getOrDefault(producer, Set.of()));
                }
                types.removeIf(t -> t.types().stream().anyMatch(s::declares));
                prelude.addAll(types);
                Set<SnippetInfo> mine = new LinkedHashSet<>(types);
                prelude.stream().filter(p -> p.kind() == SnippetKind.TYPE).forEach(mine::add);
                s.body.stream().filter(p -> p.kind() == SnippetKind.TYPE).forEach(mine::add);
                typesCarried.put(name, mine);
                functions.stream().filter(f -> f.declaredNames().isEmpty()).forEach(prelude::add);
                List<CodeBlock> code = new ArrayList<>();
                imports.forEach(i -> code.add(i.code()));
                prelude.stream()
                        .sorted(Comparator.comparingInt((SnippetInfo i) -> i.code().cell()).thenComparingInt(i -> i.code().line()))
                        .forEach(i -> code.add(i.code()));
                List<Input> inputs = new ArrayList<>();
                s.inputs.forEach((v, from) -> inputs.add(new Input(v, from)));
                List<String> deps = s.deps.stream()
                        .sorted(Comparator.comparingInt(d -> steps.get(d).firstCell.index())).toList();
                List<String> params = parameters.stream().map(Parameter::name).filter(s.parameters::contains).toList();
                built.add(new Step(name, s.cells.stream().map(Cell::index).toList(), deps, code,
                        s.body.stream().filter(i -> i.kind() != SnippetKind.IMPORT).map(SnippetInfo::code).toList(),
                        inputs, new ArrayList<>(s.outputs), params, s.settings));
            }
            var settings = notebook.settings();
            return new Pipeline(settings.pipelineName(), settings.pipelineDescription(), settings.experimentName(),
                    settings.dockerImage(), notebook.path().getFileName().toString(), parameters, built, metrics,
                    settings.snapshots());
        }

        private Map<String, Set<String>> edges() {
            Map<String, Set<String>> e = new LinkedHashMap<>();
            steps.values().forEach(s -> e.put(s.name, s.deps));
            return e;
        }

        private Cell stepCell(String step) {
            return steps.get(step).firstCell;
        }
    }
}
