package dev.kale4j.kernel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import jdk.jshell.JShell;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CellSplitterTest {
    private static JShell jshell;
    private static SourceCodeAnalysis sca;

    @BeforeAll
    static void start() {
        jshell = JShell.builder().executionEngine("local").build();
        sca = jshell.sourceCodeAnalysis();
    }

    @AfterAll
    static void stop() {
        jshell.close();
    }

    private static List<String> sources(String cell) {
        CellSplitter.Split s = CellSplitter.split(cell, sca::analyzeCompletion);
        return s.chunks().stream().map(CellSplitter.Chunk::source).toList();
    }

    @Test
    void leadingDotContinuesMethodChain() {
        assertThat(sources("var s = List.of(1, 2)\n    .stream()\n    .map(x -> x * 2)\n    .toList()\ns.size()"))
                .containsExactly("var s = List.of(1, 2)\n    .stream()\n    .map(x -> x * 2)\n    .toList();", "s.size()");
    }

    @Test
    void newlineEndsCompleteStatementWithoutSemicolon() {
        assertThat(sources("var a = 1\nvar b = 2\na + b")).containsExactly("var a = 1;", "var b = 2;", "a + b");
    }

    @Test
    void severalStatementsOnOneLineAndBlocksAcrossLines() {
        assertThat(sources("int x = 1; int y = 2;\nvoid f() {\n  x++;\n}\n")).containsExactly("int x = 1;", "int y = 2;",
                "void f() {\n  x++;\n}");
    }

    @Test
    void chunkLinesPointIntoTheCell() {
        CellSplitter.Split s = CellSplitter.split("// comment\n\nint x = 1;\n\n  x + 1", sca::analyzeCompletion);
        assertThat(s.chunks()).extracting(CellSplitter.Chunk::line).containsExactly(1, 5);
    }

    @Test
    void openBlockStaysPending() {
        CellSplitter.Split s = CellSplitter.split("int a = 1;\nfor (int i = 0; i < 3; i++) {\n  a++;", sca::analyzeCompletion);
        assertThat(s.chunks()).hasSize(1);
        assertThat(s.pending()).isNotNull();
        assertThat(s.pending().complete()).isFalse();
        assertThat(s.pending().line()).isEqualTo(2);
    }

    // CompletenessMemo: the engine splits through it.

    @Test
    void aCellSplitsTheSameWithAndWithoutTheMemoAndTheSecondTimeFromIt() {
        String cell = "var s = List.of(1, 2)\n    .stream()\n    .toList()\nint n = s.size()\nvoid f() { }\nfor (int i = 0; i < n;";
        CompletenessMemo memo = new CompletenessMemo(64);
        CellSplitter.Split plain = CellSplitter.split(cell, sca::analyzeCompletion);
        CellSplitter.Split first = CellSplitter.split(cell, t -> memo.analyze(t, sca));
        int kept = memo.size();
        CellSplitter.Split second = CellSplitter.split(cell, t -> memo.analyze(t, sca));

        assertThat(first).isEqualTo(plain);
        assertThat(second).isEqualTo(plain);
        assertThat(plain.chunks()).hasSize(3);
        assertThat(plain.pending().source()).startsWith("for (");
        assertThat(kept).isPositive();
        assertThat(memo.size()).as("the second split asked JShell nothing new").isEqualTo(kept);
    }

    @Test
    void keepsOnlyTheMostRecentTextsAndNoLongOnes() {
        CompletenessMemo memo = new CompletenessMemo(2);
        CompletionInfo a = memo.analyze("int a = 1;", sca);
        CompletionInfo b = memo.analyze("int b = 2;", sca);
        assertThat(memo.analyze("int a = 1;", sca)).isSameAs(a);
        CompletionInfo c = memo.analyze("int c = 3;", sca); // evicts b, the least recently used
        assertThat(memo.size()).isEqualTo(2);
        assertThat(memo.analyze("int a = 1;", sca)).isSameAs(a);
        assertThat(memo.analyze("int c = 3;", sca)).isSameAs(c);
        assertThat(memo.analyze("int b = 2;", sca)).as("asked again after eviction").isNotSameAs(b);

        String longText = "int x = " + "1 + ".repeat(CompletenessMemo.MAX_TEXT / 4) + "1;";
        CompletionInfo once = memo.analyze(longText, sca);
        assertThat(once.completeness()).isEqualTo(SourceCodeAnalysis.Completeness.COMPLETE);
        assertThat(memo.analyze(longText, sca)).as("long texts are not kept").isNotSameAs(once);
        assertThat(memo.size()).isEqualTo(2);
    }
}
