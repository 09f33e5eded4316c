package dev.kale4j.cluster.submit;

import java.util.List;

/**
 * A cluster run as kale4j reports it.
 *
 * @param phase   the engine's phase (Argo: Pending/Running/Succeeded/Failed/Error; KFP: PENDING/RUNNING/...)
 * @param steps   one entry per step attempt the engine knows about
 */
public record RunStatus(String name, String pipeline, String phase, String message, String startedAt,
                        String finishedAt, List<StepStatus> steps) {
    public RunStatus {
        steps = List.copyOf(steps);
    }

    public boolean finished() {
        return phase != null && switch (phase.toUpperCase()) {
            case "SUCCEEDED", "FAILED", "ERROR", "SKIPPED", "CANCELED" -> true;
            default -> false;
        };
    }

    public boolean succeeded() {
        return "SUCCEEDED".equalsIgnoreCase(phase);
    }

    /**
     * @param metrics  JSON object of the step's metrics ({@code null} when none reported)
     * @param snapshot the snapshot of the step's workspace (snapshot-agent id or VolumeSnapshot name), if any
     * @param durationMs how long the step ran, from the engine's start and finish times (0 when not known yet)
     */
    public record StepStatus(String step, String phase, String message, String metrics, String snapshot,
                             long durationMs) {
        public StepStatus(String step, String phase, String message, String metrics, String snapshot) {
            this(step, phase, message, metrics, snapshot, 0);
        }
    }
}
