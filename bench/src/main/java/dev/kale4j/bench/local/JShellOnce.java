package dev.kale4j.bench.local;

import jdk.jshell.JShell;

/** The anchor of the per-step benchmark: one JVM that creates a JShell and evaluates one snippet. */
public final class JShellOnce {
    private JShellOnce() {
    }

    public static void main(String[] args) {
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
            shell.eval(args.length > 0 ? args[0] : "int x = 1 + 1;").forEach(e -> {
                if (e.status() == jdk.jshell.Snippet.Status.REJECTED) {
                    throw new IllegalStateException("rejected: " + e.snippet().source());
                }
            });
        }
    }
}
