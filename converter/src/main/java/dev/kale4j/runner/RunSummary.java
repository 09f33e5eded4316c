package dev.kale4j.runner;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The run's result, written as {@code summary.json} in the run directory and to {@code --summary FILE}.
 *
 * @param snapshots snapshot id of the workspace per step ({@code "_initial"} before the first step)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunSummary(
        String runId,
        String pipeline,
        String notebook,
        String status,
        long durationMs,
        Map<String, StepSummary> steps,
        Map<String, Double> metrics,
        Map<String, Object> parameters,
        Map<String, String> snapshots) {

    public boolean succeeded() {
        return "Succeeded".equals(status);
    }

    /** One step's part of the summary. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepSummary(StepStatus status, long durationMs, List<String> inputs, List<String> outputs,
                              int attempts, String error, String cachedFrom) {
    }
}
