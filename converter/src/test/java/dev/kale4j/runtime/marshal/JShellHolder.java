package dev.kale4j.runtime.marshal;

/** Lets tests take values out of a local-engine JShell (its snippets see the test class path). */
public final class JShellHolder {
    public static volatile Object value;

    private JShellHolder() {
    }
}
