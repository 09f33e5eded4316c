package dev.kale4j.runtime.marshal;

import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A JShell in this JVM ("local" execution engine), so its classes are real REPL wrapper classes
 * ({@code REPL.$JShell$NN$Point}) that tests can marshal, as the step runtime does.
 */
final class JShellSession implements AutoCloseable {
    private final JShell shell = JShell.builder().executionEngine("local").build();

    JShellSession() {
        shell.addToClasspath(System.getProperty("java.class.path"));
    }

    /** Evaluates one or more complete snippets. */
    void eval(String source) {
        String rest = source;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = shell.sourceCodeAnalysis().analyzeCompletion(rest);
            if (info.completeness() != SourceCodeAnalysis.Completeness.COMPLETE
                    && info.completeness() != SourceCodeAnalysis.Completeness.COMPLETE_WITH_SEMI) {
                throw new IllegalStateException("incomplete snippet: " + rest);
            }
            evalOne(info.source());
            rest = info.remaining();
        }
    }

    private void evalOne(String source) {
        List<SnippetEvent> events = shell.eval(source);
        for (SnippetEvent e : events) {
            if (e.exception() != null) {
                throw new IllegalStateException("snippet threw: " + source, e.exception());
            }
            if (e.status() == Snippet.Status.REJECTED) {
                String diags = shell.diagnostics(e.snippet()).map(d -> d.getMessage(null)).collect(Collectors.joining("; "));
                throw new IllegalStateException("snippet rejected: " + source + ": " + diags);
            }
        }
    }

    /** Evaluates an expression and returns its value as an object of this JVM. */
    synchronized Object value(String expression) {
        eval("dev.kale4j.runtime.marshal.JShellHolder.value = (" + expression + ");");
        return JShellHolder.value;
    }

    /**
     * What the step runtime does: JShell classes by simple name, everything else through Class.forName.
     */
    TypeResolver resolver() {
        return name -> {
            if (name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                try {
                    return (Class<?>) value(name + ".class");
                } catch (IllegalStateException e) {
                    // not declared in this shell: fall through
                }
            }
            return Class.forName(name, false, getClass().getClassLoader());
        };
    }

    @Override
    public void close() {
        shell.close();
    }
}
