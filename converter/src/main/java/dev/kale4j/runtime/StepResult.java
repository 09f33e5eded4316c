package dev.kale4j.runtime;

import dev.kale4j.runtime.marshal.ArtifactInfo;
import java.util.List;
import java.util.Map;

/**
 * What a step JVM reports back, as {@code result.json} in its output directory.
 *
 * @param error one message naming the cell and line (for failures), else {@code null}
 */
public record StepResult(String step, boolean succeeded, long durationMs, List<ArtifactInfo> outputs,
                         Map<String, Double> metrics, String error) {
    public static final String FILE = "result.json";
}
