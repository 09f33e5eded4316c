package dev.kale4j.runner;

/** Receives run progress (terminal display, the kernel's %pipeline run, the extension's run view). */
public interface RunListener {
    default void runStarted(String runId, java.util.List<String> steps) {
    }

    /** {@code message} is the failure or skip reason, else {@code null}. */
    default void stepChanged(String step, StepStatus status, long durationMs, String message) {
    }

    default void runFinished(RunSummary summary) {
    }

    RunListener NONE = new RunListener() {
    };
}
