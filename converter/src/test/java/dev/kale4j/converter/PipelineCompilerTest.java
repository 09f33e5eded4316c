package dev.kale4j.converter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kale4j.annotator.InvalidNotebookException;
import dev.kale4j.annotator.NotebookReader;
import dev.kale4j.pipeline.Input;
import dev.kale4j.pipeline.Metric;
import dev.kale4j.pipeline.Parameter;
import dev.kale4j.pipeline.ParameterType;
import dev.kale4j.pipeline.Pipeline;
import dev.kale4j.pipeline.Step;
import dev.kale4j.testing.NotebookBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineCompilerTest {
    @TempDir
    Path dir;

    private Compilation compile(NotebookBuilder nb) {
        return PipelineCompiler.compile(NotebookReader.read(nb.write(dir.resolve("t.ipynb"))));
    }

    private static Step step(Pipeline p, String name) {
        return p.step(name).orElseThrow();
    }

    @Test
    void sampleWordStatsResolvesBranchesInputsParametersAndMetrics() {
        Pipeline p = PipelineCompiler.compile(NotebookReader.read(Path.of("../samples/word-stats.ipynb"))).pipeline();
        assertThat(p.name()).isEqualTo("word-stats");
        assertThat(p.steps()).extracting(Step::name).containsExactly("tokenize", "frequencies", "lengths", "report");
        assertThat(step(p, "report").dependencies()).containsExactly("frequencies", "lengths");
        assertThat(step(p, "report").inputs()).containsExactly(new Input("freq", "frequencies"), new Input("meanLength", "lengths"));
        assertThat(step(p, "report").cells()).containsExactly(7, 8);
        assertThat(step(p, "tokenize").parameters()).containsExactly("text");
        assertThat(step(p, "tokenize").outputs()).containsExactly("tokens");
        assertThat(step(p, "tokenize").prelude()).anyMatch(b -> b.source().startsWith("List<String> words("));
        assertThat(step(p, "frequencies").prelude()).noneMatch(b -> b.source().contains("words("));
        assertThat(p.parameters()).containsExactly(new Parameter("text", ParameterType.STRING,
                "the quick brown fox jumps over the lazy dog the end"), new Parameter("top", ParameterType.INT, "2"));
        assertThat(p.metrics()).containsExactly(new Metric("meanLength", "lengths"), new Metric("distinct", "report"));
    }

    @Test
    void dataDependencyAddsTheEdgeAndSaysSo() {
        Compilation c = compile(new NotebookBuilder()
                .cell("double[] xs = {1, 2};", "step:prepare")
                .cell("double s = 0;\nfor (int i = 0; i < xs.length; i++) s += xs[i];", "step:train"));
        assertThat(step(c.pipeline(), "train").dependencies()).containsExactly("prepare");
        assertThat(c.notes()).containsExactly("step train uses `xs` from step prepare: added dependency prepare -> train");
    }

    @Test
    void localsLoopVariablesAndLambdaParametersAreNotDependencies() {
        Compilation c = compile(new NotebookBuilder()
                .cell("int i = 5;\nString w = \"x\";", "step:a")
                .cell("int total = 0;\nfor (int i = 0; i < 3; i++) total += i;\n"
                        + "var n = List.of(\"a\").stream().filter(w -> !w.isEmpty()).count();\n"
                        + "try { total++; } catch (RuntimeException i2) { }", "step:b"));
        assertThat(step(c.pipeline(), "b").dependencies()).isEmpty();
        assertThat(step(c.pipeline(), "b").inputs()).isEmpty();
    }

    @Test
    void leadingDotMethodChainIsOneSnippet() {
        Compilation c = compile(new NotebookBuilder()
                .cell("List<Integer> xs = List.of(3, 1, 2);", "step:a")
                .cell("List<Integer> sorted = xs.stream()\n    .sorted()\n    .toList();", "step:b"));
        assertThat(step(c.pipeline(), "b").body()).hasSize(1);
        assertThat(step(c.pipeline(), "b").inputs()).containsExactly(new Input("xs", "a"));
    }

    @Test
    void methodsTravelTransitivelyAndTypesTravelWithValues() {
        Compilation c = compile(new NotebookBuilder()
                .cell("record Point(double x, double y) {}\ndouble sq(double v) { return v * v; }\n"
                        + "double norm(Point p) { return Math.sqrt(sq(p.x()) + sq(p.y())); }\nList<Point> pts = List.of(new Point(3, 4));", "step:make")
                .cell("int n = pts.size();", "step:count", "prev:make")
                .cell("double first = norm(pts.get(0));", "step:measure", "prev:make"));
        Step count = step(c.pipeline(), "count");
        assertThat(count.prelude()).anyMatch(b -> b.source().startsWith("record Point"));
        assertThat(count.prelude()).noneMatch(b -> b.source().contains("norm("));
        Step measure = step(c.pipeline(), "measure");
        assertThat(measure.prelude()).anyMatch(b -> b.source().startsWith("double norm"))
                .anyMatch(b -> b.source().startsWith("double sq")).anyMatch(b -> b.source().startsWith("record Point"));
    }

    @Test
    void nearestUpstreamProducerWins() {
        Compilation c = compile(new NotebookBuilder()
                .cell("int v = 1;", "step:a")
                .cell("int v = 2;", "step:b", "prev:a")
                .cell("int w = v + 1;", "step:c", "prev:b"));
        assertThat(step(c.pipeline(), "c").inputs()).containsExactly(new Input("v", "b"));
        assertThat(step(c.pipeline(), "b").outputs()).containsExactly("v");
        assertThat(step(c.pipeline(), "a").outputs()).isEmpty();
    }

    @Test
    void aStepThatReassignsAVariableProducesItForLaterSteps() {
        Compilation c = compile(new NotebookBuilder()
                .cell("int total = 1;", "step:a")
                .cell("total += 5;\nfor (int i = 0; i < 2; i++) total++;", "step:b", "prev:a")
                .cell("void bump() { total = 0; }\nint seen = total;", "step:c", "prev:b")
                .cell("total", "metrics"));
        assertThat(step(c.pipeline(), "b").inputs()).containsExactly(new Input("total", "a"));
        assertThat(step(c.pipeline(), "b").outputs()).containsExactly("total");
        assertThat(step(c.pipeline(), "c").inputs()).containsExactly(new Input("total", "b"));
        assertThat(c.pipeline().metrics()).containsExactly(new Metric("total", "b"));
    }

    @Test
    void errorsNameTheCellAndTheProblem() {
        assertThatThrownBy(() -> compile(new NotebookBuilder()
                .cell("int a = 1;", "step:a", "prev:b").cell("int b = 1;", "step:b", "prev:a")))
                .isInstanceOf(InvalidNotebookException.class).hasMessageContaining("cycle");
        assertThatThrownBy(() -> compile(new NotebookBuilder()
                .cell("int a = 1;", "step:train").cell("int b = 1;", "step:eval", "prev:trian")))
                .hasMessage("t.ipynb: cell 1 (id c1): tag \"prev:trian\": no step is named \"trian\"; did you mean \"prev:train\"?");
        assertThatThrownBy(() -> compile(new NotebookBuilder()
                .cell("int a = later + 1;", "step:first").cell("int later = 1;", "step:second")))
                .hasMessageContaining("cell 0 (id c0), line 1: step first uses `later`, but no step before it declares it");
        assertThatThrownBy(() -> compile(new NotebookBuilder()
                .cell("int root = 1;", "step:r")
                .cell("int v = 1;", "step:left", "prev:r").cell("int v = 2;", "step:right", "prev:r")
                .cell("int w = v;", "step:join", "prev:left", "prev:right")))
                .hasMessageContaining("`v` is declared by steps left and right on parallel branches");
        assertThatThrownBy(() -> compile(new NotebookBuilder()
                .cell("int epochs = Integer.parseInt(\"3\");", "pipeline-parameters").cell("int a = 1;", "step:a")))
                .hasMessageContaining("cell 0 (id c0): line 1: parameter `epochs` = `Integer.parseInt(\"3\")` is not a literal");
        assertThatThrownBy(() -> compile(new NotebookBuilder()
                .cell("int a = 1;", "step:a").cell("System.out.println(accuracy);", "pipeline-metrics")))
                .hasMessage("t.ipynb: cell 1 (id c1): line 1: metric `accuracy` is not a variable declared by any step");
        assertThatThrownBy(() -> compile(new NotebookBuilder()
                .cell("int a = 1;\nint b = ;", "step:a")))
                .hasMessageStartingWith("t.ipynb: cell 0 (id c0): line 2: syntax error");
        assertThatThrownBy(() -> compile(new NotebookBuilder().cell("int a = 1;")))
                .hasMessageContaining("cell 0 (id c0): this code cell belongs to no step");
        assertThatThrownBy(() -> compile(new NotebookBuilder().cell("import java.util.*;", "imports")))
                .hasMessageContaining("no steps");
    }

    @Test
    void parametersAreTypedLiteralsAndSkipCellsAreIgnored() {
        Compilation c = compile(new NotebookBuilder()
                .cell("int n = 3;\nlong big = 10;\ndouble rate = 1;\nboolean on = true;\nString name = \"a\\\"b\";\nvar neg = -2.5;", "hparams")
                .cell("System.out.println(undefinedEverywhere);", "skip")
                .cell("double r = rate * n;", "step:a"));
        assertThat(c.pipeline().parameters()).containsExactly(
                new Parameter("n", ParameterType.INT, "3"), new Parameter("big", ParameterType.LONG, "10"),
                new Parameter("rate", ParameterType.DOUBLE, "1.0"), new Parameter("on", ParameterType.BOOLEAN, "true"),
                new Parameter("name", ParameterType.STRING, "a\"b"), new Parameter("neg", ParameterType.DOUBLE, "-2.5"));
        assertThat(step(c.pipeline(), "a").parameters()).containsExactly("n", "rate");
    }
}
