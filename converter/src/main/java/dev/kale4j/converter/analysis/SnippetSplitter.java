package dev.kale4j.converter.analysis;

import java.util.ArrayList;
import java.util.List;
import jdk.jshell.JShell;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;

/**
 * Splits cell source into JShell snippets exactly as JShell (and so the kernel) does, with
 * {@link SourceCodeAnalysis#analyzeCompletion}: a method chain continued on a line starting with
 * {@code .} stays one statement, a missing final semicolon is added.
 */
public final class SnippetSplitter {
    private static JShell shell;

    private SnippetSplitter() {
    }

    /** A snippet and the 1-based line of the cell it starts on. */
    public record Piece(String source, int line, boolean complete) {
    }

    public static synchronized List<Piece> split(String cellSource) {
        SourceCodeAnalysis analysis = shell().sourceCodeAnalysis();
        List<Piece> out = new ArrayList<>();
        String remaining = cellSource;
        int consumed = 0;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            Completeness c = info.completeness();
            if (c == Completeness.EMPTY) {
                break;
            }
            int used = remaining.length() - info.remaining().length();
            if (!c.isComplete() || used <= 0) {
                // Incomplete or unparsable: hand the rest over whole; the parser reports the line.
                out.add(new Piece(remaining.strip(), lineOf(cellSource, consumed + leading(remaining)), false));
                break;
            }
            out.add(new Piece(info.source().strip(), lineOf(cellSource, consumed + leading(remaining)), true));
            consumed += used;
            remaining = info.remaining();
        }
        return out;
    }

    private static int leading(String s) {
        int i = 0;
        while (i < s.length()) {
            if (Character.isWhitespace(s.charAt(i))) {
                i++;
            } else if (s.startsWith("//", i)) {
                int nl = s.indexOf('\n', i);
                i = nl < 0 ? s.length() : nl + 1;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
            } else {
                break;
            }
        }
        return i;
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static JShell shell() {
        if (shell == null) {
            // Analysis only: the in-process engine avoids starting a second JVM.
            shell = JShell.builder().executionEngine("local").build();
        }
        return shell;
    }
}
