package dev.kale4j.kernel.engine;

/** Where the execution JVM's output goes; the kernel publishes it on IOPub for the running cell. */
public interface EngineOutput {
    void stdout(String text);

    void stderr(String text);

    /** A MIME bundle as JSON, from {@code display(...)} in user code. */
    void display(String bundleJson);

    /** {@code clearOutput()} in user code: clear the cell's output (at the next output if wait). */
    void clearOutput(boolean wait);

    /** Messages from the kernel itself (engine restarts, warnings), shown on stderr by default. */
    default void notice(String text) {
        stderr(text);
    }
}
