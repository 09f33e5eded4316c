package dev.kale4j.kernel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import jdk.jshell.JShell;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CompletenessMemoTest {
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
        memo.analyze("int b = 2;", sca);
        assertThat(memo.analyze("int a = 1;", sca)).isSameAs(a);
        memo.analyze("int c = 3;", sca); // evicts b, the least recently used
        assertThat(memo.size()).isEqualTo(2);
        assertThat(memo.analyze("int a = 1;", sca)).isSameAs(a);

        String longText = "int x = " + "1 + ".repeat(CompletenessMemo.MAX_TEXT / 4) + "1;";
        assertThat(memo.analyze(longText, sca).completeness()).isEqualTo(SourceCodeAnalysis.Completeness.COMPLETE);
        assertThat(memo.size()).isEqualTo(2);
        assertThat(List.of(memo.analyze("int c = 3;", sca).completeness()))
                .containsExactly(SourceCodeAnalysis.Completeness.COMPLETE);
    }
}
