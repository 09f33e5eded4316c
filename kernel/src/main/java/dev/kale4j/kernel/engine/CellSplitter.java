package dev.kale4j.kernel.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;

/**
 * Splits a cell into JShell snippets the way the {@code jshell} tool splits typed lines: a line
 * ends a snippet as soon as the text so far is complete, except that a following line starting
 * with {@code .} continues a method chain. Feeding the whole cell to analyzeCompletion instead
 * would glue {@code var s = f()} and a next line {@code s.size()} into one broken statement.
 */
public final class CellSplitter {
    /** One snippet: its source as JShell should evaluate it, and where it starts in the cell. */
    public record Chunk(String source, int offset, int line, Completeness completeness) {
        public boolean complete() {
            return completeness == Completeness.COMPLETE || completeness == Completeness.COMPLETE_WITH_SEMI;
        }
    }

    /** Chunks plus the trailing text that is not complete yet (blank if none). */
    public record Split(List<Chunk> chunks, Chunk pending) {
    }

    private CellSplitter() {
    }

    public static Split split(String cell, Function<String, CompletionInfo> analyzer) {
        List<Chunk> chunks = new ArrayList<>();
        String[] lines = cell.split("\n", -1);
        int pendingStart = 0; // offset in cell where pending text starts
        int lineStart = 0;
        Completeness lastState = Completeness.EMPTY;
        for (int i = 0; i < lines.length; i++) {
            int lineEnd = lineStart + lines[i].length() + (i < lines.length - 1 ? 1 : 0);
            boolean continued = nextCodeLineStartsWithDot(lines, i);
            while (pendingStart < lineEnd) {
                String pending = cell.substring(pendingStart, lineEnd);
                if (pending.isBlank()) {
                    lastState = Completeness.EMPTY;
                    break;
                }
                CompletionInfo ci = analyzer.apply(pending);
                lastState = ci.completeness();
                if (!isComplete(ci.completeness()) && ci.completeness() != Completeness.UNKNOWN) {
                    break; // needs more lines
                }
                String remaining = ci.remaining();
                if (remaining.isBlank()) {
                    if (continued && ci.completeness() != Completeness.UNKNOWN) {
                        break; // ".method()" on a following line belongs to this statement
                    }
                    chunks.add(chunk(cell, pendingStart, lineEnd, ci.completeness()));
                    pendingStart = lineEnd;
                } else {
                    int end = lineEnd - remaining.length();
                    if (end <= pendingStart) {
                        break; // analyzer made no progress; let more lines decide
                    }
                    chunks.add(chunk(cell, pendingStart, end, ci.completeness()));
                    pendingStart = end;
                }
            }
            lineStart = lineEnd;
        }
        Chunk pending = pendingStart < cell.length() && !cell.substring(pendingStart).isBlank()
                ? chunk(cell, pendingStart, cell.length(), lastState)
                : null;
        return new Split(chunks, pending);
    }

    private static boolean isComplete(Completeness c) {
        return c == Completeness.COMPLETE || c == Completeness.COMPLETE_WITH_SEMI;
    }

    private static boolean nextCodeLineStartsWithDot(String[] lines, int i) {
        for (int j = i + 1; j < lines.length; j++) {
            String t = lines[j].strip();
            if (t.isEmpty() || t.startsWith("//")) {
                continue;
            }
            return t.startsWith(".") && !t.startsWith("...");
        }
        return false;
    }

    private static Chunk chunk(String cell, int start, int end, Completeness completeness) {
        // Leading whitespace is dropped so that line 1 of the snippet is its first code line.
        while (start < end && Character.isWhitespace(cell.charAt(start))) {
            start++;
        }
        String source = cell.substring(start, end).stripTrailing();
        if (completeness == Completeness.COMPLETE_WITH_SEMI && !source.endsWith(";")) {
            // What analyzeCompletion's own source() would say; JShell rejects "var x = 1" otherwise.
            source = source + ";";
        }
        int line = 1;
        for (int k = 0; k < start; k++) {
            if (cell.charAt(k) == '\n') {
                line++;
            }
        }
        return new Chunk(source, start, line, completeness);
    }
}
