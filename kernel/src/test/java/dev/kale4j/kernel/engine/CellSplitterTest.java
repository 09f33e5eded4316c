package dev.kale4j.kernel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import jdk.jshell.JShell;
import jdk.jshell.SourceCodeAnalysis;
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
}
